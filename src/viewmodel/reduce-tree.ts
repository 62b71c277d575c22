import type { PathTree } from '../core/index.js';
import type { CommandId } from './commands.js';
import { clampScroll, cursorTarget, scrollWindow, type CursorVerb } from './cursor.js';
import type { PaneReducer } from './pane.js';
import { startExtraction } from './reduce-extract.js';
import { jumpToLayer } from './reduce-layers.js';
import { openViewer } from './reduce-viewer.js';
import { matchMessage, scrollWithContext, searchMatches } from './search.js';
import { isCollapsed, selectRange, type AppState, type Collapse } from './state.js';
import { compileMatcher } from './tree-index.js';
import { selectCursorPath, selectTreeView, type TreeView } from './tree-view.js';
import { pathsOf, type ImageView, type ViewData } from './view-data.js';

/**
 * The file tree pane: the cursor (a path id, so it survives a layer change, a filter or a
 * sort), collapsing, the diff kinds it hides, its sort and columns, the filter and search, and
 * what opens from it (the viewer, an extraction, the file history).
 */

const NO_KINDS_HIDDEN = { added: false, removed: false, modified: false, unmodified: false } as const;

/** Puts the cursor on a visible row (clamped), scrolling the least that shows it. */
function moveTreeTo(s: AppState, v: TreeView, row: number): AppState {
  if (v.rows.count === 0) return s;
  const r = Math.max(0, Math.min(v.rows.count - 1, row));
  const pathId = v.ti.order[v.rows.posAt(r)]!;
  return { ...s, tree: { ...s.tree, cursorPath: pathId, scroll: clampScroll(v.scroll, r, v.height, v.rows.count) } };
}

function toggleCollapsed(c: Collapse, pathId: number): Collapse {
  const toggled = new Set(c.toggled);
  if (toggled.has(pathId)) toggled.delete(pathId);
  else toggled.add(pathId);
  return { all: c.all, toggled };
}

/** Expands every collapsed ancestor of a path so it becomes visible. */
export function reveal(tree: PathTree, c: Collapse, pathId: number): Collapse {
  let out = c;
  for (let p = tree.parentOf(pathId); p > 0; p = tree.parentOf(p)) {
    if (isCollapsed(out, p)) out = toggleCollapsed(out, p);
  }
  return out;
}

/** The cursor on a path id (a click on a row): the window stays where it is shown, so a click on a visible row does not scroll. */
export function selectTreePath(d: ViewData, s: AppState, pathId: number): AppState {
  return { ...s, tree: { ...s.tree, cursorPath: pathId, scroll: selectTreeView(d, s).scroll } };
}

/**
 * Shows a path of an image in the tree at a layer (its own changes, or the range from a base
 * marked below it), focusing the tree: ancestors expanded, hidden kinds shown, a filter that
 * would hide the path cleared, the row scrolled into view with context, and `note` in the
 * status line (with a word when a base mark had to go).
 */
export function showPathAt(d: ImageView, s: AppState, layer: number, pathId: number, note: string): AppState {
  const tree = d.analysis.tree;
  const jump = jumpToLayer(d, { ...s, focus: 'tree' }, layer);
  const at = jump.state;
  const keepFilter = s.filter.text === '' || compileMatcher(s.filter.text).test(`/${tree.pathOf(pathId)}`);
  const next: AppState = {
    ...at,
    filter: keepFilter ? s.filter : { text: '', editing: false },
    tree: { ...at.tree, cursorPath: pathId, collapse: reveal(tree, at.tree.collapse, pathId), hidden: NO_KINDS_HIDDEN },
    message: { text: jump.note ? `${note} (${jump.note})` : note, tone: 'info' },
  };
  const v = selectTreeView(d, next);
  return { ...next, tree: { ...next.tree, scroll: scrollWithContext(next.tree.scroll, v.cursorRow, v.height, v.rows.count) } };
}

/** Position (in display order) of the cursor's row, -1 in an empty tree. */
export function cursorPos(v: TreeView): number {
  return v.cursorRow < 0 ? -1 : v.rows.posAt(v.cursorRow);
}

