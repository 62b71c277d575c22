import type { Analysis } from '../core/index.js';
import type { PathTree } from '../core/index.js';
import { Change, type Hidden } from '../core/index.js';
import { comparisonPackageFiles, imagePackageFiles } from './package-files.js';
import { isCollapsed, type Collapse, type HiddenKinds } from './state.js';
import type { ComparisonView, ImageView } from './view-data.js';

/** What decides which paths the tree shows, and in what order, in either kind of view. */
type QueryCommon = {
  readonly hidden: HiddenKinds;
  /** A path regular expression ('' for none); an invalid one matches as plain text. */
  readonly filter: string;
  readonly sort: 'name' | 'size';
  /** Only the files of this package (its identity, see package-files.ts); '' for all. */
  readonly package: string;
};

/** The tree of one image: the changes of the range (base, top] of its layers. */
export type ImageTreeQuery = QueryCommon & {
  readonly kind: 'image';
  readonly base: number;
  readonly top: number;
  readonly whiteouts: boolean;
};

/** The tree of a comparison: OLD → NEW, sorted by size change, optionally only the paths one layer of NEW wrote. */
export type ComparisonTreeQuery = QueryCommon & {
  readonly kind: 'comparison';
  /** Show only the paths this layer of NEW wrote (-1: all). */
  readonly only: number;
};

export type TreeQuery = ImageTreeQuery | ComparisonTreeQuery;

/** How a row relates to the compared range; `hidden` rows exist only with the whiteouts toggle. */
export type RowKind = 'added' | 'removed' | 'modified' | 'unmodified' | 'none' | 'hidden';

/**
 * The flattened tree for one query: every shown path in display (pre-)order with its subtree
 * extent, so collapsing skips a subtree in O(1) and "is this the last sibling" is one compare.
 * Built once per query (one sweep over the path table) and reused for every keystroke that
 * does not change the query: cursor moves, paging, collapsing.
 */
export type TreeIndex<Q extends TreeQuery = TreeQuery> = {
  readonly query: Q;
  /** Path ids in display order. */
  readonly order: Int32Array;
  /** Exclusive end of each position's subtree in `order`. */
  readonly end: Int32Array;
  /** Position of each position's parent, -1 for top-level rows. */
  readonly parentPos: Int32Array;
  /** Position of each path id, -1 when not shown. */
  readonly posOf: Int32Array;
  /** Change code per path id for the range (see core `Change`). */
  readonly change: Uint8Array;
  /** What whiteouts and opaque directories of the range hid (with the toggle on). */
  readonly hiddenBy?: ReadonlyMap<number, Hidden>;
  /** Set when the filter is not a valid regular expression (it then matches as text). */
  readonly filterError?: string;
};

/** A compiled filter or search: a regular expression, or plain text when the regex is invalid. */
export function compileMatcher(text: string): { test: (s: string) => boolean; error?: string } {
  if (text === '') return { test: () => true };
  try {
    const re = new RegExp(text, 'i');
    return { test: (s) => re.test(s) };
  } catch (e) {
    const lower = text.toLowerCase();
    return { test: (s) => s.toLowerCase().includes(lower), error: (e as Error).message };
  }
}

/** The kind a change code shows with. */
export function kindOfChange(c: number): RowKind {
  if (c === Change.added) return 'added';
  if (c === Change.removed) return 'removed';
  if (c === Change.modified) return 'modified';
  if (c === Change.unmodified) return 'unmodified';
  return 'none';
}

/** The kind a path of an image's tree shows with: its change, or `hidden` when a whiteout hid it there. */
export function imageRowKind(ti: TreeIndex<ImageTreeQuery>, a: Analysis, pathId: number): RowKind {
  const k = kindOfChange(ti.change[pathId]!);
  if (k === 'none' && ti.query.top >= 0 && a.tree.entryIdAt(ti.query.top, pathId) < 0) return 'hidden';
  return k;
}

/** The entry a row of an image's tree shows: at the top of the range, else as it was before it was removed or hidden. */
export function imageRowEntry(ti: TreeIndex<ImageTreeQuery>, a: Analysis, pathId: number) {
  const { tree } = a;
  const { base, top } = ti.query;
  let g = tree.entryIdAt(top, pathId);
  if (g < 0) g = tree.entryIdAt(base, pathId);
  if (g < 0) {
    const h = ti.hiddenBy?.get(pathId);
    if (h && h.layer > 0) g = tree.entryIdAt(h.layer - 1, pathId);
  }
  return g >= 0 ? tree.entry(g) : undefined;
}

