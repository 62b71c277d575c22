import type { Analysis } from '../core/index.js';
import type { CommandId } from './commands.js';
import { diffOf, layerRowCount, moveDiffCursor } from './diff-view.js';
import { findingTarget, selectFindings } from './findings-view.js';
import { selectLayout } from './layout.js';
import { scrollPane } from './scroll.js';
import { isCollapsed, type AppState, type Collapse, type ExtractTarget, type Pane, type Viewport } from './state.js';
import { extractAllPrompt } from './extract-view.js';
import { compileMatcher } from './tree-index.js';
import { matchMessage, scrollWithContext, searchMatches } from './search.js';
import { reduceWaste, selectWasteTarget, wasteFocusable } from './waste-view.js';
import { clampScroll, selectTreeView, type TreeView } from './tree-view.js';
import { nextPane, reduceHistoryCommand, reduceViewer, type ViewerAction } from './viewer-state.js';

/** Everything that changes the state. Keys become these in `interpretKey`. */
export type Action =
  | { readonly type: 'command'; readonly id: CommandId }
  | { readonly type: 'resize'; readonly viewport: Viewport }
  | { readonly type: 'input.text'; readonly text: string }
  | { readonly type: 'input.backspace' }
  | { readonly type: 'input.submit' }
  | { readonly type: 'input.cancel' }
  | { readonly type: 'overlay.close' }
  | { readonly type: 'layers.select'; readonly layer: number }
  | { readonly type: 'tree.select'; readonly pathId: number }
  /** The mouse: focus a pane (a click on it), scroll a pane's window (the wheel). */
  | { readonly type: 'focus'; readonly pane: Pane }
  | { readonly type: 'scroll'; readonly pane: Pane; readonly delta: number }
  | { readonly type: 'prompt.overwrite'; readonly path: string; readonly existing: readonly string[]; readonly target?: ExtractTarget }
  | { readonly type: 'prompt.dismiss' }
  /** `n` (or Esc) at a prompt: nothing is extracted, and the status line says so. */
  | { readonly type: 'prompt.decline' }
  /** Esc in the tree with a kept filter: clear it. */
  | { readonly type: 'filter.clear' }
  /** An extraction started or advanced (the UI's effect reports it). */
  | { readonly type: 'extract.progress'; readonly progress: NonNullable<AppState['extraction']> }
  /** An extraction ended: its report, and what it skipped (for the `X` list). */
  | { readonly type: 'extract.end'; readonly text: string; readonly tone: 'info' | 'error'; readonly skipped?: AppState['lastSkipped'] }
  | { readonly type: 'message'; readonly text: string; readonly tone: 'info' | 'error' }
  /** Enter in the findings panel: go to the selected finding's layer and path. */
  | { readonly type: 'findings.select' }
  /** The file viewer, the file diff and the history panel (see viewer-state.ts). */
  | ViewerAction
  | { readonly type: 'history.close' };

/** Binds the reducer to one analysis, for `useReducer`. */
export function createReducer(a: Analysis): (s: AppState, action: Action) => AppState {
  return (s, action) => reduce(a, s, action);
}

