/** Reading a layer: sniff how its blob is stored and dispatch to the positional scan or a one-pass parse. */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { LayerEntry } from '../core/index.js';
import { SourceError } from '../errors/index.js';
import { countBytes } from './count-bytes.js';
import { createDecompressor, hasNativeZstd, sniffCompression } from './decompress.js';
import { MultiHash } from './digest.js';
import type { Compression, HashRequest, LayerBlob, LayerContents, Measured, ProgressFn } from './layer-blob.js';
import type { ParsedTar } from './tar-parser.js';
import { readPureZstdTar, readTarStream } from './parse-stream.js';
import { peek } from './peek.js';
import { toEntry } from './tar-entry.js';
import { scanTarRegion } from './tar-scan.js';

export type ReadLayerOptions = {
  /** Names the layer in error messages: `img.tar: layer 3 (sha256:ab12…)`. */
  readonly label: string;
  readonly onProgress?: ProgressFn;
  /** Use the pure-JS zstd decoder even where zlib has one (tests). */
  readonly forcePureZstd?: boolean;
  /**
   * Digests to compute while the bytes pass (`LayerContents.measured`), in the one pass that
   * reads the layer: the blob as stored and the tar. An uncompressed tar in a file is then read
   * whole, in order, its headers scanned as the bytes are hashed (without it only its headers
   * are read); stored and tar are the same bytes there, hashed once with every algorithm asked.
   */
  readonly hash?: HashRequest;
};

/**
 * Indexes an uncompressed layer tar in a file region (see `scanTarRegion`): only the headers
 * are read, unless `opts.hash` asks for digests, which are then taken in the same pass.
 */
async function indexTarRegion(file: string, base: number, length: number, opts: ReadLayerOptions): Promise<LayerContents> {
  const entries: LayerEntry[] = [];
  const offsets: number[] = [];
  const samples: number[] = [];
  const algos = [...(opts.hash?.stored ?? []), ...(opts.hash?.tar ?? [])];
  const hash = algos.length > 0 ? new MultiHash(algos) : undefined;
  await scanTarRegion(
    file,
    base,
    length,
    opts.label,
    (h, bodyStart, sample) => {
      const e = toEntry(h);
      if (e) {
        entries.push(e);
        offsets.push(bodyStart);
        samples.push(sample);
      }
    },
    opts.onProgress,
    hash,
  );
  const digests = hash?.digests();
  return {
    entries,
    digests: new Array<string | undefined>(entries.length),
    compression: 'none',
    tarSize: length,
    bodyOffsets: Float64Array.from(offsets),
    sampleKeys: Float64Array.from(samples),
    ...(hash ? { measured: { stored: digests, storedSize: hash.bytes, tar: digests } } : {}),
  };
}

/**
 * Reads a stored (possibly compressed) blob as a stream: sniffs the compression from the first
 * bytes, decompresses, parses the tar.
 */
export async function readLayerStream(stored: Readable, total: number | undefined, opts: ReadLayerOptions): Promise<LayerContents> {
  const storedHash = opts.hash?.stored?.length ? new MultiHash(opts.hash.stored) : undefined;
  const tarHash = opts.hash?.tar?.length ? new MultiHash(opts.hash.tar) : undefined;
  if (opts.onProgress || storedHash) stored = countBytes(stored, opts.onProgress, total, storedHash);
  const { head, stream } = await peek(stored, 512);
  const c = sniffCompression(head);
  if (typeof c !== 'string') {
    stored.destroy();
    throw new SourceError('unsupported-format', opts.label, `unknown layer compression: ${c.unknown}`);
  }
  const measured = (): Measured | undefined =>
    storedHash || tarHash
      ? { ...(storedHash ? { stored: storedHash.digests(), storedSize: storedHash.bytes } : {}), ...(tarHash ? { tar: tarHash.digests() } : {}) }
      : undefined;
  if (c === 'zstd' && (opts.forcePureZstd || !hasNativeZstd)) {
    const r = await readPureZstdTar(stream, opts.label, tarHash);
    return contentsOf(r, c, measured());
  }
  const dec = createDecompressor(c, opts.forcePureZstd);
  let tarStream: Readable = stream;
  if (dec) {
    stream.on('error', (e) => dec.destroy(e));
    dec.on('error', () => undefined);
    tarStream = stream.pipe(dec);
    const decodeError = new Promise<never>((_, reject) =>
      dec.once('error', (e) =>
        reject(new SourceError('corrupt', opts.label, `cannot decompress the ${c} layer (${e.message})`, { cause: e })),
      ),
    );
    decodeError.catch(() => undefined);
    const r = await Promise.race([readTarStream(tarStream, opts.label, tarHash), decodeError]);
    // The tar may end (its end-of-archive blocks) before the compressed stream does: whatever
    // follows must still be hashed, or the stored digest would not cover the whole blob.
    if (storedHash) await drain(stream);
    return contentsOf(r, c, measured());
  }
  const r = await readTarStream(tarStream, opts.label, tarHash);
  return contentsOf(r, c, measured());
}

/** The contents of a layer parsed in one pass. */
export function contentsOf(r: ParsedTar, compression: Compression, measured: Measured | undefined): LayerContents {
  return {
    entries: r.entries,
    digests: r.digests,
    compression,
    tarSize: r.tarSize,
    ...(r.packageBodies.size > 0 ? { packageBodies: r.packageBodies } : {}),
    ...(measured ? { measured } : {}),
  };
}

/** Reads a stream to its end, dropping the data. */
async function drain(s: Readable): Promise<void> {
  if (s.readableEnded || s.destroyed) return;
  await new Promise<void>((resolve, reject) => {
    s.on('end', resolve);
    s.on('close', resolve);
    s.on('error', reject);
    s.resume();
  });
}

/** The compression of a blob stored in a file, from its first bytes (see `sniffCompression`). */
export async function sniffFileRegion(blob: LayerBlob & { readonly kind: 'file-region' }): Promise<ReturnType<typeof sniffCompression>> {
  const fh = await open(blob.file, 'r');
  try {
    const head = Buffer.alloc(Math.min(512, blob.length));
    await fh.read(head, 0, head.length, blob.offset);
    return sniffCompression(head);
  } finally {
    await fh.close();
  }
}

/** Reads one layer from wherever its blob is. */
export async function readLayer(blob: LayerBlob, opts: ReadLayerOptions): Promise<LayerContents> {
  if (blob.kind === 'stream') {
    return readLayerStream(await blob.open(), blob.length, opts);
  }
  if (blob.length === 0) throw new SourceError('corrupt', opts.label, `the layer blob is empty`);
  const c = await sniffFileRegion(blob);
  if (typeof c !== 'string') throw new SourceError('unsupported-format', opts.label, `unknown layer compression: ${c.unknown}`);
  if (c === 'none') return indexTarRegion(blob.file, blob.offset, blob.length, opts);
  // The stored bytes are hashed as they stream to the decompressor: the blob is read once.
  const s = createReadStream(blob.file, { start: blob.offset, end: blob.offset + blob.length - 1, highWaterMark: 1 << 20 });
  return readLayerStream(s, blob.length, opts);
}
