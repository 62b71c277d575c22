import { describe, expect, it } from 'vitest';
import { compareImages } from '../../src/core/compare-images.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { selectFileHistoryPane, selectImageDetails, selectLayerDetails, selectLayerPane, selectTreePane } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createComparisonState, type AppState } from '../../src/viewmodel/state.js';
import { selectCursorPath } from '../../src/viewmodel/tree-view.js';
import { comparisonView, imageView } from '../../src/viewmodel/view-data.js';
import { contentOfEntry, dir, file, numberedImage } from '../helpers/layers.js';

const base = { id: 1, command: 'base', entries: [dir('etc'), file('etc/os', 10, { content: 'os' }), dir('usr'), file('usr/keep', 50, { content: 'k' })] };
const old = numberedImage([base, { id: 2, command: 'old app', entries: [dir('app'), file('app/main', 100, { content: 'v1' }), file('app/old', 30)] }]);
const neu = numberedImage([
  base,
  { id: 3, command: 'new app', entries: [dir('app'), file('app/main', 900, { content: 'v2' })] },
  { id: 4, command: 'add lib', entries: [dir('lib'), file('lib/big', 5000), file('lib/small', 5)] },
]);
const c = compareImages(old, neu, { old: (g) => contentOfEntry(old.tree.entry(g)), new: (g) => contentOfEntry(neu.tree.entry(g)) });
const data = comparisonView(c, old, neu, { symbols: true });
const run = (s: AppState, ...ids: CommandId[]) => ids.reduce((st, id) => reduce(data, st, { type: 'command', id }), s);
const treeRows = (s: AppState) => selectTreePane(data, s).lines.map(lineText).filter((l) => l.trim() !== '');

describe('the comparison in the inspector', () => {
  it('opens on the changed paths only, with the size change per row and directory', () => {
    const s = createComparisonState({ cols: 120, rows: 30 });
    const rows = treeRows(s);
    expect(rows.some((r) => /etc/.test(r) || /usr/.test(r))).toBe(false); // untouched: hidden
    expect(rows.find((r) => r.includes('main'))).toMatch(/^~ .*\+800 B/);
    expect(rows.find((r) => r.includes('old'))).toMatch(/^- .*-30 B/);
    expect(rows.find((r) => r.includes('lib'))).toMatch(/^\+ .*\+5\.0 kB/); // the directory: its subtree's delta
    // Ctrl+U shows the untouched paths too
    expect(treeRows(run(s, 'tree.toggleUnmodified')).some((r) => r.includes('keep'))).toBe(true);
  });

  it('lists the aligned layers, the totals with deltas and both images', () => {
    const s = createComparisonState({ cols: 120, rows: 30 });
    const layers = selectLayerPane(data, s).lines.map(lineText);
    expect(layers[0]).toMatch(/all changes/);
    expect(layers[1]).toMatch(/^= +L0 .* base/);
    expect(layers[2]).toMatch(/^- OLD L1 .*old app/);
    expect(layers[3]).toMatch(/^\+ NEW L1 .*new app/);
    expect(layers[4]).toMatch(/^\+ NEW L2 .*add lib/);
    const totals = selectLayerDetails(data, s).lines.map(lineText);
    expect(totals.find((l) => l.startsWith('Layers'))).toMatch(/2 → +3 +\+1/);
    expect(totals.find((l) => l.startsWith('Size'))).toMatch(/\+5\.8 kB/);
    // The bytes as the image stores them (an uncompressed archive too): never called compressed.
    expect(totals.find((l) => l.startsWith('Stored'))).toMatch(/→/);
    expect(totals.join('\n')).not.toMatch(/compressed/i);
    const images = selectImageDetails(data, s).lines.map(lineText).join('\n');
    expect(images).toMatch(/OLD: img-2/);
    expect(images).toMatch(/NEW: img-3/);
    expect(images).toMatch(/\+3 added .*-1 removed .*~1 modified/);
  });

  it('selecting a layer of NEW narrows the tree to the paths it wrote; "all changes" widens it again', () => {
    let s = run(createComparisonState({ cols: 120, rows: 30 }), 'app.switchPane', 'cursor.down', 'cursor.down', 'cursor.down', 'cursor.down');
    expect(s.layers.cursor).toBe(4);
    const narrowed = treeRows(s);
    expect(narrowed.some((r) => r.includes('big'))).toBe(true);
    expect(narrowed.some((r) => r.includes('main'))).toBe(false);
    expect(selectTreePane(data, s).title.segments.map((x) => x.text).join('')).toContain('paths NEW L2 wrote');
    s = run(s, 'cursor.up');
    expect(treeRows(s).some((r) => r.includes('main'))).toBe(true);
    expect(treeRows(s).some((r) => r.includes('big'))).toBe(false);
    s = run(s, 'cursor.top');
    expect(treeRows(s).some((r) => r.includes('big')) && treeRows(s).some((r) => r.includes('main'))).toBe(true);
    // the layer compare keys of one image say how a comparison narrows instead
    expect(run(s, 'layers.compareAggregated').message?.text).toMatch(/select a NEW layer/);
  });

  it('sorts by size change, largest growth first', () => {
    const s = run(createComparisonState({ cols: 120, rows: 30 }), 'tree.toggleSort');
    const names = treeRows(s).map((r) => r.replace(/^.*── /, '').trim());
    expect(names.slice(0, 3), names.join(',')).toEqual(['lib', 'big', 'small']);
    expect(names.indexOf('app')).toBeLessThan(names.indexOf('old'));
    expect(selectTreePane(data, s).title.segments.map((x) => x.text).join('')).toContain('by size change');
  });

  it('the file history shows the path in each image', () => {
    let s = createComparisonState({ cols: 120, rows: 40 });
    s = run(s, 'cursor.down'); // app/main
    const p = selectCursorPath(data, s);
    expect(data.diff.pathOf(p)).toBe('app/main');
    const lines = selectFileHistoryPane(data, run(s, 'tree.fileHistory'), p).lines.map(lineText).filter((l) => l.trim());
    expect(lines[0]).toMatch(/^OLD L1 +added .*old app/);
    expect(lines[1]).toMatch(/^NEW L1 +added .*new app/);
  });

  it("a directory's history in each image says what each layer did, as one image's panel does: never 'unmodified' for a layer that changed something below", () => {
    const o = numberedImage([base]);
    const n = numberedImage([base, { id: 5, command: 'add to usr', entries: [dir('usr'), file('usr/extra', 7)] }, { id: 6, command: 'rewrite os', entries: [file('etc/os', 10, { content: 'os' })] }]);
    const cmp = compareImages(o, n, { old: (g) => contentOfEntry(o.tree.entry(g)), new: (g) => contentOfEntry(n.tree.entry(g)) });
    const v = comparisonView(cmp, o, n);
    const at = (path: string) => selectFileHistoryPane(v, { ...createComparisonState({ cols: 120, rows: 40 }), tree: { ...createComparisonState({ cols: 120, rows: 40 }).tree, fileHistory: true } }, v.diff.find(path)!).lines.map(lineText).filter((l) => l.trim());
    const usr = at('usr');
    expect(usr.find((l) => l.startsWith('NEW L1'))).toMatch(/^NEW L1 +contents .*1 path below changed.*add to usr/);
    expect(usr.join('\n')).not.toContain('unmodified');
    // A file written again with the same bytes (dive counts it as waste) is a rewrite.
    expect(at('etc/os').find((l) => l.startsWith('NEW L2'))).toMatch(/^NEW L2 +rewritten \(same content\)/);
  });
});

