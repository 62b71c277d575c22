import type { Analysis } from '../core/index.js';
import { sanitize } from '../format/index.js';
import { buildFileDiffRows } from './file-diff.js';
import type { AppState } from './state.js';
import { pathsOf, type ImageView, type ViewData } from './view-data.js';
import { docHeight, NO_SEARCH, WINDOW_BYTES, type DocSearch, type FileDiffState, type ScrollTo, type ViewerAction, type ViewerState, type WindowRequest } from './viewer-state.js';
import { indexTextWindow, languageFor, lineIndexAt, looksBinary, type LoadedWindow, type TextWindow } from './viewer-text.js';
import { lastAtOrBefore, matchBytes, matchText, MAX_MATCHES, parseDocSearch, type DocPattern } from './doc-search.js';

/**
 * The file viewer and the file diff, full screen over the panes: opening them, scrolling
 * (asking for the windows not loaded yet), searching inside, and the answers the UI's reads
 * bring back (`viewer.window`, `viewer.found`, `fileDiff.loaded`).
 */

/** Opens the viewer on a path: in an image, as the merged filesystem after `layer` has it; a comparison says it cannot. */
export function openViewer(d: ViewData, s: AppState, layer: number, pathId: number): AppState {
  if (pathId < 0) return { ...s, message: { text: 'nothing selected to view', tone: 'error' } };
  const path = sanitize(`/${pathsOf(d).pathOf(pathId)}`);
  switch (d.kind) {
    case 'image':
      return openFile(d.analysis, s, { pathId, bodyPathId: pathId, layer, path, size: 0, scroll: 0, search: NO_SEARCH });
    case 'comparison': {
      // No layer of one image holds the file: the title names none.
      const message = 'viewing contents is not available in a comparison of two images: open one image to view its files';
      return { ...s, viewer: { pathId, bodyPathId: pathId, layer: -1, path, size: 0, scroll: 0, search: NO_SEARCH, show: 'message', message } };
    }
  }
}