/** Jumps to the next (or previous) shown path matching `text`, from position `fromPos`, with context around it and the match count in the status line. */
export function searchFrom(d: ViewData, s: AppState, text: string, fromPos: number, dir: 1 | -1, inclusive: boolean): AppState {
  if (text === '') return s;
  const v = selectTreeView(d, s);
  const { order } = v.ti;
  const n = order.length;
  if (n === 0) return s;
  const tree = pathsOf(d);
  const matches = searchMatches(tree, v.ti, text);
  if (matches.length === 0) return { ...s, message: { text: `no path matches ${text}`, tone: 'error' } };
  const start = fromPos < 0 ? (dir === 1 ? 0 : n - 1) : inclusive ? fromPos : fromPos + dir;
  // The first match at or after `start` in the direction of travel, else the first from the other end.
  let k = dir === 1 ? matches.findIndex((m) => m >= start) : matches.findLastIndex((m) => m <= start);
  let wrapped: 'top' | 'bottom' | undefined;
  if (k < 0) {
    k = dir === 1 ? 0 : matches.length - 1;
    wrapped = dir === 1 ? 'top' : 'bottom';
  }
  const p = order[matches[k]!]!;
  const collapse = reveal(tree, s.tree.collapse, p);
  const next: AppState = { ...s, focus: 'tree', tree: { ...s.tree, collapse, cursorPath: p }, message: { text: matchMessage(k + 1, matches.length, wrapped), tone: 'info' } };
  const nv = selectTreeView(d, next);
  return { ...next, tree: { ...next.tree, scroll: scrollWithContext(s.tree.scroll, nv.cursorRow, nv.height, nv.rows.count) } };
}

/** The layer whose filesystem the viewer shows a path from: the top of the image's range; a comparison has none (-1). */
function viewedLayer(d: ViewData, s: AppState): number {
  switch (d.kind) {
    case 'image':
      return selectRange(s).top;
    case 'comparison':
      return -1;
  }
}

/** `w`: what whiteouts hid, shown or not. A comparison shows removed paths as removed and has no whiteouts of its own. */
function toggleWhiteouts(d: ViewData, s: AppState): AppState {
  switch (d.kind) {
    case 'image':
      return { ...s, tree: { ...s.tree, whiteouts: !s.tree.whiteouts } };
    case 'comparison':
      return { ...s, message: { text: 'a comparison shows what NEW removed as removed paths: it has no whiteouts to show', tone: 'info' } };
  }
}

type TreeCommand = Extract<CommandId, `tree.${string}` | `search.${string}` | 'filter.open'>;

function isTreeCommand(id: CommandId): id is TreeCommand {
  return id.startsWith('tree.') || id.startsWith('search.') || id === 'filter.open';
}

