import { open } from 'node:fs/promises';
import { decodeStored, type LayerBlob, type LayerContents, openStored, TarParser, toEntry } from '../archive/index.js';
import { createMatcher } from './match.js';
import type { BodyMatches, BytePattern } from './types.js';

/** Bytes `[offset, offset + bytes.length)` of one entry's body, and how many newlines come before `offset`. */
export type BodyWindow = {
  readonly offset: number;
  readonly bytes: Buffer;
  /** The body's full size. */
  readonly size: number;
  /** Newline bytes in `[0, offset)`, so a window's lines can be numbered; counted only when asked. */
  readonly linesBefore: number;
};

export type WindowOptions = {
  /** Count the newlines before the window (text views number their lines). @default false */
  readonly countLines?: boolean;
};

/** Piece size of a positional scan: a body is read in pieces this big, never held whole. */
const SCAN_CHUNK = 1 << 20;

const NO_BLOB = 'contents are not kept for an image read from stdin: save it to a file to view them';

function countNewlines(b: Uint8Array, from = 0, to = b.length): number {
  let n = 0;
  for (let i = b.indexOf(10, from); i >= 0 && i < to; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Hands the body of one entry to `visit` in order, piece by piece from `from`, with each piece's
 * offset in the body, until `visit` returns true or the body ends. An uncompressed tar in a file
 * region is read positionally from `from`; anything else is streamed again through the
 * decompressor and tar parser (matching the entry by path and occurrence, with the same naming
 * rules as when the layer was read), pieces before `from` skipped, and released once done.
 * Nothing is kept: memory is one piece.
 */
async function scanBody(blob: LayerBlob | undefined, contents: LayerContents, local: number, from: number, visit: (piece: Uint8Array, at: number) => boolean): Promise<void> {
  if (!blob) throw new Error(NO_BLOB);
  const entry = contents.entries[local];
  if (!entry) throw new Error(`no entry ${local} in the layer`);
  const size = entry.size;
  if (blob.kind === 'file-region' && contents.bodyOffsets) {
    const base = blob.offset + contents.bodyOffsets[local]!;
    const fh = await open(blob.file, 'r');
    try {
      const piece = Buffer.alloc(Math.min(SCAN_CHUNK, Math.max(1, size - from)));
      for (let at = Math.max(0, from); at < size; ) {
        const n = Math.min(piece.length, size - at);
        const { bytesRead } = await fh.read(piece, 0, n, base + at);
        if (bytesRead < n) throw new Error('the layer ended before the file did');
        if (visit(piece.subarray(0, n), at)) return;
        at += n;
      }
    } finally {
      await fh.close();
    }
    return;
  }
  let occurrence = 0;
  for (let k = 0; k < local; k++) if (contents.entries[k]!.path === entry.path) occurrence++;
  const stored = await openStored(blob);
  let found = false;
  let done = false;
  try {
    const tar = await decodeStored(stored, (what) => new Error(`unknown layer compression: ${what}`));
    let seen = 0;
    const parser = new TarParser('the layer', undefined, (h) => {
      const e = toEntry(h);
      if (!e || found || e.path !== entry.path) return undefined;
      if (seen++ !== occurrence) return undefined;
      found = true;
      let pos = 0;
      return {
        data: (d) => {
          if (done) return;
          const b = d as Uint8Array;
          const at = pos;
          pos += b.length;
          if (pos <= from) return;
          const skip = Math.max(0, from - at);
          if (visit(b.subarray(skip), at + skip)) done = true;
        },
        end: () => {
          done = true;
        },
      };
    });
    for await (const chunk of tar) {
      parser.write(chunk as Buffer);
      if (done) break;
    }
  } finally {
    // Stopped early once done: release the file or connection.
    stored.destroy();
  }
  if (!found) throw new Error(`/${entry.path} was not found when the layer was read again`);
}

/**
 * Reads a window of one entry's body (`local` indexes `contents.entries`): a positional read
 * of an uncompressed tar in a file region, otherwise the layer is streamed again and only the
 * window's bytes are kept, stopping once it is full. Memory stays bounded by `length` (plus
 * one piece) however big the file.
 */
export async function readWindow(
  blob: LayerBlob | undefined,
  contents: LayerContents,
  local: number,
  offset: number,
  length: number,
  opts: WindowOptions = {},
): Promise<BodyWindow> {
  if (!blob) throw new Error(NO_BLOB);
  const entry = contents.entries[local];
  if (!entry) throw new Error(`no entry ${local} in the layer`);
  const size = entry.size;
  const start = Math.max(0, Math.min(offset, size));
  const end = Math.min(size, start + Math.max(0, length));
  const out = Buffer.alloc(end - start);
  let linesBefore = 0;
  const positional = blob.kind === 'file-region' && contents.bodyOffsets !== undefined;
  // Positionally, the newlines before the window are counted in pieces and the window read at
  // once; streamed, one pass does both.
  const countFirst = positional && opts.countLines && start > 0;
  if (countFirst) {
    await scanBody(blob, contents, local, 0, (p, at) => {
      linesBefore += countNewlines(p, 0, Math.min(p.length, start - at));
      return at + p.length >= start;
    });
  }
  if (end === start && positional) return { offset: start, bytes: out, size, linesBefore };
  await scanBody(blob, contents, local, countFirst || !opts.countLines ? start : 0, (p, at) => {
    const to = at + p.length;
    if (opts.countLines && !countFirst && at < start) linesBefore += countNewlines(p, 0, Math.min(p.length, start - at));
    const lo = Math.max(at, start);
    const hi = Math.min(to, end);
    if (hi > lo) out.set(p.subarray(lo - at, hi - at), lo - start);
    return to >= end;
  });
  return { offset: start, bytes: out, size, linesBefore };
}

/**
 * Where `pattern` next occurs in one entry's body: the first match at or after `from`, or
 * (`backward`) the last that starts before it; -1 when none. Matches never overlap. One pass
 * at most, one piece in memory at a time, stopping as soon as the answer is known.
 */
export async function findInBody(blob: LayerBlob | undefined, contents: LayerContents, local: number, pattern: BytePattern, from: number, backward: boolean): Promise<number> {
  if (pattern.bytes.length === 0) return -1;
  const m = createMatcher(pattern);
  let best = -1;
  // Forward, the scan starts at `from` (a positional read skips what lies before it).
  await scanBody(blob, contents, local, backward ? 0 : Math.max(0, from), (p, at) => {
    for (const hit of m.push(p, at)) {
      if (!backward && hit >= from) {
        best = hit;
        return true;
      }
      if (backward) {
        if (hit >= from) return true;
        best = hit;
      }
    }
    return backward && at + p.length >= from + pattern.bytes.length;
  });
  return best;
}

/** Every match of `pattern` in one entry's body, none overlapping: the first `max` starts and the total. One pass; `signal` stops it. */
export async function countInBody(blob: LayerBlob | undefined, contents: LayerContents, local: number, pattern: BytePattern, max: number, signal?: AbortSignal): Promise<BodyMatches> {
  const starts: number[] = [];
  let total = 0;
  if (pattern.bytes.length === 0) return { starts, total };
  const m = createMatcher(pattern);
  await scanBody(blob, contents, local, 0, (p, at) => {
    signal?.throwIfAborted();
    for (const hit of m.push(p, at)) {
      if (starts.length < max) starts.push(hit);
      total++;
    }
    return false;
  });
  return { starts, total };
}