/** Bytes under a row of an image's tree (a file: its size), measured where `imageRowEntry` looks. */
export function imageRowSize(ti: TreeIndex<ImageTreeQuery>, a: Analysis, pathId: number): number {
  const { base, top } = ti.query;
  const { tree } = a;
  if (tree.entryIdAt(top, pathId) >= 0) return tree.treeSizes(top)[pathId]!;
  if (tree.entryIdAt(base, pathId) >= 0) return tree.treeSizes(base)[pathId]!;
  const h = ti.hiddenBy?.get(pathId);
  if (h && h.layer > 0) return tree.treeSizes(h.layer - 1)[pathId]!;
  return 0;
}

// Each index holds ~2.4 MiB at 200k paths (four arrays of one slot per shown or interned path).
const CACHE_SIZE = 8;

/** A query as a string: equal for queries that ask for the same tree. */
export function treeQueryKey(q: TreeQuery): string {
  const h = q.hidden;
  const common = `${+h.added}${+h.removed}${+h.modified}${+h.unmodified}|${q.sort}|${JSON.stringify(q.package)}|${q.filter}`;
  switch (q.kind) {
    case 'image':
      return `${q.base}|${q.top}|${+q.whiteouts}|${common}`;
    case 'comparison':
      return `${q.only}|${common}`;
  }
}

/** The index for a query from a view's LRU cache, built on a miss. */
function cached<Q extends TreeQuery>(cache: Map<string, TreeIndex<Q>>, q: Q, build: () => TreeIndex<Q>): TreeIndex<Q> {
  const key = treeQueryKey(q);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const ti = build();
  cache.set(key, ti);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return ti;
}

/** The tree index of an image for a query, from the view's small LRU cache (built now on a miss). */
export function selectImageTreeIndex(d: ImageView, q: ImageTreeQuery): TreeIndex<ImageTreeQuery> {
  return cached(d.caches.tree, q, () => finish(imageIndexSteps(d, q)));
}

/** The tree index of an image for a query when it is built already, else undefined (nothing is built). */
export function peekImageTreeIndex(d: ImageView, q: ImageTreeQuery): TreeIndex<ImageTreeQuery> | undefined {
  return d.caches.tree.get(treeQueryKey(q));
}

/**
 * The tree index of an image for a query, built a slice at a time: `step(ms)` works for about
 * that long (one memo of a range, or some thousands of paths, at least) and returns true once
 * the index is in the view's cache, as `selectImageTreeIndex` would have put it there. Work
 * between steps is kept: the inspector draws what it has between slices and keys go on.
 */
export function buildImageTreeIndex(d: ImageView, q: ImageTreeQuery): { readonly query: ImageTreeQuery; step(ms: number): boolean } {
  const steps = imageIndexSteps(d, q);
  let done = peekImageTreeIndex(d, q) !== undefined;
  return {
    query: q,
    step(ms) {
      if (done) return true;
      const until = performance.now() + ms;
      for (;;) {
        const r = steps.next();
        if (r.done) {
          if (peekImageTreeIndex(d, q) === undefined) cached(d.caches.tree, q, () => r.value);
          return (done = true);
        }
        if (performance.now() >= until) return false;
      }
    },
  };
}

