import type { Analysis } from '../core/index.js';
import { formatBytes } from '../format/bytes.js';
import { sanitize } from '../format/text.js';
import type { CommandId } from './commands.js';
import { diffOf } from './diff-view.js';
import { buildFileDiffRows, type DiffSide } from './file-diff.js';
import { selectHistoryCursor, selectHistoryMark, selectHistoryRows } from './file-history.js';
import type { Segment } from './segments.js';
import { selectRange, type AppState } from './state.js';
import { selectCursorPath } from './tree-view.js';
import { indexTextWindow, languageFor, looksBinary, type LoadedWindow, type TextWindow } from './viewer-text.js';

/** Bytes of a file the viewer holds at once; further windows are read as it scrolls. */
export const WINDOW_BYTES = 128 * 1024;

/** A window the viewer waits for: `length` bytes from `offset`; `end` puts the last line at the bottom once it arrives. */
export type WindowRequest = {
  readonly offset: number;
  readonly length: number;
  /** Where the scroll goes once it arrives: kept, at the end, or at the line holding byte `at` (a search match). */
  readonly anchor: 'keep' | 'end' | 'match';
  readonly at?: number;
};

/** A search beyond the loaded window, run by the reader over the whole body. */
export type FindPending = { readonly from: number; readonly backward: boolean; readonly wrapped: boolean };

/** Search inside a document (the loaded window of the viewer, or the diff). */
export type DocSearch = {
  readonly text: string;
  readonly editing: boolean;
  /** The matching line the cursor is on (absolute), -1 before the first jump. */
  readonly hit: number;
  /** Match count and wrap notice, shown in the status line. */
  readonly notice?: string;
  /** The viewer waits for the reader to find the next match in the whole file. */
  readonly find?: FindPending;
};

export type ViewerState = {
  readonly pathId: number;
  /** The layer whose merged filesystem the file is shown from. */
  readonly layer: number;
  /** `/`-prefixed path, sanitized. */
  readonly path: string;
  readonly size: number;
  /** What is shown: a body as text or hex, or a message (a link's target, a directory, an error). */
  readonly show: 'loading' | 'text' | 'binary' | 'message';
  readonly message?: string;
  readonly language?: string;
  readonly text?: TextWindow;
  readonly binary?: { readonly offset: number; readonly bytes: Uint8Array };
  readonly pending?: WindowRequest;
  /** First line (text) or 16-byte row (binary) shown. */
  readonly scroll: number;
  readonly search: DocSearch;
};

export type FileDiffState = {
  readonly pathId: number;
  readonly path: string;
  /** Layer of each version; -1: the path did not exist (empty side). */
  readonly oldLayer: number;
  readonly newLayer: number;
  /** Waiting for the bodies (the UI reads them and sends `fileDiff.loaded`). */
  readonly pending: boolean;
  readonly rows: readonly (readonly Segment[])[];
  readonly scroll: number;
  readonly search: DocSearch;
};

/** The history panel's cursor row and marked row, for one path. */
export type HistoryCursor = { readonly pathId: number; readonly cursor: number; readonly mark: number | null };

export type ScrollTo = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

export type ViewerAction =
  | { readonly type: 'viewer.window'; readonly pathId: number; readonly layer: number; readonly window: LoadedWindow }
  | { readonly type: 'viewer.error'; readonly text: string }
  /** Where the reader found the searched text (-1: nowhere in that direction), or why it could not look. */
  | { readonly type: 'viewer.found'; readonly offset: number; readonly error?: string }
  | { readonly type: 'fileDiff.loaded'; readonly old: DiffSide; readonly new: DiffSide; readonly sameContent?: boolean }
  | { readonly type: 'fileDiff.error'; readonly text: string }
  | { readonly type: 'doc.scroll'; readonly to: ScrollTo }
  | { readonly type: 'doc.close' }
  | { readonly type: 'doc.search'; readonly op: 'open' | 'text' | 'backspace' | 'submit' | 'cancel' | 'next' | 'prev'; readonly text?: string };

const NO_SEARCH: DocSearch = { text: '', editing: false, hit: -1 };

/** Rows of document body on screen: the viewport less a title and a status line. */
export function docHeight(s: AppState): number {
  return Math.max(1, s.viewport.rows - 2);
}

