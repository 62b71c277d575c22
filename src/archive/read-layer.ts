import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import type { LayerEntry } from '../core/model.js';
import { SourceError } from '../errors/index.js';
import { createDecompressor, sniffCompression } from './decompress.js';
import { MultiHash } from './digest.js';
import type { Compression, HashRequest, LayerBlob, LayerContents, Measured, ProgressFn } from './layer-blob.js';
import { applyPax, cleanPath, entryTypeOf, type RawHeader } from './tar-header.js';
import { scanTarRegion } from './tar-scan.js';

/** tar-stream, loaded on first use (a positional scan of a plain tar never needs it). */
export const loadTarStream = () => createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');

export type ReadLayerOptions = {
  /** Names the layer in error messages: `img.tar: layer 3 (sha256:ab12…)`. */
  readonly label: string;
  readonly onProgress?: ProgressFn;
  /** Use the pure-JS zstd decoder even where zlib has one (tests). */
  readonly forcePureZstd?: boolean;
  /**
   * Digests to compute while the bytes pass (`LayerContents.measured`). A stream is hashed as
   * stored and as a tar; a file region's stored bytes never are (the caller hashes those
   * positionally), nor its tar when it is uncompressed and indexed in place.
   */
  readonly hash?: HashRequest;
};

/** Turns a header into an entry; undefined for the root and for flags that are no object. */
export function toEntry(h: RawHeader): LayerEntry | undefined {
  const type = entryTypeOf(h.typeflag, h.name);
  if (type === undefined) return undefined;
  const path = cleanPath(h.name);
  if (path === '') return undefined;
  // Every entry gets the same fields in the same order (one hidden class).
  const linkTarget = type === 'symlink' ? h.linkname : type === 'hardlink' ? cleanPath(h.linkname) : undefined;
  if (type === 'char-device' || type === 'block-device') {
    return { path, type, mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, size: h.size, linkTarget, devMajor: h.devMajor, devMinor: h.devMinor };
  }
  return { path, type, mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, size: h.size, linkTarget };
}

const CHUNK = 1 << 20;

/** Indexes an uncompressed layer tar in a file region; bodies are not read (see `scanTarRegion`). */
async function indexTarRegion(file: string, base: number, length: number, opts: ReadLayerOptions): Promise<LayerContents> {
  const entries: LayerEntry[] = [];
  const offsets: number[] = [];
  const samples: number[] = [];
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
  );
  return { entries, digests: new Array<string | undefined>(entries.length), compression: 'none', tarSize: length, bodyOffsets: Float64Array.from(offsets), sampleKeys: Float64Array.from(samples) };
}

function truncated(label: string): SourceError {
  return new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`);
}

/** Reads the first `n` bytes of a stream and gives back a stream that still yields everything. */
export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let got = 0;
  const it = stream[Symbol.asyncIterator]();
  while (got < n) {
    const r = await it.next();
    if (r.done) break;
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(c);
    got += c.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    if (head.length) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

/**
 * Parses a tar stream with tar-stream, hashing every regular file's body as it passes (a
 * stream cannot be revisited to hash lazily).
 */
export async function readTarStream(source: Readable, label: string, tarHash?: MultiHash): Promise<{ entries: LayerEntry[]; digests: (string | undefined)[]; tarSize: number }> {
  const entries: LayerEntry[] = [];
  const digests: (string | undefined)[] = [];
  let tarSize = 0;
  const counter = new PassThrough();
  counter.on('data', (c: Buffer) => {
    tarSize += c.length;
    tarHash?.update(c);
  });
  const extract = loadTarStream().extract();
  extract.on('entry', (header, body, next) => {
    // When the source fails mid-entry, tar-stream destroys the entry with the error; the
    // pipeline below reports it, so the entry's own copy must not go unhandled.
    body.on('error', () => undefined);
    const pax = (header as { pax?: Record<string, string> }).pax;
    const typeflag = typeflagOf(header.type);
    const raw: RawHeader = {
      name: header.name,
      typeflag,
      mode: header.mode ?? 0,
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
      size: header.size ?? 0,
      mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
      linkname: header.linkname ?? '',
      devMajor: header.devmajor ?? 0,
      devMinor: header.devminor ?? 0,
    };
    if (pax) applyPax(raw, pax);
    const e = toEntry(raw);
    if (e && e.type === 'file') {
      const h = createHash('sha256');
      body.on('data', (c: unknown) => h.update(c as Buffer));
      body.on('end', () => {
        entries.push(e);
        digests.push(h.digest('hex'));
        next();
      });
    } else {
      if (e) {
        entries.push(e);
        digests.push(undefined);
      }
      body.on('end', () => next());
      body.resume();
    }
  });
  try {
    await pipeline(source, counter, extract);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const msg = (err as Error).message ?? String(err);
    if (/unexpected end|premature|Unexpected end|aborted/i.test(msg)) throw new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`, { cause: err });
    throw new SourceError('corrupt', label, `cannot read the layer (${msg})`, { cause: err });
  }
  return { entries, digests, tarSize };
}

