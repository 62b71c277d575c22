import { describe, expect, it } from 'vitest';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectFileHistoryPane, selectInfoLines, selectLayerPane, selectLayerDetails } from '../../src/viewmodel/rows.js';
import { imageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, selectRange, type AppState } from '../../src/viewmodel/state.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { buildAnalysis, file, sampleAnalysis } from '../helpers/build-analysis.js';

const a = sampleAnalysis();
const data = imageView(a, { symbols: true });
const run = (s: AppState, ...ids: (CommandId | Action)[]) => ids.reduce((st, x) => reduce(data, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);

describe('layers pane and compare modes', () => {
  it('moves the layer cursor within bounds and marks the compared layers', () => {
    let s = createInitialState({ cols: 100, rows: 30 });
    s = run(s, 'cursor.up');
    expect(s.layers.cursor).toBe(0);
    s = run(s, 'cursor.down', 'cursor.down');
    expect(s.layers.cursor).toBe(2);
    expect(selectRange(s)).toEqual({ base: 1, top: 2 });
    const rows = selectLayerPane(data, s).lines.map(lineText);
    expect(rows[2]).toMatch(/^● 2/);
    expect(rows[1]).toMatch(/^ {2}1/);
    s = run(s, 'layers.compareAggregated');
    expect(selectRange(s)).toEqual({ base: -1, top: 2 });
    expect(selectLayerPane(data, s).lines.map(lineText).slice(0, 3).every((r) => r.startsWith('●'))).toBe(true);
    s = run(s, 'cursor.bottom');
    expect(s.layers.cursor).toBe(3);
    s = run(s, 'cursor.top', 'layers.compareLayer');
    expect(selectRange(s)).toEqual({ base: -1, top: 0 });
  });

  it('a marked base gives the range between it and the cursor, either way round, and unmarks', () => {
    let s = run(createInitialState({ cols: 100, rows: 30 }), 'cursor.down', 'layers.markBase');
    expect(s.layers.mark).toBe(1);
    s = run(s, 'cursor.bottom');
    expect(selectRange(s)).toEqual({ base: 1, top: 3 });
    expect(selectLayerPane(data, s).title.segments.map((x) => x.text).join('')).toContain('compare L1→L3');
    expect(lineText(selectLayerPane(data, s).lines[1]!)).toMatch(/^B 1/);
    s = run(s, 'cursor.top');
    expect(selectRange(s)).toEqual({ base: 0, top: 1 });
    s = run(s, 'cursor.down', 'layers.markBase');
    expect(s.layers.mark).toBeNull();
  });

  it('pages by the pane height and scrolls to keep the cursor visible', () => {
    const many = buildAnalysis(Array.from({ length: 30 }, (_, i) => ({ command: `step ${i}`, entries: [file(`f${i}`)] })));
    let s = createInitialState({ cols: 80, rows: 24 });
    const d: ViewData = imageView(many);
    const go = (id: CommandId) => (s = reduce(d, s, { type: 'command', id }));
    go('cursor.pageDown');
    const h = selectLayerPane(d, s).lines.length;
    expect(s.layers.cursor).toBe(h);
    expect(lineText(selectLayerPane(d, s).lines.at(-1)!)).toContain(`step ${h}`);
    go('cursor.bottom');
    expect(lineText(selectLayerPane(d, s).lines.at(-1)!)).toContain('step 29');
    go('cursor.pageUp');
    expect(s.layers.cursor).toBe(29 - h);
  });

  it('layer details show digests, sizes, media type and the whole command', () => {
    const s = run(createInitialState({ cols: 220, rows: 40 }), 'cursor.down', 'cursor.down');
    const text = selectLayerDetails(data, s).lines.map(lineText).join('\n');
    expect(text).toContain(`Digest: ${a.layers[2]!.digest}`);
    expect(text).toContain('stored 1.0 kB');
    expect(text).toContain('application/vnd.oci.image.layer.v1.tar');
    expect(text).toContain('rm -rf /var/cache && chmod 600 /etc/passwd');
  });
});

describe('history', () => {
  it('the info view lists every step, empty ones as 0 B between layers, then the config', () => {
    const lines = selectInfoLines(a, 120).map((l) => lineText(l).trimEnd());
    const steps = lines.slice(1, lines.indexOf(''));
    expect(steps.filter((l) => /^L\d/.test(l))).toHaveLength(4);
    const envAt = steps.findIndex((l) => l.includes('ENV A=1'));
    expect(steps[envAt]).toMatch(/^ {4}\s+0 B/);
    expect(steps[envAt - 1]).toMatch(/^L0/);
    expect(steps[envAt + 1]).toContain('# empty step');
    expect(lines).toContain('WorkingDir:   /srv');
    expect(lines).toContain('Labels:       org.example=yes');
  });

  it('the file history panel lists every layer that touched a path, with removals and how', () => {
    const s = run(createInitialState({ cols: 120, rows: 40 }), { type: 'layers.select', layer: 2 });
    const hosts = selectFileHistoryPane(data, { ...s, tree: { ...s.tree, fileHistory: true } }, a.tree.find('etc/hosts')!).lines.map((l) => lineText(l).trimEnd()).filter(Boolean);
    expect(hosts[0]).toMatch(/L0 added/);
    expect(hosts[1]).toMatch(/L1 removed +whiteout in \/etc/);
    const sh = selectFileHistoryPane(data, { ...s, tree: { ...s.tree, fileHistory: true } }, a.tree.find('usr/bin/sh')!).lines.map((l) => lineText(l)).filter((l) => l.trim());
    expect(sh[1]).toMatch(/L3 removed +opaque dir in \/usr\/bin/);
    expect(sh[0]).toContain('-rwsr-xr-x'); // setuid shown
  });
});

describe('prefetching the neighbouring layers', () => {
  it('builds the trees one layer up and down, so stepping finds them cached', async () => {
    const { prefetchNeighbours, selectTreeQuery } = await import('../../src/viewmodel/tree-view.js');
    const { selectImageTreeIndex } = await import('../../src/viewmodel/tree-index.js');
    const { createInitialState } = await import('../../src/viewmodel/state.js');
    const { buildAnalysis, file, dir } = await import('../helpers/build-analysis.js');
    const a = buildAnalysis([{ entries: [dir('a'), file('a/x')] }, { entries: [file('a/y')] }, { entries: [file('a/z')] }, { entries: [file('a/w')] }]);
    const view = imageView(a);
    const s0 = createInitialState({ cols: 120, rows: 40 });
    const at = (cursor: number) => ({ ...s0, layers: { ...s0.layers, cursor } });
    prefetchNeighbours(view, at(1));
    // An index built earlier carries the query it was built for, not the one asked with now.
    for (const cursor of [0, 2]) {
      const q = selectTreeQuery(view, at(cursor));
      const ti = selectImageTreeIndex(view, q);
      expect(ti.query).not.toBe(q);
      expect(ti.query).toEqual(q);
    }
    const far = selectTreeQuery(view, at(3));
    expect(selectImageTreeIndex(view, far).query).toBe(far);
  });
});
