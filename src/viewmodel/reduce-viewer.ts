import type { Analysis } from '../core/index.js';
import { sanitize } from '../format/text.js';
import { buildFileDiffRows } from './file-diff.js';
import type { AppState } from './state.js';
import { pathsOf, type ImageView, type ViewData } from './view-data.js';
import { docHeight, NO_SEARCH, WINDOW_BYTES, type DocSearch, type FileDiffState, type ScrollTo, type ViewerAction, type ViewerState, type WindowRequest } from './viewer-state.js';
import { indexTextWindow, languageFor, looksBinary, type LoadedWindow, type TextWindow } from './viewer-text.js';

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
      return openFile(d.analysis, s, { pathId, layer, path, size: 0, scroll: 0, search: NO_SEARCH });
    case 'comparison': {
      // No layer of one image holds the file: the title names none.
      const message = 'viewing contents is not available in a comparison of two images: open one image to view its files';
      return { ...s, viewer: { pathId, layer: -1, path, size: 0, scroll: 0, search: NO_SEARCH, show: 'message', message } };
    }
  }
}

function openFile(a: Analysis, s: AppState, base: Pick<ViewerState, 'pathId' | 'layer' | 'path' | 'size' | 'scroll' | 'search'>): AppState {
  const { layer, pathId, path } = base;
  const msg = (message: string): AppState => ({ ...s, viewer: { ...base, show: 'message', message } });
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

/** Opens the diff of two versions of a path of an image: the bodies are read by the UI. */
export function openFileDiff(d: ImageView, s: AppState, pathId: number, oldLayer: number, newLayer: number): AppState {
  const path = sanitize(`/${d.analysis.tree.pathOf(pathId)}`);
  return { ...s, fileDiff: { pathId, path, oldLayer, newLayer, pending: true, rows: [], scroll: 0, search: NO_SEARCH } };
}

