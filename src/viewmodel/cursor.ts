import type { CommandId } from './commands.js';

/**
 * The one way a cursor moves: every pane and list (layers, file tree, wasted files, file
 * history, findings, the scroll of an overlay) turns the six cursor verbs into a row here and
 * keeps its window around it with `clampScroll`.
 */

/** The six verbs that move a cursor: one row, one page, to either end. */
export type CursorVerb = Extract<CommandId, `cursor.${string}`>;

export function isCursorVerb(id: CommandId): id is CursorVerb {
  return id.startsWith('cursor.');
}

/** A list's cursor row and the first row its window shows. */
export type ListCursor = { readonly cursor: number; readonly scroll: number };

/**
 * The row a verb moves a cursor to in a list of `count` rows paged by `page`: one up or down, a
 * page up or down, the first or the last row; clamped to the list (0 in an empty one).
 */
export function cursorTarget(verb: CursorVerb, cursor: number, count: number, page: number): number {
  const to = verb === 'cursor.up' ? cursor - 1 : verb === 'cursor.down' ? cursor + 1 : verb === 'cursor.pageUp' ? cursor - page : verb === 'cursor.pageDown' ? cursor + page : verb === 'cursor.top' ? 0 : count - 1;
  return Math.max(0, Math.min(count - 1, to));
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

/** A list cursor put on row `to` (clamped), its window scrolled the least that shows it. */
export function placeCursor(at: ListCursor, to: number, count: number, height: number): ListCursor {
  const cursor = Math.max(0, Math.min(count - 1, to));
  return { cursor, scroll: clampScroll(at.scroll, cursor, height, count) };
}

/** A list cursor after a verb, the page being the window's height. */
export function moveCursor(at: ListCursor, verb: CursorVerb, count: number, height: number): ListCursor {
  return placeCursor(at, cursorTarget(verb, at.cursor, count, height), count, height);
}

/**
 * The window of a list moved by `delta` rows (the mouse wheel), the cursor staying where it is
 * unless it would leave the window: then it moves to the nearest row still shown.
 */
export function scrollWindow(at: ListCursor, delta: number, count: number, height: number): ListCursor {
  const scroll = Math.max(0, Math.min(at.scroll + delta, Math.max(0, count - height)));
  return { scroll, cursor: Math.max(scroll, Math.min(at.cursor, Math.min(count, scroll + height) - 1)) };
}