/** Opens the viewer on a path as the merged filesystem after `layer` has it. */
export function openViewer(a: Analysis, s: AppState, layer: number, pathId: number): AppState {
  if (pathId < 0) return { ...s, message: { text: 'nothing selected to view', tone: 'error' } };
  const path = sanitize(`/${a.tree.pathOf(pathId)}`);
  const base = { pathId, layer, path, size: 0, scroll: 0, search: NO_SEARCH };
  const msg = (message: string): AppState => ({ ...s, viewer: { ...base, show: 'message', message } });
  if (diffOf(a)) return msg('viewing contents is not available in a comparison of two images: open one image to view its files');
  const e = a.tree.entryAt(layer, pathId);
  if (!e) return msg(`${path} is not in the filesystem at L${layer}`);
  switch (e.type) {
    case 'file':
      return { ...s, viewer: { ...base, size: e.size, show: 'loading', language: languageFor(e.path), pending: { offset: 0, length: WINDOW_BYTES, anchor: 'keep' } } };
    case 'dir':
      return msg(`${path} is a directory: the file tree shows what is in it`);
    case 'symlink':
      return msg(`symbolic link → ${sanitize(e.linkTarget ?? '')}`);
    case 'hardlink':
      return msg(`hard link to /${sanitize(e.linkTarget ?? '')} (the same file: view that path)`);
    default:
      return msg(`${path} is a ${e.type}: it has no contents to show`);
  }
}

/** Whole rows of a hex dump. */
function hexRows(size: number): number {
  return Math.ceil(size / 16);
}

function lastLoadedLine(t: TextWindow): number {
  return t.firstLine + t.lines.length - 1;
}

/** The window to ask for so that the text lines `[target, target + h)` are loaded, if they are not. */
function textRequest(t: TextWindow, target: number, h: number): WindowRequest | undefined {
  const last = lastLoadedLine(t);
  if (target < t.firstLine && t.offset > 0) {
    const start = t.lines[0]?.start ?? t.offset;
    return { offset: Math.max(0, start - Math.floor(WINDOW_BYTES / 2)), length: WINDOW_BYTES, anchor: 'keep' };
  }
  if (target + h - 1 > last && !t.eof) {
    // The next window starts at the line wanted (or the last loaded one): one byte before it, its newline.
    const at = Math.max(t.firstLine, Math.min(target, last));
    const start = t.lines[at - t.firstLine]?.start ?? t.offset;
    return { offset: Math.max(0, start - 1), length: WINDOW_BYTES, anchor: 'keep' };
  }
  return undefined;
}

/** The request already pending when it asks for the same window (a read in flight is not restarted), else the new one. */
function keepSame(old: WindowRequest | undefined, next: WindowRequest | undefined): WindowRequest | undefined {
  if (!next) return old;
  return old && old.offset === next.offset && old.anchor === next.anchor ? old : next;
}

/** Scrolls the viewer; asks for another window when the lines needed are not loaded. */
function scrollViewer(s: AppState, v: ViewerState, to: ScrollTo): AppState {
  const h = docHeight(s);
  const want = (target: number): number => (to === 'up' ? v.scroll - 1 : to === 'down' ? v.scroll + 1 : to === 'pageUp' ? v.scroll - h : to === 'pageDown' ? v.scroll + h : target);
  if (v.show === 'binary') {
    const total = hexRows(v.size);
    const scroll = Math.max(0, Math.min(want(to === 'top' ? 0 : total - h), Math.max(0, total - h)));
    const b = v.binary!;
    const first = b.offset / 16;
    const last = first + Math.ceil(b.bytes.length / 16);
    const need = scroll < first || (scroll + h > last && last < total);
    const offset = Math.max(0, scroll * 16 - Math.floor(WINDOW_BYTES / 4 / 16) * 16);
    return { ...s, viewer: { ...v, scroll, pending: keepSame(v.pending, need ? { offset, length: WINDOW_BYTES, anchor: 'keep' } : undefined) } };
  }
  if (v.show !== 'text' || !v.text) return s;
  const t = v.text;
  if (to === 'bottom') {
    if (t.eof) return { ...s, viewer: { ...v, scroll: Math.max(0, lastLoadedLine(t) - h + 1) } };
    return { ...s, viewer: { ...v, pending: { offset: Math.max(0, v.size - WINDOW_BYTES), length: WINDOW_BYTES, anchor: 'end' } } };
  }
  if (to === 'top') {
    if (t.offset === 0) return { ...s, viewer: { ...v, scroll: 0 } };
    return { ...s, viewer: { ...v, scroll: 0, pending: { offset: 0, length: WINDOW_BYTES, anchor: 'keep' } } };
  }
  const max = t.eof ? Math.max(0, lastLoadedLine(t) - h + 1) : Number.MAX_SAFE_INTEGER;
  const target = Math.max(0, Math.min(want(0), max));
  return { ...s, viewer: { ...v, scroll: target, pending: keepSame(v.pending, textRequest(t, target, h)) } };
}