function treeCommand(d: ViewData, s: AppState, id: TreeCommand): AppState {
  const tree = (patch: Partial<AppState['tree']>): AppState => ({ ...s, tree: { ...s.tree, ...patch } });
  const hide = (k: keyof AppState['tree']['hidden']) => tree({ hidden: { ...s.tree.hidden, [k]: !s.tree.hidden[k] } });
  switch (id) {
    case 'tree.toggleAdded':
      return hide('added');
    case 'tree.toggleRemoved':
      return hide('removed');
    case 'tree.toggleModified':
      return hide('modified');
    case 'tree.toggleUnmodified':
      return hide('unmodified');
    case 'tree.toggleAttributes':
      return tree({ attributes: !s.tree.attributes });
    case 'tree.toggleSort':
      return tree({ sort: s.tree.sort === 'name' ? 'size' : 'name' });
    case 'tree.toggleWhiteouts':
      return toggleWhiteouts(d, s);
    case 'tree.fileHistory':
      return { ...tree({ fileHistory: !s.tree.fileHistory }), focus: s.focus === 'history' ? 'tree' : s.focus };
    case 'tree.view':
      return openViewer(d, s, viewedLayer(d, s), selectCursorPath(d, s));
    case 'tree.extract':
      return startExtraction(d, s, { overwrite: false });
    case 'tree.collapseAll': {
      const v = selectTreeView(d, s);
      const paths = pathsOf(d);
      let top = v.cursorRow < 0 ? -1 : v.ti.order[v.rows.posAt(v.cursorRow)]!;
      const all = !s.tree.collapse.all;
      if (all) while (top > 0 && paths.parentOf(top) > 0) top = paths.parentOf(top);
      return tree({ collapse: { all, toggled: new Set() }, cursorPath: top });
    }
    case 'tree.collapse': {
      const v = selectTreeView(d, s);
      if (v.cursorRow < 0) return s;
      const pos = v.rows.posAt(v.cursorRow);
      if (v.ti.end[pos]! <= pos + 1) return s; // a file, or an empty directory
      return tree({ collapse: toggleCollapsed(s.tree.collapse, v.ti.order[pos]!) });
    }
    case 'tree.parent': {
      const v = selectTreeView(d, s);
      if (v.cursorRow < 0) return s;
      const pp = v.ti.parentPos[v.rows.posAt(v.cursorRow)]!;
      if (pp < 0) return s;
      return moveTreeTo(s, v, v.rows.rowOf(pp));
    }
    case 'tree.into': {
      const v = selectTreeView(d, s);
      if (v.cursorRow < 0) return s;
      const pos = v.rows.posAt(v.cursorRow);
      if (v.ti.end[pos]! <= pos + 1) return s;
      const p = v.ti.order[pos]!;
      const expanded = isCollapsed(s.tree.collapse, p) ? tree({ collapse: toggleCollapsed(s.tree.collapse, p) }) : s;
      const nv = selectTreeView(d, expanded);
      return moveTreeTo(expanded, nv, nv.cursorRow + 1);
    }
    case 'filter.open':
      return { ...s, filter: { ...s.filter, editing: true }, search: { ...s.search, editing: false } };
    case 'search.open': {
      const cur = selectTreeView(d, s);
      const origin = cur.cursorRow < 0 ? -1 : cur.ti.order[cur.rows.posAt(cur.cursorRow)]!;
      return { ...s, focus: 'tree', search: { text: '', editing: true, origin }, filter: { ...s.filter, editing: false } };
    }
    case 'search.next':
    case 'search.prev':
      return searchFrom(d, s, s.search.text, cursorPos(selectTreeView(d, s)), id === 'search.next' ? 1 : -1, false);
  }
}

/** A cursor verb: a row, or a page that moves the window with it (as a pager does), or either end. */
function treeCursor(d: ViewData, s: AppState, verb: CursorVerb): AppState {
  const v = selectTreeView(d, s);
  const r = Math.max(0, v.cursorRow);
  const to = cursorTarget(verb, r, v.rows.count, v.height);
  const max = Math.max(0, v.rows.count - v.height);
  if (verb === 'cursor.pageUp') {
    const scroll = Math.max(0, v.scroll - v.height);
    return moveTreeTo({ ...s, tree: { ...s.tree, scroll } }, { ...v, scroll }, to);
  }
  if (verb === 'cursor.pageDown') return moveTreeTo(s, { ...v, scroll: Math.min(max, v.scroll + v.height) }, to);
  return moveTreeTo(s, v, to);
}

export const treePane: PaneReducer = {
  command: (d, s, id) => (isTreeCommand(id) ? treeCommand(d, s, id) : undefined),
  cursor: treeCursor,
  wheel(d, s, delta) {
    const v = selectTreeView(d, s);
    if (v.rows.count === 0) return s;
    const w = scrollWindow({ cursor: v.cursorRow, scroll: v.scroll }, delta, v.rows.count, v.height);
    return { ...s, tree: { ...s.tree, scroll: w.scroll, cursorPath: v.ti.order[v.rows.posAt(w.cursor)]! } };
  },
  refit: (d, s) => ({ ...s, tree: { ...s.tree, scroll: selectTreeView(d, s).scroll } }),
};