function typeflagOf(t: string | null | undefined): string {
  switch (t) {
    case 'file':
      return '0';
    case 'link':
      return '1';
    case 'symlink':
      return '2';
    case 'character-device':
      return '3';
    case 'block-device':
      return '4';
    case 'directory':
      return '5';
    case 'fifo':
      return '6';
    case 'contiguous-file':
      return '7';
    default:
      return '?';
  }
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
    return { entries: r.entries, digests: r.digests, compression: c, tarSize: r.tarSize, measured: measured() };
  }
  const r = await readTarStream(tarStream, opts.label, tarHash);
  return { entries: r.entries, digests: r.digests, compression: c, tarSize: r.tarSize, measured: measured() };
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

/** Reads one layer from wherever its blob is. */
export async function readLayer(blob: LayerBlob, opts: ReadLayerOptions): Promise<LayerContents> {
  if (blob.kind === 'stream') {
    return readLayerStream(await blob.open(), blob.length, opts);
  }
  if (blob.length === 0) throw new SourceError('corrupt', opts.label, `the layer blob is empty`);
  const fh = await open(blob.file, 'r');
  try {
    const head = Buffer.alloc(Math.min(512, blob.length));
    await fh.read(head, 0, head.length, blob.offset);
    const c = sniffCompression(head);
    if (typeof c !== 'string') {
      throw new SourceError('unsupported-format', opts.label, `unknown layer compression: ${c.unknown}`);
    }
    if (c === 'none') {
      await fh.close();
      return await indexTarRegion(blob.file, blob.offset, blob.length, opts);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
  const s = createReadStream(blob.file, { start: blob.offset, end: blob.offset + blob.length - 1, highWaterMark: 1 << 20 });
  return readLayerStream(s, blob.length, { ...opts, hash: opts.hash && { tar: opts.hash.tar } });
}

/**
 * Fills `contents.digests[i]` for the given indices of a layer read positionally from a file
 * region. Entries whose digest is known already are skipped. For streams this is a no-op: their
 * bodies were hashed while read.
 */
export async function hashEntries(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>): Promise<void> {
  if (!blob || blob.kind !== 'file-region' || !contents.bodyOffsets) return;
  const todo = [...indices].filter((i) => contents.digests[i] === undefined).sort((a, b) => contents.bodyOffsets![a]! - contents.bodyOffsets![b]!);
  if (todo.length === 0) return;
  const fh = await open(blob.file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const i of todo) {
      const e = contents.entries[i]!;
      const h = createHash('sha256');
      let left = e.size;
      let pos = blob.offset + contents.bodyOffsets[i]!;
      while (left > 0) {
        const n = Math.min(left, CHUNK);
        const { bytesRead } = await fh.read(buf, 0, n, pos);
        if (bytesRead === 0) throw new SourceError('corrupt', blob.file, `the layer is truncated (unexpected end of data)`);
        h.update(buf.subarray(0, bytesRead));
        left -= bytesRead;
        pos += bytesRead;
      }
      contents.digests[i] = h.digest('hex');
    }
  } finally {
    await fh.close();
  }
}

/** Passes a stream through, reporting the bytes seen so far (and hashing them); errors propagate downstream. */
export function countBytes(stream: Readable, report: ProgressFn | undefined, total: number | undefined, hash?: MultiHash): Readable {
  let done = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      hash?.update(chunk);
      report?.(done, total);
      cb(null, chunk);
    },
  });
  stream.on('error', (e) => counting.destroy(e));
  return stream.pipe(counting);
}
