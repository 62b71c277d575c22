import { describe, expect, it } from 'vitest';
import { buildAnalysis, dir, file, whiteout } from '../helpers/build-analysis.js';
import { selectPendingTreePane, selectTreePane, TREE_PENDING } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { buildImageTreeIndex, peekImageTreeIndex, selectImageTreeIndex, type ImageTreeQuery } from '../../src/viewmodel/tree-index.js';
import { INLINE_TREE_PATHS, selectTreeBuilds, selectTreeQuery, selectTreeReady } from '../../src/viewmodel/tree-view.js';
import { imageView } from '../../src/viewmodel/view-data.js';
import { reduce } from '../../src/viewmodel/reducer.js';

/** An image of more paths than are built on the spot: 3 layers over 30 directories. */
function largeImage() {
  const base = [];
  for (let d = 0; d < 30; d++) {
    base.push(dir(`d${d}`));
    for (let f = 0; f < 800; f++) base.push(file(`d${d}/f${f}`, 1 + ((d * 7 + f * 13) % 97)));
  }
  const second = [file('d3/new', 5000), whiteout('d4/f1'), file('d5/f2', 1)];
  const third = [file('d7/big', 90000), dir('zz'), file('zz/last', 3)];
  return buildAnalysis([{ entries: base }, { entries: second }, { entries: third }]);
}

const a = largeImage();

/** Runs a build a slice at a time to its end. */
function complete(build: { step(ms: number): boolean }): void {
  while (!build.step(2));
}
const s0: AppState = { ...createInitialState({ cols: 160, rows: 45 }), focus: 'tree' };
const at = (s: AppState, cursor: number): AppState => ({ ...s, layers: { ...s.layers, cursor } });

describe('a tree index built in slices', () => {
  it('is the index built at once, for a range, a size sort, a filter and hidden kinds', () => {
    expect(a.tree.pathCount).toBeGreaterThan(INLINE_TREE_PATHS);
    const queries: ImageTreeQuery[] = [
      selectTreeQuery(imageView(a), at(s0, 1)),
      selectTreeQuery(imageView(a), { ...at(s0, 2), tree: { ...s0.tree, sort: 'size' } }),
      selectTreeQuery(imageView(a), { ...at(s0, 1), filter: { text: 'f1', editing: true } }),
      selectTreeQuery(imageView(a), { ...at(s0, 1), tree: { ...s0.tree, whiteouts: true, hidden: { added: false, removed: false, modified: false, unmodified: true } } }),
    ];
    for (const q of queries) {
      const whole = selectImageTreeIndex(imageView(a), q);
      const v = imageView(a);
      const build = buildImageTreeIndex(v, q);
      let steps = 0;
      while (!build.step(0)) steps++;
      // Each slice is a part of the work: the range's memos, then some thousands of paths.
      expect(steps).toBeGreaterThan(4);
      const sliced = peekImageTreeIndex(v, q)!;
      expect(Array.from(sliced.order)).toEqual(Array.from(whole.order));
      expect(Array.from(sliced.end)).toEqual(Array.from(whole.end));
      expect(Array.from(sliced.parentPos)).toEqual(Array.from(whole.parentPos));
      expect(Array.from(sliced.posOf)).toEqual(Array.from(whole.posOf));
    }
  });
});

describe('a layer change, a sort or a filter keystroke on a large image', () => {
  it('draws at once without building the tree, and shows it once built', () => {
    const v = imageView(a);
    let s = s0;
    // The first screen's tree, built as the App would between frames.
    for (const q of selectTreeBuilds(v, s)) complete(buildImageTreeIndex(v, q));
    expect(selectTreeReady(v, s)).toBe(true);

    for (const next of [
      (x: AppState) => reduce(v, { ...x, focus: 'layers' }, { type: 'command', id: 'cursor.bottom' }),
      (x: AppState) => reduce(v, x, { type: 'command', id: 'tree.toggleSort' }),
      (x: AppState) => reduce(v, reduce(v, x, { type: 'command', id: 'filter.open' }), { type: 'input.text', text: 'f7' }),
    ]) {
      const builtBefore = v.caches.tree.size;
      s = next(s);
      // The reducer and the frame's selectors leave the new tree unbuilt: the pane says so.
      expect(selectTreeReady(v, s)).toBe(false);
      const pending = selectPendingTreePane(v, s);
      expect(v.caches.tree.size).toBe(builtBefore);
      expect(pending.lines.map(lineText).join('\n')).toContain(TREE_PENDING);
      expect(lineText(pending.title)).toContain('…');
      if (s.filter.editing) expect(lineText(pending.input!)).toContain('f7');
      // Built between frames (the shown tree first), then drawn.
      const [shown] = selectTreeBuilds(v, s);
      expect(shown).toEqual(selectTreeQuery(v, s));
      complete(buildImageTreeIndex(v, shown!));
      expect(selectTreeReady(v, s)).toBe(true);
      const pane = selectTreePane(v, s);
      expect(pane.lines.map(lineText).join('\n')).not.toContain(TREE_PENDING);
      expect(lineText(pane.title)).toMatch(/\d+\/\d+/);
      // Only the shown tree was built; the neighbouring layers' come after it.
      expect(v.caches.tree.size).toBe(builtBefore + 1);
    }
  });

  it('lists the neighbouring layers after the shown tree, and nothing built twice', () => {
    const v = imageView(a);
    const s = at(s0, 1);
    const builds = selectTreeBuilds(v, s);
    expect(builds.map((q) => q.top)).toEqual([1, 2, 0]);
    complete(buildImageTreeIndex(v, builds[0]!));
    expect(selectTreeBuilds(v, s).map((q) => q.top)).toEqual([2, 0]);
  });

  it('a small image draws its tree on the spot', () => {
    const small = buildAnalysis([{ entries: [dir('a'), file('a/x')] }, { entries: [file('a/y')] }]);
    const v = imageView(small);
    expect(selectTreeReady(v, at(s0, 1))).toBe(true);
    expect(selectTreePane(v, at(s0, 1)).lines.map(lineText).join('\n')).toContain('y');
  });
});