/** A window arrived: index it and put the scroll where it was asked. */
function receiveWindow(s: AppState, v: ViewerState, w: LoadedWindow): AppState {
  const h = docHeight(s);
  const req = v.pending;
  if (!req || req.offset !== w.offset) return s; // a stale answer
  if (v.show === 'loading') {
    const complete = w.offset + w.bytes.length >= w.size;
    if (looksBinary(w.bytes, complete)) return { ...s, viewer: { ...v, show: 'binary', binary: { offset: w.offset, bytes: w.bytes }, pending: undefined, scroll: 0 } };
  }
  if (v.show === 'binary') return { ...s, viewer: { ...v, binary: { offset: w.offset, bytes: w.bytes }, pending: undefined } };
  const t = indexTextWindow(w, v.language);
  const last = lastLoadedLine(t);
  let search = v.search;
  let target = v.scroll;
  if (req.anchor === 'match' && req.at !== undefined) {
    // The line holding the match: the last one starting at or before it.
    let i = 0;
    while (i + 1 < t.lines.length && t.lines[i + 1]!.start <= req.at) i++;
    const hit = t.firstLine + i;
    target = Math.max(0, hit - Math.floor(h / 3));
    search = { ...search, hit, notice: `match at line ${hit + 1}${search.notice ?? ''}` };
  }
  let scroll = req.anchor === 'end' ? Math.max(t.firstLine, last - h + 1) : Math.max(t.firstLine, Math.min(target, last));
  if (t.eof) scroll = Math.max(Math.min(scroll, last - h + 1), t.offset === 0 ? 0 : t.firstLine);
  return { ...s, viewer: { ...v, show: 'text', text: t, pending: undefined, scroll: Math.max(0, scroll), search } };
}

/** Plain text of the document's lines, by absolute line: the viewer's loaded window, or the diff rows. */
function docLines(s: AppState): { first: number; texts: string[] } {
  if (s.fileDiff) return { first: 0, texts: s.fileDiff.rows.map((r) => r.map((x) => x.text).join('')) };
  const t = s.viewer?.text;
  if (!t) return { first: 0, texts: [] };
  return { first: t.firstLine, texts: t.lines.map((l) => l.segments.map((x) => x.text).join('')) };
}

/** The viewer's text window when it holds only part of the file (a search then goes on through the reader). */
function partialWindow(s: AppState): TextWindow | undefined {
  const t = s.fileDiff ? undefined : s.viewer?.text;
  return t && !(t.offset === 0 && t.eof) ? t : undefined;
}

function searchStep(s: AppState, search: DocSearch, scroll: number, dir: 1 | -1, inclusive: boolean): { search: DocSearch; scroll: number } {
  const { first, texts } = docLines(s);
  const needle = search.text.toLowerCase();
  if (!needle) return { search, scroll };
  const hits: number[] = [];
  texts.forEach((t, i) => {
    if (t.toLowerCase().includes(needle)) hits.push(first + i);
  });
  const from = search.hit >= 0 ? search.hit : scroll;
  let idx = dir === 1 ? hits.findIndex((x) => (inclusive ? x >= from : x > from)) : findLastIndex(hits, (x) => x < from);
  const h = docHeight(s);
  const partial = partialWindow(s);
  if (partial) {
    // Only part of the file is loaded: a match in it is shown at once; past it, the reader
    // looks through the rest of the file (from the end of the window, or before its start).
    if (idx >= 0) {
      const hit = hits[idx]!;
      return { search: { ...search, editing: false, hit, notice: `match at line ${hit + 1}`, find: undefined }, scroll: hit >= scroll && hit < scroll + h ? scroll : Math.max(0, hit - Math.floor(h / 3)) };
    }
    const at = dir === 1 ? partial.end : (partial.lines[0]?.start ?? partial.offset);
    return { search: { ...search, editing: false, notice: 'searching the rest of the file…', find: { from: at, backward: dir === -1, wrapped: false } }, scroll };
  }
  if (hits.length === 0) return { search: { ...search, editing: false, hit: -1, notice: `no match for ${search.text}` }, scroll };
  let wrapped = '';
  if (idx < 0) {
    idx = dir === 1 ? 0 : hits.length - 1;
    wrapped = dir === 1 ? ' · search wrapped to the top' : ' · search wrapped to the bottom';
  }
  const hit = hits[idx]!;
  const nextScroll = hit >= scroll && hit < scroll + h ? scroll : Math.max(0, hit - Math.floor(h / 3));
  return { search: { ...search, editing: false, hit, notice: `match ${idx + 1}/${hits.length}${wrapped}` }, scroll: nextScroll };
}

