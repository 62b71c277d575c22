/** One-pass parsing: a tar stream (plain, or decoded by the pure-JS zstd decoder) fed to `TarParser`, its failures named. */
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { SourceError } from '../errors/index.js';
import { nextZstdSlice } from './decompress.js';
import type { MultiHash } from './digest.js';
import { type ParsedTar, TarParser } from './tar-parser.js';

/** Turns a failure of the stream under a tar into the error users see. */
function streamError(label: string, err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const msg = (err as Error).message ?? String(err);
  if (/unexpected end|premature|Unexpected end|aborted/i.test(msg)) return new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`, { cause: err });
  return new SourceError('corrupt', label, `cannot read the layer (${msg})`, { cause: err });
}

/** Parses a tar stream in one pass (see `TarParser`). */
export async function readTarStream(source: Readable, label: string, tarHash?: MultiHash): Promise<ParsedTar> {
  const parser = new TarParser(label, tarHash);
  try {
    for await (const c of source) parser.write(c as Buffer);
  } catch (err) {
    throw streamError(label, err);
  }
  return parser.end();
}

/** Decoded bytes between two turns of the event loop (progress, Ctrl+C, the collector's idle tasks). */
const ZSTD_YIELD_EVERY = 64 << 20;

/**
 * Decodes a zstd stream with fzstd (pure JS, for Node versions without zlib zstd), pushing
 * every decoded block straight into the tar parser from the decoder's callback: nothing is
 * buffered, so memory does not depend on the decompressed size. A few bytes of RLE blocks can
 * stand for gigabytes, so compressed input goes in slices sized by the ratio seen so far
 * (`nextZstdSlice`), and the event loop gets a turn every 64 MiB decoded: the
 * decoder's short-lived block buffers are then freed as fast as they are made (a 4 GiB layer
 * peaks near 100 MiB of RSS).
 */
export async function readPureZstdTar(stream: Readable, label: string, tarHash?: MultiHash): Promise<ParsedTar> {
  const parser = new TarParser(label, tarHash);
  const { Decompress } = createRequire(import.meta.url)('fzstd') as typeof import('fzstd');
  let parserError: unknown;
  let decoded = 0;
  const d = new Decompress((out) => {
    decoded += out.length;
    try {
      parser.write(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    } catch (e) {
      parserError ??= e;
      throw e;
    }
  });
  const push = (b: Uint8Array, final = false) => {
    try {
      d.push(b, final);
    } catch (e) {
      if (parserError !== undefined) throw parserError;
      throw new SourceError('corrupt', label, `cannot decompress the zstd layer (${(e as Error).message})`, { cause: e });
    }
  };
  let slice = 128;
  let yieldAt = ZSTD_YIELD_EVERY;
  try {
    for await (const c of stream) {
      const chunk = c as Buffer;
      for (let at = 0; at < chunk.length; ) {
        const n = Math.min(slice, chunk.length - at);
        const before = decoded;
        push(new Uint8Array(chunk.buffer, chunk.byteOffset + at, n));
        at += n;
        slice = nextZstdSlice(slice, n, decoded - before);
        if (decoded >= yieldAt) {
          yieldAt = decoded + ZSTD_YIELD_EVERY;
          await new Promise((r) => setImmediate(r));
        }
      }
    }
    push(new Uint8Array(0), true);
  } catch (err) {
    throw streamError(label, err);
  }
  return parser.end();
}