/** The pure reducer: the same state and action always give the same state. */
export function reduce(a: Analysis, s: AppState, action: Action): AppState {
  switch (action.type) {
    case 'resize':
      return refit(a, { ...s, viewport: action.viewport });
    case 'message':
      return { ...s, message: { text: action.text, tone: action.tone } };
    case 'prompt.overwrite':
      return { ...s, prompt: { kind: 'overwrite', path: action.path, existing: action.existing, target: action.target }, message: undefined };
    case 'prompt.dismiss':
      return { ...s, prompt: undefined };
    case 'prompt.decline': {
      const p = s.prompt;
      if (p?.kind !== 'overwrite') return { ...s, prompt: undefined, message: { text: 'nothing extracted', tone: 'info' } };
      const n = p.existing.length;
      return { ...s, prompt: undefined, message: { text: `nothing extracted: ${n} existing ${n === 1 ? 'file' : 'files'} left as ${n === 1 ? 'it was' : 'they were'}`, tone: 'info' } };
    }
    case 'filter.clear':
      return { ...s, filter: { text: '', editing: false }, message: { text: 'filter cleared', tone: 'info' } };
    case 'extract.progress':
      // Starting clears the last message (a search count), so the line is the extraction's.
      return { ...s, extraction: action.progress, message: s.extraction ? s.message : undefined };
    case 'extract.end':
      return { ...s, extraction: undefined, message: action.text ? { text: action.text, tone: action.tone } : undefined, ...(action.skipped ? { lastSkipped: action.skipped } : {}) };
    case 'overlay.close':
      return { ...s, overlay: 'none', overlayScroll: 0 };
    case 'findings.select': {
      const f = selectFindings(a)[s.findingsCursor];
      if (!f) return { ...s, overlay: 'none' };
      const { layer, pathId } = findingTarget(a, f);
      const at = selectLayer(a, { ...s, overlay: 'none', overlayScroll: 0, focus: 'tree', layers: { ...s.layers, mode: 'layer', mark: null } }, layer);
      if (pathId < 0) return at;
      return { ...at, tree: { ...at.tree, cursorPath: pathId, collapse: reveal(a, at.tree.collapse, pathId), hidden: { added: false, removed: false, modified: false, unmodified: false } } };
    }
    case 'layers.select':
      // In a comparison the layer rows are the aligned layers.
      if (s.diff && diffOf(a)) return moveDiffCursor(a, s, action.layer, Math.max(1, selectLayout(s, layerRowCount(a)).layersHeight));
      return selectLayer(a, s, action.layer);
    case 'tree.select':
      // The window stays where it is shown, so a click on a visible row does not scroll.
      return { ...s, tree: { ...s.tree, cursorPath: action.pathId, scroll: selectTreeView(a, s).scroll } };
    case 'focus':
      return { ...s, focus: action.pane };
    case 'scroll':
      return scrollPane(a, s, action.pane, action.delta);
    case 'input.text':
    case 'input.backspace':
    case 'input.submit':
    case 'input.cancel':
      return reduceInput(a, s, action);
    case 'command':
      return reduceHistoryCommand(a, { ...s, message: undefined }, action.id) ?? reduceCommand(a, { ...s, message: undefined }, action.id);
    case 'history.close':
      return { ...s, focus: s.focus === 'history' ? 'tree' : s.focus, tree: { ...s.tree, fileHistory: false } };
    default:
      return reduceViewer(s, action);
  }
}

/**
 * After a resize: the scrolls re-clamped to the new heights, so the selected layer (or
 * comparison row) and the tree's cursor stay in view, and a list that grew uses its room.
 */
function refit(a: Analysis, s: AppState): AppState {
  const layout = selectLayout(s, layerRowCount(a));
  const v = selectTreeView(a, s);
  const out: AppState = { ...s, layers: { ...s.layers, scroll: clampScroll(s.layers.scroll, s.layers.cursor, layout.layersHeight, a.layers.length) }, tree: { ...s.tree, scroll: v.scroll } };
  return s.diff ? moveDiffCursor(a, out, s.diff.cursor, Math.max(1, layout.layersHeight)) : out;
}

function selectLayer(a: Analysis, s: AppState, layer: number): AppState {
  const n = a.layers.length;
  const cursor = Math.max(0, Math.min(n - 1, layer));
  const h = selectLayout(s, n).layersHeight;
  return { ...s, layers: { ...s.layers, cursor, scroll: clampScroll(s.layers.scroll, cursor, h, n) } };
}

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
function reveal(a: Analysis, c: Collapse, pathId: number): Collapse {
  let out = c;
  for (let p = a.tree.parentOf(pathId); p > 0; p = a.tree.parentOf(p)) {
    if (isCollapsed(out, p)) out = toggleCollapsed(out, p);
  }
  return out;
}

/**
 * Shows a path in the tree at a layer (its own changes), focusing the tree: ancestors
 * expanded, hidden kinds shown, a filter that would hide the path cleared, the row scrolled
 * into view with context.
 */
function jumpToPath(a: Analysis, s: AppState, layer: number, pathId: number, note: string): AppState {
  const at = selectLayer(a, { ...s, focus: 'tree', layers: { ...s.layers, mode: 'layer', mark: null } }, layer);
  const keepFilter = s.filter.text === '' || compileMatcher(s.filter.text).test(`/${a.tree.pathOf(pathId)}`);
  const next: AppState = {
    ...at,
    filter: keepFilter ? s.filter : { text: '', editing: false },
    tree: { ...at.tree, cursorPath: pathId, collapse: reveal(a, at.tree.collapse, pathId), hidden: { added: false, removed: false, modified: false, unmodified: false } },
    message: { text: note, tone: 'info' },
  };
  const v = selectTreeView(a, next);
  return { ...next, tree: { ...next.tree, scroll: scrollWithContext(next.tree.scroll, v.cursorRow, v.height, v.rows.count) } };
}

