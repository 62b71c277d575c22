import { formatBytes } from '../format/index.js';
import type { DiffSide } from './file-diff.js';
import type { Segment } from './segments.js';
import type { AppState } from './state.js';
import type { LoadedWindow, TextWindow } from './viewer-text.js';

/**
 * The file viewer and the file diff: what they hold while open, the windows and searches they
 * wait for (the UI's `useDocuments` serves them), and their actions (reduced in reduce-viewer.ts).
 */

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

/** A match: where it starts (the viewer: a byte offset in the file; the file diff: a character offset in its text) and how long it is. */
export type DocHit = { readonly at: number; readonly length: number };

/**
 * Search inside a document (the viewer's file, or the diff). Matches are counted in the whole
 * document: at once when it is all in memory, else by the reader in one pass (`counting`).
 */
export type DocSearch = {
  readonly text: string;
  readonly editing: boolean;
  /** The match the cursor is on; absent before the first jump. */
  readonly hit?: DocHit;
  /** Every match, once known: their starts (the first `MAX_MATCHES`) and how many in all. */
  readonly matches?: { readonly starts: readonly number[]; readonly total: number };
  /** The reader is counting the matches in the whole file. */
  readonly counting?: boolean;
  /** The last jump went round the end of the document. */
  readonly wrapped?: 'top' | 'bottom';
  /** What the status line says instead of a match (no match, a bad offset, searching…). */
  readonly notice?: string;
  /** The viewer waits for the reader to find a match past the loaded window and the counted starts. */
  readonly find?: FindPending;
  /** Entered before the file's first window arrived: run when it does. */
  readonly queued?: boolean;
};

export type ViewerState = {
  readonly pathId: number;
  /** The path whose body is read: `pathId`, or for a hard link the file it is the same as. */
  readonly bodyPathId: number;
  /** A hard link's target (`/bin/busybox`), said in the title. */
  readonly linkTo?: string;
  /** The layer whose merged filesystem the file is shown from (-1: none, in a comparison). */
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
  /** The reader counted the matches of `text` in the whole file (or could not: `error`). */
  | { readonly type: 'viewer.counted'; readonly text: string; readonly starts: readonly number[]; readonly total: number; readonly error?: string }
  | { readonly type: 'fileDiff.loaded'; readonly old: DiffSide; readonly new: DiffSide; readonly sameContent?: boolean }
  | { readonly type: 'fileDiff.error'; readonly text: string }
  | { readonly type: 'doc.scroll'; readonly to: ScrollTo }
  | { readonly type: 'doc.close' }
  | { readonly type: 'doc.search'; readonly op: 'open' | 'text' | 'backspace' | 'submit' | 'cancel' | 'next' | 'prev'; readonly text?: string };

/** No search: nothing typed, no match. */
export const NO_SEARCH: DocSearch = { text: '', editing: false };

/** Rows of document body on screen: the viewport less a title and a status line. */
export function docHeight(s: AppState): number {
  return Math.max(1, s.viewport.rows - 2);
}

/** A one-line size summary of the viewed file, for the title. */
export function viewerSummary(v: ViewerState): string {
  const link = v.linkTo ? `hard link to ${v.linkTo}` : '';
  const kind = v.show === 'binary' ? 'binary' : v.show === 'text' ? `text${v.language ? ` (${v.language})` : ''}` : v.show === 'loading' ? 'loading…' : '';
  return [link, v.layer >= 0 ? `L${v.layer}` : '', v.show === 'message' ? '' : formatBytes(v.size), kind].filter(Boolean).join(' · ');
}
