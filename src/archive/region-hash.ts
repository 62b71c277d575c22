import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { SourceError } from '../errors/index.js';
import type { DigestAlgorithm } from './digest.js';

/** What hashing a file region found: `algo:hex` per algorithm asked for, and how many bytes there were. */
export type RegionDigests = { readonly digests: readonly string[]; readonly bytes: number };

const CHUNK = 1 << 20;

/**
 * Positional reads of one file: synchronous on a worker thread (nothing else waits there, and a
 * read costs no trip through libuv's pool), asynchronous on the main thread.
 */
type Reader = { read(buf: Buffer, n: number, pos: number): number | Promise<number>; close(): void | Promise<void> };

async function openReader(file: string, sync: boolean): Promise<Reader> {
  if (sync) {
    const fd = openSync(file, 'r');
    return { read: (buf, n, pos) => readSync(fd, buf, 0, n, pos), close: () => closeSync(fd) };
  }
  const fh = await open(file, 'r');
  return { read: async (buf, n, pos) => (await fh.read(buf, 0, n, pos)).bytesRead, close: () => fh.close() };
}

/**
 * Hashes `length` bytes at `offset` of `file` with each of `algos` in one pass. Resolves with
 * the digests and the bytes actually there (fewer when the file is shorter). File-system errors
 * are thrown as they come (the caller names the layer); an aborted `signal` stops the reading
 * between chunks with its reason.
 */
export async function hashFileRegion(file: string, offset: number, length: number, algos: readonly DigestAlgorithm[], sync: boolean, signal?: AbortSignal): Promise<RegionDigests> {
  const reader = await openReader(file, sync);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const hashes = algos.map((a) => createHash(a));
    let pos = offset;
    let left = length;
    while (left > 0) {
      signal?.throwIfAborted();
      const n = await reader.read(buf, Math.min(left, CHUNK), pos);
      if (n === 0) break;
      const chunk = n === CHUNK ? buf : buf.subarray(0, n);
      for (const h of hashes) h.update(chunk);
      pos += n;
      left -= n;
    }
    return { digests: hashes.map((h, i) => `${algos[i]}:${h.digest('hex')}`), bytes: length - left };
  } finally {
    await reader.close();
  }
}

/**
 * The hex sha256 of each body (`sizes[k]` bytes at absolute `offsets[k]` of `file`), in order.
 * Throws SourceError('corrupt') naming `label` when the file ends inside a body, and the
 * reason of an aborted `signal` (checked between chunks).
 */
export async function hashBodies(file: string, offsets: ArrayLike<number>, sizes: ArrayLike<number>, label: string, sync: boolean, signal?: AbortSignal): Promise<string[]> {
  const reader = await openReader(file, sync);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const out = new Array<string>(offsets.length);
    for (let k = 0; k < offsets.length; k++) {
      const h = createHash('sha256');
      let left = sizes[k]!;
      let pos = offsets[k]!;
      while (left > 0) {
        signal?.throwIfAborted();
        const n = await reader.read(buf, Math.min(left, CHUNK), pos);
        if (n === 0) throw new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`);
        h.update(n === CHUNK ? buf : buf.subarray(0, n));
        left -= n;
        pos += n;
      }
      out[k] = h.digest('hex');
    }
    return out;
  } finally {
    await reader.close();
  }
}

/** Pairs of bodies to compare: `a[k]` and `b[k]` are `[file, absolute offset]`, `sizes[k]` their common size. */
export type BodyPairs = {
  readonly files: readonly string[];
  /** Per pair: index into `files` and offset of the first body, then of the second. */
  readonly at: Float64Array;
  readonly sizes: Float64Array;
};

const COMPARE_CHUNK = 256 << 10;

/**
 * Whether each pair of bodies holds the same bytes, reading both side by side and stopping at
 * the first difference: where only "equal or not" is asked, this costs two reads and a memcmp
 * instead of two sha256 passes. Throws SourceError('corrupt') naming `label` when a file ends
 * inside a body, and the reason of an aborted `signal` (checked between chunks).
 */
export async function compareBodies(pairs: BodyPairs, label: string, sync: boolean, signal?: AbortSignal): Promise<boolean[]> {
  const readers = new Map<number, Reader>();
  const readerOf = async (f: number) => readers.get(f) ?? readers.set(f, await openReader(pairs.files[f]!, sync)).get(f)!;
  try {
    const x = Buffer.allocUnsafe(COMPARE_CHUNK);
    const y = Buffer.allocUnsafe(COMPARE_CHUNK);
    const out = new Array<boolean>(pairs.sizes.length);
    for (let k = 0; k < pairs.sizes.length; k++) {
      const [fa, oa, fb, ob] = [pairs.at[4 * k]!, pairs.at[4 * k + 1]!, pairs.at[4 * k + 2]!, pairs.at[4 * k + 3]!];
      const ra = await readerOf(fa);
      const rb = await readerOf(fb);
      let equal = true;
      for (let done = 0, size = pairs.sizes[k]!; equal && done < size; ) {
        signal?.throwIfAborted();
        const want = Math.min(COMPARE_CHUNK, size - done);
        const n = await ra.read(x, want, oa + done);
        const m = await rb.read(y, want, ob + done);
        if (n < want || m < want) throw new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`);
        equal = x.subarray(0, want).equals(y.subarray(0, want));
        done += want;
      }
      out[k] = equal;
    }
    return out;
  } finally {
    for (const r of readers.values()) await r.close();
  }
}