/** Jumps to the next (or previous) shown path matching `text`, from position `fromPos`, with context around it and the match count in the status line. */
function searchFrom(a: Analysis, s: AppState, text: string, fromPos: number, dir: 1 | -1, inclusive: boolean): AppState {
  if (text === '') return s;
  const v = selectTreeView(a, s);
  const { order } = v.ti;
  const n = order.length;
  if (n === 0) return s;
  const matches = searchMatches(a, v.ti, text);
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
  const collapse = reveal(a, s.tree.collapse, p);
  const next: AppState = { ...s, focus: 'tree', tree: { ...s.tree, collapse, cursorPath: p }, message: { text: matchMessage(k + 1, matches.length, wrapped), tone: 'info' } };
  const nv = selectTreeView(a, next);
  return { ...next, tree: { ...next.tree, scroll: scrollWithContext(s.tree.scroll, nv.cursorRow, nv.height, nv.rows.count) } };
}

function cursorPos(v: TreeView): number {
  return v.cursorRow < 0 ? -1 : v.rows.posAt(v.cursorRow);
}

function reduceInput(a: Analysis, s: AppState, action: Action): AppState {
  if (s.compare) {
    // The "compare with" prompt: Enter is run by the UI (it opens the comparison).
    switch (action.type) {
      case 'input.text':
        return { ...s, compare: { text: s.compare.text + action.text } };
      case 'input.backspace':
        return { ...s, compare: { text: [...s.compare.text].slice(0, -1).join('') } };
      default:
        return { ...s, compare: undefined };
    }
  }
  if (s.filter.editing) {
    switch (action.type) {
      case 'input.text':
        return { ...s, filter: { ...s.filter, text: s.filter.text + action.text } };
      case 'input.backspace':
        return { ...s, filter: { ...s.filter, text: [...s.filter.text].slice(0, -1).join('') } };
      case 'input.submit':
        return { ...s, filter: { ...s.filter, editing: false } };
      case 'input.cancel':
        return { ...s, filter: { text: '', editing: false } };
    }
  }
  if (s.search.editing) {
    const origin = s.search.origin;
    const fromOrigin = (text: string) => {
      const base: AppState = { ...s, search: { ...s.search, text }, tree: { ...s.tree, cursorPath: origin }, message: undefined };
      if (text === '') return base;
      const v = selectTreeView(a, base);
      return searchFrom(a, base, text, cursorPos(v), 1, true);
    };
    switch (action.type) {
      case 'input.text':
        return fromOrigin(s.search.text + action.text);
      case 'input.backspace':
        return fromOrigin([...s.search.text].slice(0, -1).join(''));
      case 'input.submit':
        return { ...s, search: { ...s.search, editing: false } };
      case 'input.cancel':
        return { ...s, search: { text: '', editing: false, origin: -1 }, tree: { ...s.tree, cursorPath: origin }, message: undefined };
    }
  }
  return s;
}

