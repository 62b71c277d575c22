import { describe, expect, it } from 'vitest';
import { compareImages } from '../../src/core/compare-images.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { selectOverlayLines, selectTreePane } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createComparisonState, createInitialState, createViewState, type AppState } from '../../src/viewmodel/state.js';
import { selectCopyTarget } from '../../src/viewmodel/copy.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { comparisonView, imageView, layerRowCount, pathsOf, type ViewData } from '../../src/viewmodel/view-data.js';
import type { CommandId } from '../../src/viewmodel/commands.js';
import { contentOfEntry, dir, file, numberedImage } from '../helpers/layers.js';

const base = { id: 1, command: 'base', entries: [dir('etc'), file('etc/os', 10, { content: 'os' }), dir('data'), dir('data/old'), file('data/old/x', 40)] };
const old = numberedImage([base, { id: 2, command: 'old app', entries: [dir('app'), file('app/main', 100, { content: 'v1' })] }]);
const neu = numberedImage([
  base,
  { id: 3, command: 'new app', entries: [dir('app'), file('app/main', 900, { content: 'v2' })] },
  { id: 4, command: 'rm old data', entries: [{ path: 'data/.wh.old', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 }] },
]);
const c = compareImages(old, neu, { old: (g) => contentOfEntry(old.tree.entry(g)), new: (g) => contentOfEntry(neu.tree.entry(g)) });
const comparison = comparisonView(c, old, neu, { symbols: true });
const image = imageView(neu, { symbols: true });
const run = (d: ViewData, s: AppState, ...ids: CommandId[]) => ids.reduce((st, id) => reduce(d, st, { type: 'command', id }), s);

describe('a comparison is its own kind of view, not an image', () => {
  it('the compiler keeps the two apart: an image has no comparison, a comparison no single analysis', () => {
    // Each line below must fail to compile (`npm run typecheck` checks it): the comparison is a
    // kind of its own, never a field an image might have.
    // @ts-expect-error an image view has no comparison to read
    expect(image.diff).toBeUndefined();
    const either: ViewData = image;
    // @ts-expect-error a view of unknown kind must be narrowed before reading its comparison
    expect(either.diff).toBeUndefined();
    // @ts-expect-error a comparison has two analyses, not one
    expect(comparison.analysis).toBeUndefined();
    // Narrowed by its kind, each has what it shows.
    if (either.kind === 'image') expect(either.analysis).toBe(neu);
    expect(comparison.diff.comparison).toBe(c);
  });

  it('each kind starts its own session: an image in the layers pane, a comparison on its changed paths', () => {
    expect(createViewState(image, { cols: 100, rows: 30 })).toEqual(createInitialState({ cols: 100, rows: 30 }));
    const s = createViewState(comparison, { cols: 100, rows: 30 });
    expect(s).toEqual(createComparisonState({ cols: 100, rows: 30 }));
    expect(s.focus).toBe('tree');
    expect(s.tree.hidden.unmodified).toBe(true);
    // the layer list: the image's layers; "all changes" and the aligned layers
    expect(layerRowCount(image)).toBe(3);
    expect(layerRowCount(comparison)).toBe(1 + c.layers.length);
  });

  it('the tree of a comparison walks both images\' paths, not a two-layer image with whiteouts', () => {
    const t = pathsOf(comparison);
    // a path only OLD has is a path of the tree, with no whiteout marker beside it
    expect(t.find('data/old/x')).toBeDefined();
    expect(t.absolutePaths().some((p) => p.includes('.wh.'))).toBe(false);
    const rows = selectTreePane(comparison, createComparisonState({ cols: 120, rows: 30 })).lines.map(lineText).filter((l) => l.trim() !== '');
    expect(rows.find((r) => r.includes('── old'))).toMatch(/^- .*-40 B/);
  });
});

describe('what only one image has, said in a comparison', () => {
  const s = createComparisonState({ cols: 120, rows: 30 });

  it('w: a comparison has no whiteouts to show (it used to show "← whiteout in L1", a layer of no image)', () => {
    const after = run(comparison, s, 'tree.toggleWhiteouts');
    expect(after.tree.whiteouts).toBe(false);
    expect(after.message?.text).toMatch(/no whiteouts to show/);
    const text = selectTreePane(comparison, { ...after, tree: { ...after.tree, whiteouts: true } }).lines.map(lineText).join('\n');
    expect(text).not.toContain('whiteout in');
  });

  it('i: the history and config of both images, each under its name', () => {
    const lines = selectOverlayLines(comparison, run(comparison, s, 'app.info'), createKeymap(), 120).map(lineText);
    const oldAt = lines.findIndex((l) => l.startsWith('OLD img-2'));
    const newAt = lines.findIndex((l) => l.startsWith('NEW img-3'));
    expect(oldAt).toBe(0);
    expect(newAt).toBeGreaterThan(oldAt);
    expect(lines.slice(oldAt, newAt).join('\n')).toContain('old app');
    expect(lines.slice(newAt).join('\n')).toContain('rm old data');
    expect(lines.filter((l) => l.startsWith('History')).map((l) => l.trim())).toEqual(['History  2 steps, 2 layers', 'History  3 steps, 3 layers']);
  });

  it('y in the layers pane copies the aligned layer\'s digest; "all changes" has none', () => {
    const layers = { ...s, focus: 'layers' as const };
    expect(selectCopyTarget(comparison, layers)).toEqual({ error: 'select a layer to copy its digest' });
    const shared = reduce(comparison, layers, { type: 'layers.select', layer: 1 });
    expect(selectCopyTarget(comparison, shared)).toMatchObject({ text: neu.layers[0]!.diffId });
  });

  it('Ctrl+E, e, c and the layer compare keys say what a comparison has instead', () => {
    expect(run(comparison, s, 'tree.extract').extraction).toBeUndefined();
    expect(run(comparison, s, 'tree.extract').message?.text).toMatch(/not available in a comparison/);
    expect(run(comparison, s, 'app.findings').overlay).toBe('none');
    expect(run(comparison, s, 'layers.markBase').layers.mark).toBeNull();
  });
});
