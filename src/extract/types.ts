import type { BodyWindow } from './read-window.js';

/**
 * What to extract: the subtree at a path as the merged filesystem after `layer` has it. Path
 * id 0 (the root) is the whole filesystem; `into` then names a new directory (one component,
 * relative to the destination) that receives it.
 */
export type ExtractRequest = { readonly layer: number; readonly pathId: number; readonly overwrite: boolean; readonly into?: string };

/** Why an entry was left out, grouped for the summary (`skipped 3: 2 device files, 1 unsafe name`). */
export type SkipKind = 'unsafe name' | 'device' | 'fifo' | 'escaping symlink' | 'missing link target' | 'in the way' | 'symlinked parent' | 'error';

export type Skipped = { readonly path: string; readonly reason: string; readonly kind: SkipKind };

/** How far an extraction has got: entries and bytes written, of how many. */
export type ExtractProgress = { readonly entries: number; readonly totalEntries: number; readonly bytes: number; readonly totalBytes: number };

export type ExtractOptions = {
  /** Aborting stops the extraction between entries; a file being written is removed, never left half-written. */
  readonly signal?: AbortSignal;
  /** Called after each entry written. */
  readonly onProgress?: (p: ExtractProgress) => void;
};

export type ExtractResult =
  | { readonly kind: 'conflict'; readonly existing: readonly string[] }
  | {
      readonly kind: 'done';
      /** Relative paths written, in order. */
      readonly written: readonly string[];
      /** Entries left out, with why (unsafe name, escaping symlink, device…). */
      readonly skipped: readonly Skipped[];
      readonly bytes: number;
    }
  /** Stopped by the signal: what was written whole before it. */
  | { readonly kind: 'cancelled'; readonly written: readonly string[]; readonly bytes: number };

/** Writes files out of the image; the only part of the inspector that writes to disk. */
export type Extractor = { extract(req: ExtractRequest, opts?: ExtractOptions): Promise<ExtractResult> };

/** A window of a file's body: `length` bytes from `offset` of the file at a path, as the merged filesystem after `layer` has it. */
export type WindowRequest = { readonly layer: number; readonly pathId: number; readonly offset: number; readonly length: number; readonly countLines?: boolean };

/** Bytes to look for in a body: text as its UTF-8 bytes (ASCII letters without case), or exact bytes. */
export type BytePattern = { readonly bytes: Uint8Array; readonly ignoreCase: boolean };

/** Where to look for a pattern in a file's body: the first match at or after `from`, or (`backward`) the last that starts before it. */
export type FindRequest = { readonly layer: number; readonly pathId: number; readonly pattern: BytePattern; readonly from: number; readonly backward: boolean };

/** Every match of a pattern in a file's body: their starts (the first `max`) and how many in all. */
export type CountRequest = { readonly layer: number; readonly pathId: number; readonly pattern: BytePattern; readonly max: number };

/** The matches of a pattern in a whole body, none overlapping: the first starts, in order, and the total. */
export type BodyMatches = { readonly starts: readonly number[]; readonly total: number };

/** Reads windows of file bodies out of the image, never a whole body: the file viewer and file diff use it. */
export type BodyReader = {
  read(req: WindowRequest): Promise<BodyWindow>;
  /** The byte offset of a match, -1 when there is none; one pass over the body at most. */
  find(req: FindRequest): Promise<number>;
  /** Every match in the body, in one pass (stopped by `signal`). */
  count(req: CountRequest, signal?: AbortSignal): Promise<BodyMatches>;
};