/** Runs a stepped build to its end. */
function finish<T>(g: Generator<void, T, void>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** An image's index for a query in steps: the range's memos (each a sweep of every path), then the index. */
function* imageIndexSteps(d: ImageView, q: ImageTreeQuery): Generator<void, TreeIndex<ImageTreeQuery>, void> {
  const { tree } = d.analysis;
  const change = q.top >= 0 ? tree.diffRange(q.base, q.top) : new Uint8Array(tree.pathCount);
  yield;
  const atTop = tree.entryIdsAt(q.top);
  yield;
  // The size column reads the bytes under each row at the top of the range (a size sort orders by them).
  const sizes = q.top >= 0 ? tree.treeSizes(q.top) : undefined;
  yield;
  const hiddenBy = q.whiteouts && q.top >= 0 ? tree.hiddenInRange(q.base, q.top) : undefined;
  if (hiddenBy) yield;
  return yield* buildTreeIndex(tree, q, {
    change,
    present: (p) => atTop[p]! >= 0 || change[p] === Change.removed,
    hiddenBy,
    only: q.package !== '' ? imagePackageFiles(d, q.package, q.base, q.top) : undefined,
    sizes: q.sort === 'size' ? sizes : undefined,
  });
}

/** The tree index of a comparison for a query, from the view's small LRU cache. */
export function selectComparisonTreeIndex(d: ComparisonView, q: ComparisonTreeQuery): TreeIndex<ComparisonTreeQuery> {
  return cached(d.caches.tree, q, () => comparisonIndex(d, q));
}

function comparisonIndex(d: ComparisonView, q: ComparisonTreeQuery): TreeIndex<ComparisonTreeQuery> {
  return finish(comparisonIndexSteps(d, q));
}

function* comparisonIndexSteps(d: ComparisonView, q: ComparisonTreeQuery): Generator<void, TreeIndex<ComparisonTreeQuery>, void> {
  const t = d.diff;
  const { change, newLayerOf } = t;
  const layer = q.only >= 0 ? (p: number) => newLayerOf[p] === q.only : undefined;
  const pkg = q.package !== '' ? comparisonPackageFiles(d, q.package) : undefined;
  return yield* buildTreeIndex(t, q, {
    change,
    present: (p) => t.newEntry(p) !== undefined || change[p] === Change.removed,
    only: layer && pkg ? (p) => layer(p) && pkg(p) : (layer ?? pkg),
    sizes: q.sort === 'size' ? t.deltaOf : undefined,
  });
}

/** What a kind of view gives the tree index for a query. */
type Basis = {
  /** Change code per path id. */
  readonly change: Uint8Array;
  /** Whether a path is in the tree at all: there at the top, or removed. */
  readonly present: (pathId: number) => boolean;
  /** Paths a whiteout hid, shown (as hidden) with the toggle on. */
  readonly hiddenBy?: ReadonlyMap<number, Hidden>;
  /** Narrows the tree to the paths this accepts (their directories stay). */
  readonly only?: (pathId: number) => boolean;
  /** What a size sort orders by, largest first. */
  readonly sizes?: Float64Array;
};

/** Paths swept between the points where a stepped build may pause. */
const SLICE = 8192;

function* buildTreeIndex<Q extends TreeQuery>(tree: PathTree, q: Q, basis: Basis): Generator<void, TreeIndex<Q>, void> {
  const N = tree.pathCount;
  const { change, hiddenBy, only, sizes, present } = basis;
  const matcher = compileMatcher(q.filter);
  const filtering = q.filter !== '';
  const { hidden } = q;
  const names = filtering ? tree.absolutePaths() : undefined;

  // Children before parents: ids are interned parent-first, so a reverse sweep suffices.
  const count = new Int32Array(N); // shown nodes in each subtree, self included
  for (let p = N - 1; p >= 1; p--) {
    if (p % SLICE === 0) yield;
    const c = change[p]!;
    let exists = present(p);
    let kindHidden: boolean;
    if (!exists && hiddenBy !== undefined && hiddenBy.has(p)) {
      exists = true;
      kindHidden = hidden.removed;
    } else if (c === Change.added) kindHidden = hidden.added;
    else if (c === Change.removed) kindHidden = hidden.removed;
    else if (c === Change.modified) kindHidden = hidden.modified;
    else kindHidden = hidden.unmodified;
    if (!exists) continue;
    const kids = count[p]!;
    if (only !== undefined && !only(p)) kindHidden = true;
    if (kids > 0 || (!kindHidden && (!filtering || matcher.test(names![p]!)))) {
      count[p] = kids + 1;
      count[tree.parentOf(p)]! += kids + 1;
    }
  }

  const total = count[0]!;
  const order = new Int32Array(total);
  const end = new Int32Array(total);
  const parentPos = new Int32Array(total);
  const posOf = new Int32Array(N).fill(-1);
  // Depth-first, children pushed last first, on a stack of path ids (at most every shown path).
  const stack = new Int32Array(Math.max(1, total));
  let top = 0;
  let scratch = new Int32Array(16); // a size sort's children, largest first
  const pushChildren = (p: number) => {
    const ch = tree.childrenOf(p);
    if (!sizes) {
      for (let i = ch.length - 1; i >= 0; i--) if (count[ch[i]!]! > 0) stack[top++] = ch[i]!;
      return;
    }
    let k = 0;
    if (scratch.length < ch.length) scratch = new Int32Array(ch.length);
    for (let i = 0; i < ch.length; i++) if (count[ch[i]!]! > 0) scratch[k++] = ch[i]!;
    if (k === 0) return;
    // Largest first, equal sizes in name order (insertion sort for the usual few, else a sort).
    const kids = scratch.subarray(0, k);
    if (k <= 16) {
      for (let i = 1; i < k; i++) {
        const x = kids[i]!;
        let j = i - 1;
        while (j >= 0 && sizes[kids[j]!]! < sizes[x]!) {
          kids[j + 1] = kids[j]!;
          j--;
        }
        kids[j + 1] = x;
      }
    } else {
      const sorted = Array.from(kids).sort((x, y) => sizes[y]! - sizes[x]!);
      kids.set(sorted);
    }
    for (let i = k - 1; i >= 0; i--) stack[top++] = kids[i]!;
  };
  pushChildren(0);
  let pos = 0;
  while (top > 0) {
    if (pos % SLICE === SLICE - 1) yield;
    const p = stack[--top]!;
    order[pos] = p;
    posOf[p] = pos;
    end[pos] = pos + count[p]!;
    const parent = tree.parentOf(p);
    parentPos[pos] = parent === 0 ? -1 : posOf[parent]!;
    pos++;
    if (count[p]! > 1) pushChildren(p);
  }
  return { query: q, order, end, parentPos, posOf, change, hiddenBy, filterError: matcher.error };
}

/**
 * The rows a collapse state leaves visible: positions into `order`. With nothing collapsed
 * this is the identity and costs nothing; otherwise one pass over the visible rows only,
 * skipping each collapsed subtree by its extent. Memoized per (index, collapse) pair.
 */
export type VisibleRows = {
  readonly count: number;
  /** Position in `order` of a visible row. */
  posAt(row: number): number;
  /** Row of a position, or -1 when it is inside a collapsed directory. */
  rowOf(pos: number): number;
};

const rowsMemo = new WeakMap<TreeIndex, { collapse: Collapse; rows: VisibleRows }>();

export function selectVisibleRows(ti: TreeIndex, collapse: Collapse): VisibleRows {
  const hit = rowsMemo.get(ti);
  if (hit && hit.collapse === collapse) return hit.rows;
  let rows: VisibleRows;
  const n = ti.order.length;
  if (!collapse.all && collapse.toggled.size === 0) {
    rows = { count: n, posAt: (r) => r, rowOf: (p) => (p >= 0 && p < n ? p : -1) };
  } else {
    const buf = new Int32Array(n);
    let k = 0;
    const { order, end } = ti;
    for (let i = 0; i < n; ) {
      buf[k++] = i;
      i = end[i]! > i + 1 && isCollapsed(collapse, order[i]!) ? end[i]! : i + 1;
    }
    const list = buf.subarray(0, k);
    rows = {
      count: k,
      posAt: (r) => list[r]!,
      rowOf: (p) => {
        let lo = 0;
        let hi = k - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const v = list[mid]!;
          if (v === p) return mid;
          if (v < p) lo = mid + 1;
          else hi = mid - 1;
        }
        return -1;
      },
    };
  }
  rowsMemo.set(ti, { collapse, rows });
  return rows;
}

/**
 * The visible row of a path: its own, or that of the nearest shown ancestor (the directory
 * that was collapsed over it), or -1 when neither is shown.
 */
export function rowOfPath(tree: PathTree, ti: TreeIndex, rows: VisibleRows, pathId: number): number {
  for (let p = pathId; p > 0; p = tree.parentOf(p)) {
    const pos = ti.posOf[p]!;
    if (pos < 0) continue;
    const r = rows.rowOf(pos);
    if (r >= 0) return r;
    // inside a collapsed directory: walk up to it
  }
  return -1;
}
