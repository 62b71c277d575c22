import type { LayerEntry } from '../core/index.js';
import { clampScroll } from './cursor.js';
import { selectNarrowLayer } from './diff-view.js';
import { selectViewLayout } from './layout.js';
import { selectRange, type AppState } from './state.js';
import {
  imageRowEntry,
  imageRowKind,
  imageRowSize,
  kindOfChange,
  peekImageTreeIndex,
  rowOfPath,
  selectComparisonTreeIndex,
  selectImageTreeIndex,
  selectVisibleRows,
  type ComparisonTreeQuery,
  type ImageTreeQuery,
  type RowKind,
  type TreeIndex,
  type TreeQuery,
  type VisibleRows,
} from './tree-index.js';
import { pathsOf, type ComparisonView, type ImageView, type ViewData } from './view-data.js';

/** The window of the tree: visible rows, the cursor's row and the scroll. */
type TreeWindow = {
  readonly rows: VisibleRows;
  /** -1 when the tree is empty. */
  readonly cursorRow: number;
  readonly scroll: number;
  readonly height: number;
};

/** The tree of an image as the state sees it now. */
export type ImageTreeView = TreeWindow & { readonly kind: 'image'; readonly data: ImageView; readonly ti: TreeIndex<ImageTreeQuery> };
/** The tree of a comparison as the state sees it now. */
export type ComparisonTreeView = TreeWindow & { readonly kind: 'comparison'; readonly data: ComparisonView; readonly ti: TreeIndex<ComparisonTreeQuery> };
/** The tree as the state sees it now: its view, index, visible rows, the cursor's row and the scroll. */
export type TreeView = ImageTreeView | ComparisonTreeView;

/** The query the state asks of an image's tree: the selected range. */
export function selectTreeQuery(d: ImageView, state: AppState): ImageTreeQuery;
/** The query the state asks of a comparison's tree: the NEW layer the selected row narrows it to. */
export function selectTreeQuery(d: ComparisonView, state: AppState): ComparisonTreeQuery;
export function selectTreeQuery(d: ViewData, state: AppState): TreeQuery;
export function selectTreeQuery(d: ViewData, state: AppState): TreeQuery {
  const common = { hidden: state.tree.hidden, filter: state.filter.text, sort: state.tree.sort, package: state.tree.package?.key ?? '' };
  switch (d.kind) {
    case 'image': {
      const { base, top } = selectRange(state);
      return { kind: 'image', base, top, whiteouts: state.tree.whiteouts, ...common };
    }
    case 'comparison':
      return { kind: 'comparison', only: selectNarrowLayer(d, state), ...common };
  }
}

export function selectTreeView(d: ImageView, state: AppState): ImageTreeView;
export function selectTreeView(d: ComparisonView, state: AppState): ComparisonTreeView;
export function selectTreeView(d: ViewData, state: AppState): TreeView;
export function selectTreeView(d: ViewData, state: AppState): TreeView {
  switch (d.kind) {
    case 'image': {
      const ti = selectImageTreeIndex(d, selectTreeQuery(d, state));
      return { kind: 'image', data: d, ti, ...treeWindow(d, state, ti) };
    }
    case 'comparison': {
      const ti = selectComparisonTreeIndex(d, selectTreeQuery(d, state));
      return { kind: 'comparison', data: d, ti, ...treeWindow(d, state, ti) };
    }
  }
}

function treeWindow(d: ViewData, state: AppState, ti: TreeIndex): TreeWindow {
  const rows = selectVisibleRows(ti, state.tree.collapse);
  const height = selectViewLayout(d, state).treeHeight;
  let cursorRow = -1;
  if (rows.count > 0) {
    cursorRow = state.tree.cursorPath >= 0 ? rowOfPath(pathsOf(d), ti, rows, state.tree.cursorPath) : 0;
    if (cursorRow < 0) cursorRow = 0;
  }
  return { rows, cursorRow, scroll: clampScroll(state.tree.scroll, cursorRow, height, rows.count), height };
}

/** The path id under the cursor, or -1. */
export function selectCursorPath(d: ViewData, state: AppState): number {
  const v = selectTreeView(d, state);
  return v.cursorRow < 0 ? -1 : v.ti.order[v.rows.posAt(v.cursorRow)]!;
}

/** How a row of the tree looks: its kind, the entry it shows and its size figure (bytes under it; in a comparison, their change). */
export type RowLook = { readonly kind: RowKind; readonly entry: LayerEntry | undefined; readonly size: number };

export function rowLook(v: TreeView, pathId: number): RowLook {
  switch (v.kind) {
    case 'image': {
      const a = v.data.analysis;
      return { kind: imageRowKind(v.ti, a, pathId), entry: imageRowEntry(v.ti, a, pathId), size: imageRowSize(v.ti, a, pathId) };
    }
    case 'comparison': {
      const t = v.data.diff;
      return { kind: kindOfChange(v.ti.change[pathId]!), entry: t.entryOf(pathId), size: t.deltaOf[pathId]! };
    }
  }
}

/**
 * Images of up to this many paths build a tree on the spot: it takes a few milliseconds, less
 * than a frame, and a pending pane would only flicker.
 */
export const INLINE_TREE_PATHS = 20_000;

/**
 * Whether the tree pane can draw the tree the state asks for now, at the cost of the rows on
 * screen: it is built, or the image is small (`INLINE_TREE_PATHS`). A comparison's always can
 * (its one range is built when it opens); a large image's range, sort or filter seen for the
 * first time cannot until `selectTreeBuilds` has built it.
 */
export function selectTreeReady(d: ViewData, state: AppState): boolean {
  return d.kind !== 'image' || d.analysis.tree.pathCount <= INLINE_TREE_PATHS || peekImageTreeIndex(d, selectTreeQuery(d, state)) !== undefined;
}

/**
 * The tree indexes to build while idle, most needed first: the one the state shows, when it is
 * not built yet, then (with `neighbours`) the same view one layer up and one layer down, so
 * stepping through the layers finds them ready. Queries already built are left out.
 */
export function selectTreeBuilds(d: ViewData, state: AppState, neighbours = true): ImageTreeQuery[] {
  if (d.kind !== 'image') return [];
  const out: ImageTreeQuery[] = [];
  const want = (s: AppState) => {
    const q = selectTreeQuery(d, s);
    if (peekImageTreeIndex(d, q) === undefined) out.push(q);
  };
  want(state);
  if (!neighbours) return out;
  const { cursor } = state.layers;
  for (const next of [cursor + 1, cursor - 1]) {
    if (next >= 0 && next < d.analysis.layers.length) want({ ...state, layers: { ...state.layers, cursor: next } });
  }
  return out;
}

/**
 * Builds (into the view's tree-index cache) the indexes the next likely keystrokes need: the
 * same view one layer up and one layer down, at once. The inspector builds the same ones a
 * slice at a time while idle (`selectTreeBuilds`); this is the whole of it in one call.
 */
export function prefetchNeighbours(d: ViewData, state: AppState): void {
  switch (d.kind) {
    case 'image': {
      const { cursor } = state.layers;
      for (const next of [cursor + 1, cursor - 1]) {
        if (next < 0 || next >= d.analysis.layers.length) continue;
        const q = selectTreeQuery(d, { ...state, layers: { ...state.layers, cursor: next } });
        selectImageTreeIndex(d, q);
        // The size column reads the bytes under each row at the top of the range.
        if (q.top >= 0) d.analysis.tree.treeSizes(q.top);
      }
      return;
    }
    case 'comparison':
      return; // a comparison has one range
  }
}
