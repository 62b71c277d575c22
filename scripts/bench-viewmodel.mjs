#!/usr/bin/env node
// View-model timings at scale: how long one keystroke takes (reducer + the selectors a frame
// needs) for layer changes, collapse all, filter typing, search and cursor moves.
//
//   npm run build && node scripts/bench-viewmodel.mjs [IMAGE.tar]
//
// Without an argument it uses .bench/synth-200k.tar, generating it first with
// ../shared/bench/synth-image.py (200k files, 20 layers, 1 GiB) when missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(root, 'build', p)).href);

/**
 * Times the keystrokes that must feel instant on an Analysis. Every figure is milliseconds
 * for one keystroke (reducer plus the visible rows of every pane), cold (first time for that
 * layer range or filter) unless named warm.
 */
export async function benchViewModel(analysis, viewport = { cols: 160, rows: 50 }) {
  const { createInitialState } = await dist('viewmodel/state.js');
  const { reduce } = await dist('viewmodel/reducer.js');
  const { selectTreePane, selectLayerPane, selectLayerDetails, selectImageDetails } = await dist('viewmodel/rows.js');
  const { imageView } = await dist('viewmodel/view-data.js');
  const data = imageView(analysis);
  const frame = (s) => {
    selectLayerPane(data, s);
    selectLayerDetails(data, s);
    selectImageDetails(data, s);
    return selectTreePane(data, s);
  };
  const cmd = (id) => ({ type: 'command', id });
  let s = { ...createInitialState(viewport), focus: 'tree' };
  const step = (action) => {
    const t = performance.now();
    s = reduce(data, s, action);
    frame(s);
    return performance.now() - t;
  };
  const stats = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    const r = (x) => Math.round(x * 100) / 100;
    return { median: r(v[Math.floor(v.length / 2)]), max: r(v[v.length - 1]), n: v.length };
  };
  const out = {};
  let t = performance.now();
  frame(s);
  out.firstFrame = Math.round((performance.now() - t) * 100) / 100;

  const L = analysis.layers.length;
  const cold = [];
  for (let i = 1; i < L; i++) cold.push(step({ type: 'layers.select', layer: i }));
  out.layerChangeCold = stats(cold);
  const warm = [];
  for (let i = L - 2; i >= 0; i--) warm.push(step({ type: 'layers.select', layer: i }));
  out.layerChangeWarm = stats(warm);
  s = reduce(data, s, { type: 'layers.select', layer: L - 1 });
  frame(s);
  const agg = [];
  s = { ...s, layers: { ...s.layers, mode: 'aggregated' } };
  for (let i = L - 1; i >= 0; i -= Math.max(1, Math.floor(L / 6))) agg.push(step({ type: 'layers.select', layer: i }));
  out.aggregatedLayerChangeCold = stats(agg);
  s = reduce(data, s, { type: 'layers.select', layer: L - 1 });
  frame(s);

  const moves = [];
  for (let i = 0; i < 200; i++) moves.push(step(cmd('cursor.down')));
  out.cursorDown = stats(moves);
  const pages = [];
  for (let i = 0; i < 50; i++) pages.push(step(cmd('cursor.pageDown')));
  out.pageDown = stats(pages);
  out.bottom = Math.round(step(cmd('cursor.bottom')) * 100) / 100;
  step(cmd('cursor.top'));

  out.collapseAll = Math.round(step(cmd('tree.collapseAll')) * 100) / 100;
  out.expandAll = Math.round(step(cmd('tree.collapseAll')) * 100) / 100;
  step(cmd('cursor.down'));
  const one = [];
  for (let i = 0; i < 10; i++) one.push(step(cmd('tree.collapse')));
  out.collapseOne = stats(one);

  step(cmd('filter.open'));
  const typing = [];
  for (const ch of 'mod01/lib') typing.push(step({ type: 'input.text', text: ch }));
  out.filterKeystroke = stats(typing);
  const back = [];
  for (let i = 0; i < 4; i++) back.push(step({ type: 'input.backspace' }));
  out.filterBackspace = stats(back);
  step({ type: 'input.cancel' });

  step(cmd('search.open'));
  const search = [];
  for (const ch of 'pkg0599') search.push(step({ type: 'input.text', text: ch }));
  out.searchKeystroke = stats(search);
  step({ type: 'input.submit' });
  const next = [];
  for (let i = 0; i < 10; i++) next.push(step(cmd('search.next')));
  out.searchNext = stats(next);

  out.sortBySize = Math.round(step(cmd('tree.toggleSort')) * 100) / 100;
  out.whiteoutsToggle = Math.round(step(cmd('tree.toggleWhiteouts')) * 100) / 100;
  out.paths = analysis.tree.pathCount;
  out.layers = L;
  return out;
}

async function main() {
  let image = process.argv[2];
  if (!image) {
    image = join(root, '.bench', 'synth-200k.tar');
    if (!existsSync(image)) {
      mkdirSync(dirname(image), { recursive: true });
      console.error('generating .bench/synth-200k.tar (takes a while)…');
      execFileSync('python3', [join(root, '..', 'shared', 'bench', 'synth-image.py'), image, '--files', '200000', '--layers', '20', '--mib', '1024'], { stdio: 'inherit' });
    }
  }
  const { inspectImage } = await dist('index.js');
  const t = performance.now();
  const analysis = await inspectImage(`docker-archive:${resolve(image)}`, { cache: false });
  console.error(`loaded ${image} in ${Math.round(performance.now() - t)} ms`);
  console.log(JSON.stringify(await benchViewModel(analysis), null, 2));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
