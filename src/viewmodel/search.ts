import type { PathTree } from '../core/index.js';
import { sanitize } from '../format/index.js';
import { fitLine, seg, type Line } from './segments.js';
import type { AppState } from './state.js';
import { compileMatcher, type TreeIndex } from './tree-index.js';

/**
 * Search (`/`, `n`, `N`): which shown paths match, where the match sits in the window, and the
 * prompt in the status line (so opening search never moves the tree).
 */

const matchMemo = new WeakMap<TreeIndex, Map<string, Int32Array>>();

/** Positions (in display order) of the shown paths matching `text`, memoized per tree index. */
export function searchMatches(tree: PathTree, ti: TreeIndex, text: string): Int32Array {
  let m = matchMemo.get(ti);
  if (!m) matchMemo.set(ti, (m = new Map()));
  const hit = m.get(text);
  if (hit) return hit;
  const test = compileMatcher(text).test;
  const names = tree.absolutePaths();
  const out: number[] = [];
  for (let pos = 0; pos < ti.order.length; pos++) if (test(names[ti.order[pos]!]!)) out.push(pos);
  const arr = Int32Array.from(out);
  if (m.size > 8) m.clear();
  m.set(text, arr);
  return arr;
}

/** 1-based rank of a position among the matches (0: not a match). */
export function matchRank(matches: Int32Array, pos: number): number {
  let lo = 0;
  let hi = matches.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = matches[mid]!;
    if (v === pos) return mid + 1;
    if (v < pos) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Rows kept between a jumped-to row and the window's edge. */
export const SEARCH_CONTEXT = 3;

/**
 * The scroll that shows `row` with context: a row outside the window is centred; a row inside
 * it but closer than `SEARCH_CONTEXT` rows to an edge is moved that far in.
 */
export function scrollWithContext(scroll: number, row: number, height: number, count: number): number {
  const max = Math.max(0, count - height);
  if (row < 0) return Math.max(0, Math.min(scroll, max));
  const margin = Math.min(SEARCH_CONTEXT, Math.floor((height - 1) / 2));
  let s = scroll;
  if (row < s || row >= s + height) s = row - Math.floor(height / 2);
  else if (row < s + margin) s = row - margin;
  else if (row > s + height - 1 - margin) s = row - height + 1 + margin;
  return Math.max(0, Math.min(s, max));
}

/** The status-line text after a jump: `match 3/17`, and whether the search went round. */
export function matchMessage(rank: number, total: number, wrapped: 'top' | 'bottom' | undefined): string {
  return `match ${rank}/${total}${wrapped ? ` · search wrapped to the ${wrapped}` : ''}`;
}

/** The search prompt, in the status line while typing: text, caret, match count or error, keys. */
export function selectSearchPrompt(state: AppState, width: number): Line {
  const m = state.message;
  return fitLine(
    [
      seg(' Search: ', 'header'),
      seg(`${sanitize(state.search.text)}▏`),
      seg(m ? `  ${m.text}  ` : '  ', m?.tone === 'error' ? 'error' : 'dim'),
      seg(' Enter', 'key'),
      seg(' Keep '),
      seg(' Esc', 'key'),
      seg(' Cancel'),
    ],
    width,
  );
}
