import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createDecompressor, sniffCompression } from '../archive/decompress.js';
import type { LayerBlob, LayerContents } from '../archive/layer-blob.js';
import { peek, TarParser, toEntry } from '../archive/read-layer.js';

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

/** Chunk of the positional newline count: the prefix is scanned in pieces this big, never held. */
const SCAN_CHUNK = 1 << 20;

function countNewlines(b: Uint8Array, from = 0, to = b.length): number {
  let n = 0;
  for (let i = b.indexOf(10, from); i >= 0 && i < to; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Reads a window of one entry's body (`local` indexes `contents.entries`): a positional read
 * of an uncompressed tar in a file region, otherwise the layer is streamed again through the
 * decompressor and tar parser and only the window's bytes are kept, stopping once it is full.
 * Memory stays bounded by `length` (plus one read chunk) however big the file.
 */
export async function readWindow(
  blob: LayerBlob | undefined,
  contents: LayerContents,
  local: number,
  offset: number,
  length: number,
  opts: WindowOptions = {},
): Promise<BodyWindow> {
  if (!blob) throw new Error('contents are not kept for an image read in one pass (daemon export, stdin): save it to a file to view them');
  const entry = contents.entries[local];
  if (!entry) throw new Error(`no entry ${local} in the layer`);
  const size = entry.size;
  const start = Math.max(0, Math.min(offset, size));
  const end = Math.min(size, start + Math.max(0, length));
  if (blob.kind === 'file-region' && contents.bodyOffsets) {
    const base = blob.offset + contents.bodyOffsets[local]!;
    const fh = await open(blob.file, 'r');
    try {
      let linesBefore = 0;
      if (opts.countLines && start > 0) {
        const chunk = Buffer.alloc(Math.min(SCAN_CHUNK, start));
        for (let at = 0; at < start; ) {
          const n = Math.min(chunk.length, start - at);
          const { bytesRead } = await fh.read(chunk, 0, n, base + at);
          if (bytesRead < n) throw new Error('the layer ended before the file did');
          linesBefore += countNewlines(chunk, 0, n);
          at += n;
        }
      }
      const bytes = Buffer.alloc(end - start);
      if (bytes.length > 0) {
        const { bytesRead } = await fh.read(bytes, 0, bytes.length, base + start);
        if (bytesRead < bytes.length) throw new Error('the layer ended before the file did');
      }
      return { offset: start, bytes, size, linesBefore };
    } finally {
      await fh.close();
    }
  }
  // The occurrence of the path this entry is (a path may appear twice in a layer), matched with
  // the same parser and naming rules as when the layer was read.
  let occurrence = 0;
  for (let k = 0; k < local; k++) if (contents.entries[k]!.path === entry.path) occurrence++;
  const stored: Readable =
    blob.kind === 'stream' ? await blob.open() : createReadStream(blob.file, { start: blob.offset, end: blob.offset + blob.length - 1, highWaterMark: 1 << 20 });
  const out = Buffer.alloc(end - start);
  let linesBefore = 0;
  let found = false;
  let done = false;
  try {
    const { head, stream } = await peek(stored, 512);
    const c = sniffCompression(head);
    if (typeof c !== 'string') throw new Error(`unknown layer compression: ${c.unknown}`);
    const dec = createDecompressor(c);
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
          const from = pos;
          const to = pos + b.length;
          pos = to;
          if (opts.countLines && from < start) linesBefore += countNewlines(b, 0, Math.min(b.length, start - from));
          const lo = Math.max(from, start);
          const hi = Math.min(to, end);
          if (hi > lo) out.set(b.subarray(lo - from, hi - from), lo - start);
          if (to >= end) done = true;
        },
        end: () => {
          done = true;
        },
      };
    });
    if (dec) stream.on('error', (e) => dec.destroy(e));
    for await (const chunk of dec ? stream.pipe(dec) : stream) {
      parser.write(chunk as Buffer);
      if (done) break;
    }
  } finally {
    // Stopped early once the window is full: release the file or connection.
    stored.destroy();
  }
  if (!found) throw new Error(`/${entry.path} was not found when the layer was read again`);
  return { offset: start, bytes: out, size, linesBefore };
}