describe('the comparison at 60x15', () => {
  const small = { ...createComparisonState({ cols: 60, rows: 15 }), focus: 'tree' as const };

  it('the totals keep OLD and NEW on every row (the change goes first, then the label shrinks)', () => {
    const totals = selectLayerDetails(data, small).lines.map(lineText).filter((l) => l.trim());
    expect(totals.length).toBeGreaterThan(2);
    for (const l of totals) {
      expect(l).not.toContain('…');
      expect(l).toMatch(/\S+ ?→ ?\S+/);
    }
    expect(totals.find((l) => l.startsWith('Size'))).toMatch(/→ +\d/);
  });

  it("the file history keeps NEW in sight: each image its share, its latest rows last", () => {
    const o = numberedImage([base, ...[5, 6, 7, 8, 9].map((id) => ({ id, command: `write ${id}`, entries: [file('etc/os', 10 + id, { content: `o${id}` })] }))]);
    const n = numberedImage([base, ...[15, 16, 17, 18, 19].map((id) => ({ id, command: `write ${id}`, entries: [file('etc/os', 10 + id, { content: `n${id}` })] }))]);
    const v = comparisonView(compareImages(o, n, { old: (g) => contentOfEntry(o.tree.entry(g)), new: (g) => contentOfEntry(n.tree.entry(g)) }), o, n);
    const s = { ...small, tree: { ...small.tree, fileHistory: true } };
    const lines = selectFileHistoryPane(v, s, v.diff.find('etc/os')!).lines.map(lineText).map((l) => l.trimEnd());
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.some((l) => l.startsWith('NEW L5'))).toBe(true); // NEW's latest version
    expect(lines.some((l) => l.startsWith('OLD L5'))).toBe(true);
    expect(lines.find((l) => l.startsWith('NEW ↑'))).toMatch(/NEW ↑ \d+ earlier/);
  });
});

describe('the compare prompt of the inspector', () => {
  it('c opens it, typed text edits it, Enter asks the UI to compare, Esc cancels', async () => {
    const { interpretKey } = await import('../../src/viewmodel/input.js');
    const { createKeymap } = await import('../../src/viewmodel/keymap.js');
    const { createInitialState } = await import('../../src/viewmodel/state.js');
    const { selectStatusBar } = await import('../../src/viewmodel/rows.js');
    const km = createKeymap();
    const one = imageView(old); // a plain image
    const step = (s: AppState, key: string, raw = key) => {
      const out = interpretKey(km, s, key as never, raw);
      return { out, s: out.kind === 'action' ? reduce(one, s, out.action) : s };
    };
    let s = createInitialState({ cols: 100, rows: 30 });
    s = step(s, 'c').s;
    expect(s.compare).toEqual({ text: '' });
    for (const ch of 'b.tar') s = step(s, ch).s;
    s = step(s, 'backspace', '\x7f').s;
    expect(s.compare?.text).toBe('b.ta');
    expect(lineText(selectStatusBar(km, s, 100))).toContain('Compare with: b.ta');
    expect(step(s, 'enter', '\r').out).toEqual({ kind: 'compare', reference: 'b.ta' });
    expect(step(s, 'esc', '\x1b').s.compare).toBeUndefined();
    // in a comparison, c says so instead
    expect(run(createComparisonState({ cols: 100, rows: 30 }), 'app.compare').message?.text).toMatch(/comparison already/);
  });
});
