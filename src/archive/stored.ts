/** Stored bytes: opening a blob where it lies, and undoing its compression. */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createDecompressor, sniffCompression } from './decompress.js';
import type { LayerBlob } from './layer-blob.js';
import { peek } from './peek.js';

/** The stored bytes of a blob, from the start: its own stream, or its region of a file. The caller destroys it. */
export async function openStored(blob: LayerBlob): Promise<Readable> {
  return blob.kind === 'stream' ? blob.open() : createReadStream(blob.file, { start: blob.offset, end: blob.offset + blob.length - 1, highWaterMark: 1 << 20 });
}

/**
 * The tar inside stored bytes (a layer, or an archive wrapped by `docker save | gzip`): the
 * compression is sniffed from the first bytes and undone, and an error of the stored stream
 * reaches the decoded one. `unknown` makes the error for bytes no known compression starts.
 */
export async function decodeStored(stored: Readable, unknown: (what: string) => Error): Promise<Readable> {
  const { head, stream } = await peek(stored, 512);
  const c = sniffCompression(head);
  if (typeof c !== 'string') throw unknown(c.unknown);
  const dec = createDecompressor(c);
  if (!dec) return stream;
  stream.on('error', (e) => dec.destroy(e));
  return stream.pipe(dec);
}
