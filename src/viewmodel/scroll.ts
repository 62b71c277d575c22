import type { Analysis } from '../core/index.js';
import { diffOf, diffRows, layerRowCount } from './diff-view.js';
import { selectLayout } from './layout.js';
import type { AppState, Pane } from './state.js';
import { selectTreeView } from './tree-view.js';

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * Scrolls a pane's window by `delta` rows (the mouse wheel); the cursor stays where it is
 * unless it would leave the window, then it moves to the nearest row still shown.
 */
export function scrollPane(a: Analysis, s: AppState, pane: Pane, delta: number): AppState {
  if (pane === 'waste') return s; // the wasted-files list moves by keys only
  if (pane === 'tree') {
    const v = selectTreeView(a, s);
    if (v.rows.count === 0) return s;
    const scroll = clamp(v.scroll + delta, 0, Math.max(0, v.rows.count - v.height));
    const row = clamp(v.cursorRow, scroll, Math.min(v.rows.count, scroll + v.height) - 1);
    return { ...s, tree: { ...s.tree, scroll, cursorPath: v.ti.order[v.rows.posAt(row)]! } };
  }
  const h = Math.max(1, selectLayout(s, layerRowCount(a)).layersHeight);
  const d = diffOf(a);
  const window = (n: number, cursor: number, from: number) => {
    const scroll = clamp(from + delta, 0, Math.max(0, n - h));
    return { scroll, cursor: clamp(cursor, scroll, Math.min(n, scroll + h) - 1) };
  };
  if (d && s.diff) return { ...s, diff: window(diffRows(d).length, s.diff.cursor, s.diff.scroll) };
  const w = window(a.layers.length, s.layers.cursor, s.layers.scroll);
  return { ...s, layers: { ...s.layers, ...w } };
}