function openFile(a: Analysis, s: AppState, base: Pick<ViewerState, 'pathId' | 'bodyPathId' | 'layer' | 'path' | 'size' | 'scroll' | 'search'>): AppState {
  const { layer, pathId, path } = base;
  const msg = (message: string): AppState => ({ ...s, viewer: { ...base, show: 'message', message } });
  const e = a.tree.entryAt(layer, pathId);
  if (!e) return msg(`${path} is not in the filesystem at L${layer}`);
  const body = (size: number, bodyPathId: number, linkTo?: string): AppState => ({
    ...s,
    viewer: { ...base, bodyPathId, ...(linkTo ? { linkTo } : {}), size, show: 'loading', language: languageFor(e.path), pending: { offset: 0, length: WINDOW_BYTES, anchor: 'keep' } },
  });
  switch (e.type) {
    case 'file':
      return body(e.size, pathId);
    case 'dir':
      return msg(`${path} is a directory: the file tree shows what is in it`);
    case 'symlink':
      return msg(`symbolic link → ${sanitize(e.linkTarget ?? '')}`);
    case 'hardlink': {
      // The same file as its target: its contents are the target's, as this layer has it.
      const target = a.tree.find(e.linkTarget ?? '');
      const t = target === undefined ? undefined : a.tree.entryAt(layer, target);
      const to = `/${sanitize(e.linkTarget ?? '')}`;
      if (target === undefined || t?.type !== 'file') return msg(`hard link to ${to}, which is not a regular file at L${layer}`);
      return body(t.size, target, to);
    }
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

/** The hex view scrolled to row `row` (clamped); asks for another window when the rows shown are not loaded. */
function placeBinary(s: AppState, v: ViewerState, row: number): AppState {
  const h = docHeight(s);
  const total = hexRows(v.size);
  const scroll = Math.max(0, Math.min(row, Math.max(0, total - h)));
  const b = v.binary!;
  const first = b.offset / 16;
  const last = first + Math.ceil(b.bytes.length / 16);
  const need = scroll < first || (scroll + h > last && last < total);
  const offset = Math.max(0, scroll * 16 - Math.floor(WINDOW_BYTES / 4 / 16) * 16);
  return { ...s, viewer: { ...v, scroll, pending: keepSame(v.pending, need ? { offset, length: WINDOW_BYTES, anchor: 'keep' } : undefined) } };
}

/** Scrolls the viewer; asks for another window when the lines needed are not loaded. */
function scrollViewer(s: AppState, v: ViewerState, to: ScrollTo): AppState {
  const h = docHeight(s);
  const want = (target: number): number => (to === 'up' ? v.scroll - 1 : to === 'down' ? v.scroll + 1 : to === 'pageUp' ? v.scroll - h : to === 'pageDown' ? v.scroll + h : target);
  if (v.show === 'binary') return placeBinary(s, v, want(to === 'top' ? 0 : hexRows(v.size) - h));
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
  if (v.show === 'binary') {
    // A match's row a third of the way down, as a match in text is shown.
    const scroll = req.anchor === 'match' && req.at !== undefined ? Math.max(0, Math.min(Math.floor(req.at / 16) - Math.floor(h / 3), hexRows(v.size) - h)) : v.scroll;
    return { ...s, viewer: { ...v, scroll, binary: { offset: w.offset, bytes: w.bytes }, pending: undefined } };
  }
  const t = indexTextWindow(w, v.language);
  const last = lastLoadedLine(t);
  let target = v.scroll;
  // The line holding the match, a third of the way down.
  if (req.anchor === 'match' && req.at !== undefined) target = Math.max(0, t.firstLine + lineIndexAt(t, req.at) - Math.floor(h / 3));
  let scroll = req.anchor === 'end' ? Math.max(t.firstLine, last - h + 1) : Math.max(t.firstLine, Math.min(target, last));
  if (t.eof) scroll = Math.max(Math.min(scroll, last - h + 1), t.offset === 0 ? 0 : t.firstLine);
  return { ...s, viewer: { ...v, show: 'text', text: t, pending: undefined, scroll: Math.max(0, scroll) } };
}

/** The plain text of a file diff's rows, one per line: what its search looks through, by character offset. */
export function diffText(d: FileDiffState): { readonly text: string; readonly rowStarts: readonly number[] } {
  const rowStarts: number[] = [];
  let at = 0;
  const parts = d.rows.map((r) => {
    rowStarts.push(at);
    const t = r.map((x) => x.text).join('');
    at += t.length + 1;
    return t;
  });
  return { text: parts.join('\n'), rowStarts };
}

/** What the viewer's search looks for: text, or in the hex view bytes or an offset. */
export function viewerPattern(v: ViewerState) {
  return parseDocSearch(v.search.text, v.show === 'binary');
}

/** The part of the file the viewer holds, as bytes: its first and last searchable byte, and whether it is the whole file. */
function loaded(v: ViewerState): { readonly bytes: Uint8Array; readonly base: number; readonly from: number; readonly to: number; readonly whole: boolean } | undefined {
  if (v.show === 'binary' && v.binary) {
    const b = v.binary;
    return { bytes: b.bytes, base: b.offset, from: b.offset, to: b.offset + b.bytes.length, whole: b.offset === 0 && b.bytes.length >= v.size };
  }
  const t = v.text;
  if (v.show !== 'text' || !t) return undefined;
  return { bytes: t.raw, base: t.offset, from: t.lines[0]?.start ?? t.offset, to: t.end, whole: t.offset === 0 && t.eof };
}

/** The byte at the top of the viewer's screen: where a new search starts looking. */
function topByte(v: ViewerState): number {
  if (v.show === 'binary') return v.scroll * 16;
  const t = v.text;
  if (!t) return 0;
  return t.lines[Math.max(0, Math.min(t.lines.length - 1, v.scroll - t.firstLine))]?.start ?? t.offset;
}

/** The viewer with its scroll on a match (reading the window around it when it is not loaded), and the search's hit set. */
function showMatch(s: AppState, v: ViewerState, search: DocSearch, at: number, length: number): AppState {
  const h = docHeight(s);
  const next: DocSearch = { ...search, hit: { at, length }, find: undefined };
  const put = (extra: Partial<ViewerState>): AppState => ({ ...s, viewer: { ...v, ...extra, search: next } });
  const l = loaded(v);
  if (v.show === 'binary') {
    // Rows not loaded are read by placeBinary, as when scrolling there.
    const row = Math.floor(at / 16);
    return placeBinary(s, { ...v, search: next }, row >= v.scroll && row < v.scroll + h ? v.scroll : row - Math.floor(h / 3));
  }
  if (l && at >= l.from && at < l.to) {
    const t = v.text!;
    const line = t.firstLine + lineIndexAt(t, at);
    const scroll = line >= v.scroll && line < v.scroll + h ? v.scroll : Math.max(0, line - Math.floor(h / 3));
    return put({ scroll });
  }
  // Read the window around the match; `receiveWindow` puts its line a third of the way down.
  return put({ pending: { offset: Math.max(0, at - Math.floor(WINDOW_BYTES / 4)), length: WINDOW_BYTES, anchor: 'match', at } });
}

/**
 * The next match after the current one (or, for a new search, the first at or after the top of
 * the screen), in direction `dir`: from the counted starts when they reach that far, else from
 * the loaded window, else by asking the reader (`find`). Past the last match it goes round.
 */
function stepViewer(s: AppState, v: ViewerState, search: DocSearch, dir: 1 | -1): AppState {
  const p = parseDocSearch(search.text, v.show === 'binary');
  if ('error' in p) return { ...s, viewer: { ...v, search: { ...search, editing: false, notice: p.error, hit: undefined } } };
  if (p.kind === 'offset') {
    if (p.offset >= v.size) return { ...s, viewer: { ...v, search: { ...search, editing: false, hit: undefined, notice: `0x${p.offset.toString(16)} is past the end (the file is 0x${v.size.toString(16)} bytes)` } } };
    return showMatch(s, v, { ...search, editing: false, notice: undefined, wrapped: undefined, matches: undefined }, p.offset, 1);
  }
  const len = p.bytes.length;
  const l = loaded(v);
  if (v.show === 'loading') return { ...s, viewer: { ...v, search: { ...search, editing: false, hit: undefined, queued: true, notice: 'searching once the file is read…' } } };
  if (!l) return { ...s, viewer: { ...v, search: { ...search, editing: false, hit: undefined, notice: 'no contents to search' } } };
  const cur = search.hit;
  const from = cur ? (dir === 1 ? cur.at + cur.length : cur.at - 1) : topByte(v);
  const ready = { ...search, editing: false, notice: undefined, wrapped: undefined as DocSearch['wrapped'] };
  // All matches known: pick from them (going round at either end).
  const m = search.matches ?? (l.whole ? countLoaded(l, p) : undefined);
  if (m) {
    const found = { ...ready, matches: m, counting: false };
    if (m.total === 0) return { ...s, viewer: { ...v, search: { ...found, hit: undefined, notice: `no match for ${sanitize(search.text)}` } } };
    const all = m.starts.length === m.total;
    let i = dir === 1 ? lastAtOrBefore(m.starts, from - 1) + 1 : lastAtOrBefore(m.starts, from);
    if (dir === 1 && i >= m.starts.length) {
      if (!all) return { ...s, viewer: { ...v, search: { ...found, notice: 'searching the rest of the file…', find: { from, backward: false, wrapped: false } } } };
      return showMatch(s, v, { ...found, wrapped: 'top' }, m.starts[0]!, len);
    }
    if (dir === -1 && i < 0) {
      if (!all) return { ...s, viewer: { ...v, search: { ...found, notice: 'searching the rest of the file…', find: { from: v.size, backward: true, wrapped: true } } } };
      i = m.starts.length - 1;
      return showMatch(s, v, { ...found, wrapped: 'bottom' }, m.starts[i]!, len);
    }
    return showMatch(s, v, found, m.starts[i]!, len);
  }
  // Not counted yet: a match in the window is shown at once; past it, the reader looks on.
  const inWindow = matchBytes(l.bytes, p, l.base, l.from - l.base, l.to - l.base);
  const counting = search.counting ?? true;
  const i = dir === 1 ? lastAtOrBefore(inWindow, from - 1) + 1 : lastAtOrBefore(inWindow, from);
  if (i >= 0 && i < inWindow.length) return showMatch(s, v, { ...ready, counting }, inWindow[i]!, len);
  const at = dir === 1 ? Math.max(from, l.to - len + 1) : Math.min(from + 1, l.from + len - 1);
  return { ...s, viewer: { ...v, search: { ...ready, counting, hit: cur, notice: 'searching the rest of the file…', find: { from: Math.max(0, at), backward: dir === -1, wrapped: false } } } };
}

/** The matches of a pattern in a document held whole. */
function countLoaded(l: NonNullable<ReturnType<typeof loaded>>, p: Extract<DocPattern, { kind: 'bytes' }>): NonNullable<DocSearch['matches']> {
  const starts = matchBytes(l.bytes, p, l.base, l.from - l.base, l.to - l.base);
  return { starts: starts.slice(0, MAX_MATCHES), total: starts.length };
}

/** The reader answered a search beyond the window: show the match (loading its window), wrap once, or say there is none. */
function receiveFound(s: AppState, v: ViewerState, offset: number, error: string | undefined): AppState {
  const f = v.search.find;
  if (!f) return s;
  const put = (search: DocSearch): AppState => ({ ...s, viewer: { ...v, search } });
  if (error !== undefined) return put({ ...v.search, find: undefined, notice: `search failed: ${error}` });
  if (offset < 0) {
    if (!f.wrapped) return put({ ...v.search, find: { from: f.backward ? v.size : 0, backward: f.backward, wrapped: true } });
    return put({ ...v.search, find: undefined, hit: undefined, notice: `no match for ${sanitize(v.search.text)}` });
  }
  const p = viewerPattern(v);
  const len = 'error' in p || p.kind === 'offset' ? 1 : p.bytes.length;
  const wrapped = f.wrapped ? (f.backward ? 'bottom' : 'top') : undefined;
  return showMatch(s, v, { ...v.search, notice: undefined, wrapped }, offset, len);
}

/** The reader counted the matches in the whole file: the count goes beside the match shown (or, with none shown yet, the first match after the top). */
function receiveCounted(s: AppState, v: ViewerState, a: Extract<ViewerAction, { type: 'viewer.counted' }>): AppState {
  if (a.text !== v.search.text || !v.search.counting) return s; // a count for another search
  if (a.error !== undefined) return { ...s, viewer: { ...v, search: { ...v.search, counting: false, notice: `counting failed: ${sanitize(a.error)}` } } };
  const search: DocSearch = { ...v.search, counting: false, matches: { starts: a.starts.slice(0, MAX_MATCHES), total: a.total } };
  if (a.total === 0) return { ...s, viewer: { ...v, search: { ...search, find: undefined, hit: undefined, notice: `no match for ${sanitize(v.search.text)}` } } };
  return { ...s, viewer: { ...v, search } };
}

function reduceSearch(s: AppState, op: Extract<ViewerAction, { type: 'doc.search' }>['op'], text: string | undefined): AppState {
  const doc = s.fileDiff ?? s.viewer;
  if (!doc) return s;
  const cur = doc.search;
  const put = (search: DocSearch): AppState => (s.fileDiff ? { ...s, fileDiff: { ...s.fileDiff, search } } : { ...s, viewer: { ...s.viewer!, search } });
  switch (op) {
    case 'open':
      return put({ text: '', editing: true });
    case 'text':
      return put({ ...cur, text: cur.text + (text ?? '') });
    case 'backspace':
      return put({ ...cur, text: [...cur.text].slice(0, -1).join('') });
    case 'cancel':
      return put(NO_SEARCH);
    case 'submit': {
      // A new search: counted afresh, from the top of the screen.
      const fresh: DocSearch = { text: cur.text, editing: false };
      if (!cur.text) return put(NO_SEARCH);
      return s.fileDiff ? stepDiff(s, s.fileDiff, fresh, 1) : stepViewer(s, s.viewer!, fresh, 1);
    }
    case 'next':
    case 'prev': {
      if (!cur.text || cur.find) return s;
      const dir = op === 'next' ? 1 : -1;
      return s.fileDiff ? stepDiff(s, s.fileDiff, cur, dir) : stepViewer(s, s.viewer!, cur, dir);
    }
  }
}

/** The next (or previous) match in a file diff, all of it in memory: counted at once, going round at either end. */
function stepDiff(s: AppState, d: FileDiffState, search: DocSearch, dir: 1 | -1): AppState {
  const { text, rowStarts } = diffText(d);
  const starts = matchText(text, search.text);
  const put = (next: DocSearch, scroll = d.scroll): AppState => ({ ...s, fileDiff: { ...d, search: next, scroll } });
  const base: DocSearch = { ...search, editing: false, notice: undefined, wrapped: undefined, matches: { starts: starts.slice(0, MAX_MATCHES), total: starts.length } };
  if (starts.length === 0) return put({ ...base, hit: undefined, notice: `no match for ${sanitize(search.text)}` });
  const cur = search.hit;
  const from = cur ? (dir === 1 ? cur.at + cur.length : cur.at - 1) : (rowStarts[d.scroll] ?? 0);
  let i = dir === 1 ? lastAtOrBefore(starts, from - 1) + 1 : lastAtOrBefore(starts, from);
  let wrapped: DocSearch['wrapped'];
  if (i >= starts.length) [i, wrapped] = [0, 'top'];
  if (i < 0) [i, wrapped] = [starts.length - 1, 'bottom'];
  const at = starts[i]!;
  const row = lastAtOrBefore(rowStarts, at);
  const h = docHeight(s);
  const scroll = row >= d.scroll && row < d.scroll + h ? d.scroll : Math.max(0, Math.min(row - Math.floor(h / 3), d.rows.length - h));
  return put({ ...base, wrapped, hit: { at, length: [...search.text].length } }, scroll);
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
      const next = receiveWindow(s, v, action.window);
      // A search entered while the file was being read runs now that it is there.
      const w = next.viewer;
      if (!w?.search.queued || w.show === 'loading') return next;
      return stepViewer(next, w, { text: w.search.text, editing: false }, 1);
    }
    case 'viewer.found':
      return s.viewer ? receiveFound(s, s.viewer, action.offset, action.error === undefined ? undefined : sanitize(action.error)) : s;
    case 'viewer.counted':
      return s.viewer ? receiveCounted(s, s.viewer, action) : s;
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

/** Opens the diff of two versions of a path of an image: the bodies are read by the UI. */
export function openFileDiff(d: ImageView, s: AppState, pathId: number, oldLayer: number, newLayer: number): AppState {
  const path = sanitize(`/${d.analysis.tree.pathOf(pathId)}`);
  return { ...s, fileDiff: { pathId, path, oldLayer, newLayer, pending: true, rows: [], scroll: 0, search: NO_SEARCH } };
}