/** The reader answered a search beyond the window: show the match (loading its window), wrap once, or say there is none. */
function receiveFound(s: AppState, v: ViewerState, offset: number, error: string | undefined): AppState {
  const f = v.search.find;
  if (!f) return s;
  const put = (search: DocSearch, extra: Partial<ViewerState> = {}): AppState => ({ ...s, viewer: { ...v, ...extra, search } });
  if (error !== undefined) return put({ ...v.search, find: undefined, notice: `search failed: ${error}` });
  if (offset < 0) {
    if (!f.wrapped) return put({ ...v.search, find: { from: f.backward ? v.size : 0, backward: f.backward, wrapped: true } });
    return put({ ...v.search, find: undefined, hit: -1, notice: `no match for ${v.search.text}` });
  }
  const wrap = f.wrapped ? (f.backward ? ' · search wrapped to the bottom' : ' · search wrapped to the top') : '';
  const t = v.text;
  if (t && t.lines.length > 0 && offset >= t.lines[0]!.start && offset < t.end) {
    let i = 0;
    while (i + 1 < t.lines.length && t.lines[i + 1]!.start <= offset) i++;
    const hit = t.firstLine + i;
    const h = docHeight(s);
    const scroll = hit >= v.scroll && hit < v.scroll + h ? v.scroll : Math.max(0, hit - Math.floor(h / 3));
    return put({ ...v.search, find: undefined, hit, notice: `match at line ${hit + 1}${wrap}` }, { scroll });
  }
  // Read the window around the match; `receiveWindow` puts the cursor on its line.
  return put({ ...v.search, find: undefined, notice: wrap }, { pending: { offset: Math.max(0, offset - Math.floor(WINDOW_BYTES / 4)), length: WINDOW_BYTES, anchor: 'match', at: offset } });
}

function findLastIndex<T>(xs: readonly T[], f: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (f(xs[i]!)) return i;
  return -1;
}

function reduceSearch(s: AppState, op: Extract<ViewerAction, { type: 'doc.search' }>['op'], text: string | undefined): AppState {
  const doc = s.fileDiff ?? s.viewer;
  if (!doc) return s;
  const put = (search: DocSearch, scroll = doc.scroll): AppState =>
    s.fileDiff ? { ...s, fileDiff: { ...s.fileDiff, search, scroll } } : { ...s, viewer: { ...s.viewer!, search, scroll } };
  const cur = doc.search;
  switch (op) {
    case 'open':
      return put({ text: '', editing: true, hit: -1 });
    case 'text':
      return put({ ...cur, text: cur.text + (text ?? '') });
    case 'backspace':
      return put({ ...cur, text: [...cur.text].slice(0, -1).join('') });
    case 'cancel':
      return put(NO_SEARCH);
    case 'submit': {
      const r = searchStep(s, { ...cur, editing: false, hit: -1 }, doc.scroll, 1, true);
      return put(r.search, r.scroll);
    }
    case 'next':
    case 'prev': {
      if (!cur.text || cur.find) return s;
      const r = searchStep(s, cur, doc.scroll, op === 'next' ? 1 : -1, false);
      return put(r.search, r.scroll);
    }
  }
}

function scrollDiff(s: AppState, d: FileDiffState, to: ScrollTo): AppState {
  const h = docHeight(s);
  const max = Math.max(0, d.rows.length - h);
  const target = { up: d.scroll - 1, down: d.scroll + 1, pageUp: d.scroll - h, pageDown: d.scroll + h, top: 0, bottom: max }[to];
  return { ...s, fileDiff: { ...d, scroll: Math.max(0, Math.min(max, target)) } };
}

