import { type Analysis, directoryHistory, type FileEvent, type LayerEntry } from '../core/index.js';
import { formatBytes, formatMode, fit, sanitize } from '../format/index.js';
import { fitLine, seg, type Line, type Style } from './segments.js';
import type { AppState } from './state.js';
import type { ImageView } from './view-data.js';

/** One row of the file history panel: what a layer did to the path. */
export type HistoryRow = {
  readonly layer: number;
  readonly what: string;
  readonly style: Style;
  /** The path's entry after the layer (absent: removed). */
  readonly entry?: LayerEntry;
  readonly note: string;
};

/** Every layer that touched a path: a file's versions, or what happened to a directory (kept in the view's history cache). */
export function selectHistoryRows(d: ImageView, pathId: number): readonly HistoryRow[] {
  if (pathId < 0) return [];
  const hit = d.caches.history.get(pathId);
  if (hit) return hit;
  const rows = historyRows(d.analysis, pathId);
  d.caches.history.set(pathId, rows);
  return rows;
}

/** What a file's history event is called: a layer that wrote the same bytes again (dive's waste) is a rewrite, not "unmodified". */
const FILE_EVENT_WORDS: Readonly<Record<FileEvent['kind'], string>> = { added: 'added', modified: 'modified', metadata: 'chmod/chown', unmodified: 'rewritten (same content)', removed: 'removed' };

/**
 * Every layer of one image that touched a path: for a directory, the layers that created it,
 * removed it, made it opaque, changed its mode or owner or changed something below it (with
 * how many paths); for anything else, its versions. The one history both the image's panel and
 * a comparison's (per side) show.
 */
export function historyRows(a: Analysis, pathId: number): readonly HistoryRow[] {
  const last = a.tree.entryAt(a.layers.length - 1, pathId);
  const isDir = [...Array(a.layers.length).keys()].some((li) => a.tree.entryAt(li, pathId)?.type === 'dir') || last?.type === 'dir';
  const removed = (r: { via: string; markerPath: string } | undefined) =>
    r ? (r.via === 'replaced' ? 'replaced by a non-directory' : `${r.via === 'opaque' ? 'opaque dir' : 'whiteout'} in ${r.markerPath}`) : '';
  if (isDir) {
    return directoryHistory(a.tree, pathId).map((ev): HistoryRow => {
      const below = ev.below > 0 ? `${ev.below} ${ev.below === 1 ? 'path' : 'paths'} below changed` : '';
      switch (ev.kind) {
        case 'created':
          return { layer: ev.layer, what: 'created', style: 'added', entry: ev.entry, note: below };
        case 'removed':
          return { layer: ev.layer, what: 'removed', style: 'removed', note: removed(ev.removedVia) };
        case 'opaque':
          return { layer: ev.layer, what: 'made opaque', style: 'removed', entry: ev.entry, note: `lower contents hidden${below ? `; ${below}` : ''}` };
        case 'metadata':
          return { layer: ev.layer, what: 'chmod/chown', style: 'modified', entry: ev.entry, note: below };
        case 'contents':
          return { layer: ev.layer, what: 'contents', style: 'modified', entry: ev.entry, note: below };
      }
    });
  }
  return a.tree.fileHistory(pathId).map((ev): HistoryRow => {
    const style: Style = ev.kind === 'added' ? 'added' : ev.kind === 'removed' ? 'removed' : ev.kind === 'unmodified' ? 'normal' : 'modified';
    return { layer: ev.layer, what: FILE_EVENT_WORDS[ev.kind], style, entry: ev.entry, note: removed(ev.removedVia) };
  });
}

/** The history row the cursor is on: the one set by the user for this path, else the version the selected layer sees. */
export function selectHistoryCursor(d: ImageView, state: AppState, pathId: number): number {
  const rows = selectHistoryRows(d, pathId);
  if (rows.length === 0) return -1;
  if (state.history && state.history.pathId === pathId) return Math.max(0, Math.min(rows.length - 1, state.history.cursor));
  let c = 0;
  rows.forEach((r, i) => {
    if (r.layer <= state.layers.cursor) c = i;
  });
  return c;
}

/** The marked history row for this path, if any. */
export function selectHistoryMark(state: AppState, pathId: number): number | null {
  return state.history && state.history.pathId === pathId ? state.history.mark : null;
}

/** Below this width the history panel leaves out each version's mode and owner. */
const NARROW = 50;

/**
 * The panel's body: rows with their columns lined up (layer numbers, owners and sizes padded to
 * a common width), scrolled to keep the cursor visible, with `↓ n more` / `↑ n more` markers
 * when rows do not fit.
 */
export function selectHistoryLines(d: ImageView, state: AppState, pathId: number, width: number, height: number): Line[] {
  const a = d.analysis;
  const rows = selectHistoryRows(d, pathId);
  if (rows.length === 0) return [fitLine([seg('no layer touched this path', 'dim')], width)];
  const cursor = selectHistoryCursor(d, state, pathId);
  const mark = selectHistoryMark(state, pathId);
  const focused = state.focus === 'history';
  const layerW = String(a.layers.length - 1).length + 1;
  const owner = (e?: LayerEntry) => (e ? `${e.uid}:${e.gid}` : '');
  const ownerW = Math.max(...rows.map((r) => owner(r.entry).length));
  const whatW = Math.max(11, ...rows.map((r) => r.what.length));
  const render = (r: HistoryRow, i: number): Line => {
    const here = state.layers.cursor === r.layer;
    const lead = mark === i ? '*' : here ? '●' : ' ';
    // A narrow panel keeps the size, the note and the command: mode and owner go first, but
    // for a chmod/chown, which is about them.
    const size = r.entry ? fit(formatBytes(r.entry.size), 8, 'right') : '';
    const full = r.entry ? `${formatMode(r.entry.type, r.entry.mode)} ${fit(owner(r.entry), ownerW, 'right')} ${size}` : '';
    const detail = width >= NARROW ? full : r.what === 'chmod/chown' ? `${full.slice(0, full.length - size.length).trimEnd()}` : size || ''.padStart(8);
    const note = r.note ? ` ${sanitize(r.note)}` : '';
    return fitLine(
      [
        seg(`${lead}${fit(`L${r.layer}`, layerW, 'right')} `, 'marker'),
        seg(fit(r.what, whatW), r.style),
        seg(` ${detail}${note}  `, 'dim'),
        seg(sanitize(a.layers[r.layer]?.command ?? '')),
      ],
      width,
      focused && i === cursor ? 'focused' : undefined,
    );
  };
  if (rows.length <= height) return rows.map(render);
  // Rows past the height: a window around the cursor, with markers for what is above and below.
  const markers = height >= 3 ? 2 : 1;
  const room = Math.max(1, height - markers);
  const top = Math.max(0, Math.min(cursor - Math.floor(room / 2), rows.length - room));
  const out: Line[] = [];
  if (markers === 2) out.push(fitLine([seg(top > 0 ? `  ↑ ${top} more` : '', 'dim')], width));
  rows.slice(top, top + room).forEach((r, k) => out.push(render(r, top + k)));
  const below = rows.length - top - room;
  out.push(fitLine([seg(below > 0 ? `  ↓ ${below} more` : '', 'dim')], width));
  return out;
}
