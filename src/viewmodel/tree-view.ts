import type { Analysis } from '../core/index.js';
import { layerRowCount, selectNarrowLayer } from './diff-view.js';
import { selectLayout } from './layout.js';
import { selectRange, type AppState } from './state.js';
import { rowOfPath, selectTreeIndex, selectVisibleRows, type TreeIndex, type VisibleRows } from './tree-index.js';

/** The tree as the state sees it now: index, visible rows, the cursor's row and the scroll. */
export type TreeView = {
  readonly ti: TreeIndex;
  readonly rows: VisibleRows;
  /** -1 when the tree is empty. */
  readonly cursorRow: number;
  readonly scroll: number;
  readonly height: number;
};

export function selectTreeQuery(state: AppState, a?: Analysis) {
  const { base, top } = selectRange(state);
  return { base, top, hidden: state.tree.hidden, filter: state.filter.text, whiteouts: state.tree.whiteouts, sort: state.tree.sort, only: a ? selectNarrowLayer(a, state) : -1 };
}

/** Keeps the cursor inside the window: the smallest change to `scroll` that shows `row`. */
export function clampScroll(scroll: number, row: number, height: number, count: number): number {
  let s = scroll;
  if (row >= 0) {
    if (row < s) s = row;
    if (row >= s + height) s = row - height + 1;
  }
  return Math.max(0, Math.min(s, Math.max(0, count - height)));
}

export function selectTreeView(a: Analysis, state: AppState): TreeView {
  const ti = selectTreeIndex(a, selectTreeQuery(state, a));
  const rows = selectVisibleRows(ti, state.tree.collapse);
  const height = selectLayout(state, layerRowCount(a)).treeHeight;
  let cursorRow = -1;
  if (rows.count > 0) {
    cursorRow = state.tree.cursorPath >= 0 ? rowOfPath(a, ti, rows, state.tree.cursorPath) : 0;
    if (cursorRow < 0) cursorRow = 0;
  }
  return { ti, rows, cursorRow, scroll: clampScroll(state.tree.scroll, cursorRow, height, rows.count), height };
}

/** The path id under the cursor, or -1. */
export function selectCursorPath(a: Analysis, state: AppState): number {
  const v = selectTreeView(a, state);
  return v.cursorRow < 0 ? -1 : v.ti.order[v.rows.posAt(v.cursorRow)]!;
}

/**
 * Builds (into the tree-index cache) the indexes the next likely keystrokes need: the same
 * view one layer up and one layer down. Called when the inspector is idle, so stepping
 * through layers finds them ready instead of walking every path on the keystroke.
 */
export function prefetchNeighbours(a: Analysis, state: AppState): void {
  if (state.diff) return; // a comparison has one range
  const { cursor } = state.layers;
  for (const next of [cursor + 1, cursor - 1]) {
    if (next < 0 || next >= a.layers.length) continue;
    selectTreeIndex(a, selectTreeQuery({ ...state, layers: { ...state.layers, cursor: next } }, a));
  }
}