/** The viewer's and the file diff's actions. */
export function reduceViewer(s: AppState, action: ViewerAction): AppState {
  switch (action.type) {
    case 'viewer.window': {
      const v = s.viewer;
      if (!v || v.pathId !== action.pathId || v.layer !== action.layer) return s;
      return receiveWindow(s, v, action.window);
    }
    case 'viewer.found':
      return s.viewer ? receiveFound(s, s.viewer, action.offset, action.error === undefined ? undefined : sanitize(action.error)) : s;
    case 'viewer.error':
      return s.viewer ? { ...s, viewer: { ...s.viewer, show: 'message', message: sanitize(action.text), pending: undefined } } : s;
    case 'fileDiff.loaded': {
      const d = s.fileDiff;
      if (!d) return s;
      const name = (layer: number) => `${d.path} (${layer < 0 ? 'absent' : `L${layer}`})`;
      return { ...s, fileDiff: { ...d, pending: false, rows: buildFileDiffRows(name(d.oldLayer), name(d.newLayer), action.old, action.new, action.sameContent) } };
    }
    case 'fileDiff.error':
      return s.fileDiff ? { ...s, fileDiff: { ...s.fileDiff, pending: false, rows: [[{ text: sanitize(action.text), style: 'error' }]] } } : s;
    case 'doc.close':
      if (s.fileDiff) return { ...s, fileDiff: undefined };
      return { ...s, viewer: undefined };
    case 'doc.scroll':
      if (s.fileDiff) return scrollDiff(s, s.fileDiff, action.to);
      return s.viewer ? scrollViewer(s, s.viewer, action.to) : s;
    case 'doc.search':
      return reduceSearch(s, action.op, action.text);
  }
}

/** Opens the diff of two versions of a path: the bodies are read by the UI. */
function openFileDiff(a: Analysis, s: AppState, pathId: number, oldLayer: number, newLayer: number): AppState {
  const path = sanitize(`/${a.tree.pathOf(pathId)}`);
  if (diffOf(a)) return { ...s, message: { text: 'diffing file versions is not available in a comparison of two images', tone: 'info' } };
  return { ...s, fileDiff: { pathId, path, oldLayer, newLayer, pending: true, rows: [], scroll: 0, search: NO_SEARCH } };
}

/** Tab order of the panes: the history panel joins when it is open. */
export function nextPane(s: AppState): AppState['focus'] {
  if (s.focus === 'layers') return 'tree';
  if (s.focus === 'tree') return s.tree.fileHistory ? 'history' : 'layers';
  return 'layers';
}

/** Commands of the history panel (focused) and the viewer's `tree.view`; undefined: not one of these. */
export function reduceHistoryCommand(a: Analysis, s: AppState, id: CommandId): AppState | undefined {
  if (id === 'tree.view') return openViewer(a, s, selectRange(s).top, selectCursorPath(a, s));
  if (s.focus !== 'history') return undefined;
  const pathId = selectCursorPath(a, s);
  const rows = selectHistoryRows(a, pathId);
  const cursor = selectHistoryCursor(a, s, pathId);
  const mark = selectHistoryMark(s, pathId);
  const move = (c: number): AppState => ({ ...s, history: { pathId, cursor: Math.max(0, Math.min(rows.length - 1, c)), mark } });
  const page = 5;
  switch (id) {
    case 'cursor.up':
      return move(cursor - 1);
    case 'cursor.down':
      return move(cursor + 1);
    case 'cursor.pageUp':
      return move(cursor - page);
    case 'cursor.pageDown':
      return move(cursor + page);
    case 'cursor.top':
      return move(0);
    case 'cursor.bottom':
      return move(rows.length - 1);
    case 'history.mark':
      if (cursor < 0) return s;
      return { ...s, history: { pathId, cursor, mark: mark === cursor ? null : cursor } };
    case 'history.view': {
      const r = rows[cursor];
      if (!r) return s;
      if (!r.entry) return { ...s, message: { text: `removed in L${r.layer}: nothing to view`, tone: 'info' } };
      return openViewer(a, s, r.layer, pathId);
    }
    case 'history.diff': {
      const r = rows[cursor];
      if (!r) return { ...s, message: { text: 'no version to diff', tone: 'info' } };
      if (mark !== null && mark !== cursor) {
        const [o, n] = mark < cursor ? [mark, cursor] : [cursor, mark];
        return openFileDiff(a, s, pathId, layerOf(rows[o]!), layerOf(rows[n]!));
      }
      // No mark: this version against the one before it (nothing before: against absence).
      const before = cursor > 0 ? layerOf(rows[cursor - 1]!) : -1;
      return openFileDiff(a, s, pathId, before, layerOf(r));
    }
  }
  return undefined;
}

/** The layer whose merged filesystem holds a history row's version (-1 when it is a removal: no content). */
function layerOf(r: { layer: number; entry?: unknown }): number {
  return r.entry ? r.layer : -1;
}

/** A one-line size summary of the viewed file, for the title. */
export function viewerSummary(v: ViewerState): string {
  const kind = v.show === 'binary' ? 'binary' : v.show === 'text' ? `text${v.language ? ` (${v.language})` : ''}` : v.show === 'loading' ? 'loading…' : '';
  return [`L${v.layer}`, v.show === 'message' ? '' : formatBytes(v.size), kind].filter(Boolean).join(' · ');
}
