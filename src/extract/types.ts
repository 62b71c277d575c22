import type { BodyWindow } from './read-window.js';

/** What to extract: the subtree at a path as the merged filesystem after `layer` has it. */
export type ExtractRequest = { readonly layer: number; readonly pathId: number; readonly overwrite: boolean };

export type ExtractResult =
  | { readonly kind: 'conflict'; readonly existing: readonly string[] }
  | {
      readonly kind: 'done';
      /** Relative paths written, in order. */
      readonly written: readonly string[];
      /** Entries left out, with why (unsafe name, escaping symlink, device…). */
      readonly skipped: readonly { readonly path: string; readonly reason: string }[];
      readonly bytes: number;
    };

/** Writes files out of the image; the only part of the inspector that writes to disk. */
export type Extractor = { extract(req: ExtractRequest): Promise<ExtractResult> };

/** A window of a file's body: `length` bytes from `offset` of the file at a path, as the merged filesystem after `layer` has it. */
export type WindowRequest = { readonly layer: number; readonly pathId: number; readonly offset: number; readonly length: number; readonly countLines?: boolean };

/** Where to look for text in a file's body: the first match at or after `from`, or (`backward`) the last before it. */
export type FindRequest = { readonly layer: number; readonly pathId: number; readonly needle: string; readonly from: number; readonly backward: boolean };

/** Reads windows of file bodies out of the image, never a whole body: the file viewer and file diff use it. */
export type BodyReader = {
  read(req: WindowRequest): Promise<BodyWindow>;
  /** The byte offset of a match (ASCII letters without case), -1 when there is none; one pass over the body. */
  find(req: FindRequest): Promise<number>;
};