function reduceCommand(a: Analysis, s: AppState, id: CommandId): AppState {
  const L = a.layers.length;
  const layout = selectLayout(s, layerRowCount(a));
  if (s.overlay === 'findings') {
    // Two lines per finding; the cursor moves by finding and the page follows it.
    const n = selectFindings(a).length;
    const moveTo = (c: number) => {
      const cursor = Math.max(0, Math.min(n - 1, c));
      const page = Math.max(1, Math.floor((layout.rows - 3) / 2));
      const top = Math.floor(s.overlayScroll / 2);
      const scroll = cursor < top ? cursor : cursor >= top + page ? cursor - page + 1 : top;
      return { ...s, findingsCursor: cursor, overlayScroll: scroll * 2 };
    };
    switch (id) {
      case 'cursor.up':
        return moveTo(s.findingsCursor - 1);
      case 'cursor.down':
        return moveTo(s.findingsCursor + 1);
      case 'cursor.pageUp':
        return moveTo(s.findingsCursor - 10);
      case 'cursor.pageDown':
        return moveTo(s.findingsCursor + 10);
      case 'cursor.top':
        return moveTo(0);
      case 'cursor.bottom':
        return moveTo(n - 1);
      case 'app.findings':
        return { ...s, overlay: 'none', overlayScroll: 0 };
      default:
        return s;
    }
  }
  if (s.overlay !== 'none') {
    const page = Math.max(1, layout.rows - 3);
    const scroll = (d: number) => ({ ...s, overlayScroll: Math.max(0, s.overlayScroll + d) });
    switch (id) {
      case 'cursor.up':
        return scroll(-1);
      case 'cursor.down':
        return scroll(1);
      case 'cursor.pageUp':
        return scroll(-page);
      case 'cursor.pageDown':
        return scroll(page);
      case 'cursor.top':
        return { ...s, overlayScroll: 0 };
      case 'cursor.bottom':
        return { ...s, overlayScroll: Number.MAX_SAFE_INTEGER };
      case 'app.help':
        return { ...s, overlay: s.overlay === 'help' ? 'none' : 'help', overlayScroll: 0 };
      case 'app.info':
        return { ...s, overlay: s.overlay === 'info' ? 'none' : 'info', overlayScroll: 0 };
      case 'extract.skipped':
        return { ...s, overlay: s.overlay === 'skipped' ? 'none' : 'skipped', overlayScroll: 0 };
      default:
        return s;
    }
  }
  const tree = (patch: Partial<AppState['tree']>): AppState => ({ ...s, tree: { ...s.tree, ...patch } });
  const hide = (k: keyof AppState['tree']['hidden']) => tree({ hidden: { ...s.tree.hidden, [k]: !s.tree.hidden[k] } });
  switch (id) {
    case 'app.quit':
    case 'app.copy':
    case 'tree.extract':
      return s; // effects, run by the UI
    case 'app.help':
      return { ...s, overlay: 'help', overlayScroll: 0 };
    case 'app.info':
      return { ...s, overlay: 'info', overlayScroll: 0 };
    case 'app.findings':
      if (s.diff) return { ...s, message: { text: 'findings are per image: open one image to see them', tone: 'info' } };
      return { ...s, overlay: 'findings', overlayScroll: 0, findingsCursor: 0 };
    case 'app.compare':
      if (s.diff) return { ...s, message: { text: 'this is a comparison already; run inspect-tui diff OLD NEW for another', tone: 'info' } };
      return { ...s, compare: { text: '' }, filter: { ...s.filter, editing: false }, search: { ...s.search, editing: false } };
    case 'app.switchPane':
      return { ...s, focus: nextPane(s) };
    case 'waste.focus':
      // The wasted-files list of the image details pane, when the image has one and it is on screen; again: back to the tree.
      if (s.focus === 'waste') return { ...s, focus: 'tree' };
      if (!wasteFocusable(a, s)) return { ...s, message: { text: diffOf(a) ? 'a comparison has no wasted-files list' : a.inefficientFiles.length === 0 ? 'no wasted files: nothing was written twice' : 'the window is too small to show the wasted-files list', tone: 'info' } };
      return { ...s, focus: 'waste' };
    case 'layers.extract':
      return s.diff ? { ...s, message: { text: 'a comparison has no single filesystem to extract', tone: 'info' } } : extractAllPrompt(a, s);
    case 'extract.skipped':
      return s.lastSkipped?.length ? { ...s, overlay: 'skipped', overlayScroll: 0 } : { ...s, message: { text: 'the last extraction skipped nothing', tone: 'info' } };
    case 'waste.jump': {
      const t = selectWasteTarget(a, s);
      return t ? jumpToPath(a, s, t.layer, t.pathId, `${t.path}: L${t.layer} is the last layer that wrote it`) : s;
    }
    case 'filter.open':
      return { ...s, filter: { ...s.filter, editing: true }, search: { ...s.search, editing: false } };
    case 'search.open': {
      const cur = selectTreeView(a, s);
      const origin = cur.cursorRow < 0 ? -1 : cur.ti.order[cur.rows.posAt(cur.cursorRow)]!;
      return { ...s, focus: 'tree', search: { text: '', editing: true, origin }, filter: { ...s.filter, editing: false } };
    }
    case 'search.next':
    case 'search.prev': {
      const v = selectTreeView(a, s);
      return searchFrom(a, s, s.search.text, cursorPos(v), id === 'search.next' ? 1 : -1, false);
    }
    case 'layers.compareLayer':
    case 'layers.compareAggregated':
    case 'layers.markBase':
      // A comparison always shows OLD → NEW; its rows narrow the tree instead.
      if (s.diff) return { ...s, message: { text: 'in a comparison, select a NEW layer to see only the paths it wrote', tone: 'info' } };
      break;
  }
  switch (id) {
    case 'layers.compareLayer':
      return { ...s, layers: { ...s.layers, mode: 'layer', mark: null } };
    case 'layers.compareAggregated':
      return { ...s, layers: { ...s.layers, mode: 'aggregated', mark: null } };
    case 'layers.markBase':
      return { ...s, layers: { ...s.layers, mark: s.layers.mark === s.layers.cursor ? null : s.layers.cursor } };
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
      return tree({ whiteouts: !s.tree.whiteouts });
    case 'tree.fileHistory':
      return { ...tree({ fileHistory: !s.tree.fileHistory }), focus: s.focus === 'history' ? 'tree' : s.focus };
    case 'tree.collapseAll': {
      const v = selectTreeView(a, s);
      const cur = v.cursorRow < 0 ? -1 : v.ti.order[v.rows.posAt(v.cursorRow)]!;
      let top = cur;
      const all = !s.tree.collapse.all;
      if (all) while (top > 0 && a.tree.parentOf(top) > 0) top = a.tree.parentOf(top);
      return tree({ collapse: { all, toggled: new Set() }, cursorPath: top });
    }
    case 'tree.collapse': {
      const v = selectTreeView(a, s);
      if (v.cursorRow < 0) return s;
      const pos = v.rows.posAt(v.cursorRow);
      if (v.ti.end[pos]! <= pos + 1) return s; // a file, or an empty directory
      return tree({ collapse: toggleCollapsed(s.tree.collapse, v.ti.order[pos]!) });
    }
    case 'tree.parent': {
      const v = selectTreeView(a, s);
      if (v.cursorRow < 0) return s;
      const pp = v.ti.parentPos[v.rows.posAt(v.cursorRow)]!;
      if (pp < 0) return s;
      return moveTreeTo(s, v, v.rows.rowOf(pp));
    }
    case 'tree.into': {
      const v = selectTreeView(a, s);
      if (v.cursorRow < 0) return s;
      const pos = v.rows.posAt(v.cursorRow);
      if (v.ti.end[pos]! <= pos + 1) return s;
      const p = v.ti.order[pos]!;
      const expanded = isCollapsed(s.tree.collapse, p) ? tree({ collapse: toggleCollapsed(s.tree.collapse, p) }) : s;
      const nv = selectTreeView(a, expanded);
      return moveTreeTo(expanded, nv, nv.cursorRow + 1);
    }
  }
  // cursor movement in the focused pane
  if (s.focus === 'waste') return reduceWaste(a, s, id);
  if (s.focus === 'layers' && s.diff) {
    const h = Math.max(1, layout.layersHeight);
    const c = s.diff.cursor;
    const to: Partial<Record<CommandId, number>> = {
      'cursor.up': c - 1,
      'cursor.down': c + 1,
      'cursor.pageUp': c - h,
      'cursor.pageDown': c + h,
      'cursor.top': 0,
      'cursor.bottom': Number.MAX_SAFE_INTEGER,
    };
    const target = to[id];
    return target === undefined ? s : moveDiffCursor(a, s, target, h);
  }
  if (s.focus === 'layers') {
    const page = Math.max(1, layout.layersHeight);
    const c = s.layers.cursor;
    switch (id) {
      case 'cursor.up':
        return selectLayer(a, s, c - 1);
      case 'cursor.down':
        return selectLayer(a, s, c + 1);
      case 'cursor.pageUp':
        return selectLayer(a, s, c - page);
      case 'cursor.pageDown':
        return selectLayer(a, s, c + page);
      case 'cursor.top':
        return selectLayer(a, s, 0);
      case 'cursor.bottom':
        return selectLayer(a, s, L - 1);
    }
    return s;
  }
  const v = selectTreeView(a, s);
  const r = Math.max(0, v.cursorRow);
  switch (id) {
    case 'cursor.up':
      return moveTreeTo(s, v, r - 1);
    case 'cursor.down':
      return moveTreeTo(s, v, r + 1);
    case 'cursor.pageUp':
      return moveTreeTo({ ...s, tree: { ...s.tree, scroll: Math.max(0, v.scroll - v.height) } }, { ...v, scroll: Math.max(0, v.scroll - v.height) }, r - v.height);
    case 'cursor.pageDown':
      return moveTreeTo({ ...s }, { ...v, scroll: Math.min(Math.max(0, v.rows.count - v.height), v.scroll + v.height) }, r + v.height);
    case 'cursor.top':
      return moveTreeTo(s, v, 0);
    case 'cursor.bottom':
      return moveTreeTo(s, v, v.rows.count - 1);
  }
  return s;
}
