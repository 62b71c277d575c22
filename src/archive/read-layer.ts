import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { createRequire } from 'node:module';
import type { LayerEntry } from '../core/model.js';
import { SourceError } from '../errors/index.js';
import { createDecompressor, hasNativeZstd, nextZstdSlice, sniffCompression } from './decompress.js';
import { MultiHash } from './digest.js';
import type { Compression, HashRequest, LayerBlob, LayerContents, Measured, ProgressFn } from './layer-blob.js';
import { cleanPath, entryTypeOf, HeaderFolder, isMetaTypeflag, isZeroBlock, parseHeader, parseSparseExtension, TarFormatError, type RawHeader } from './tar-header.js';
import { scanTarRegion, tarFormatError } from './tar-scan.js';
import { hashBodies } from './region-hash.js';


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

/**
 * A push parser for a tar in one pass with the same header rules as the positional scan
 * (`parseHeader`, `HeaderFolder`: Go's strictness, Docker's leniency), hashing every regular
 * file's body as it passes (a stream cannot be revisited to hash lazily) and the whole tar
 * into `tarHash`. After the end-of-archive block the rest is consumed (and hashed) unread.
 * `write` works synchronously and keeps nothing but one header block and the current meta
 * member, so a decoder can push into it from its output callback without buffering.
 *
 * `write` and `end` throw SourceError('corrupt') naming `label` (and the entry, for a
 * malformed header).
 */
export class TarParser {
  readonly entries: LayerEntry[] = [];
  readonly digests: (string | undefined)[] = [];
  tarSize = 0;
  private readonly folder = new HeaderFolder();
  private readonly block = Buffer.alloc(512);
  private blockFill = 0;
  private mode: 'header' | 'meta' | 'sparse-ext' | 'body' | 'skip' | 'end' = 'header';
  private left = 0;
  private pad = 0;
  private h: RawHeader | undefined;
  private meta: Buffer | undefined;
  private metaFill = 0;
  private entry: LayerEntry | undefined;
  private hash: Hash | undefined;

  private sink: MemberSink | undefined;

  /**
   * @param onMember when given, each member (after PAX and long names are folded in) is handed
   *   to it instead of being collected as an entry: its body goes to the sink it returns.
   */
  constructor(
    private readonly label: string,
    private readonly tarHash?: MultiHash,
    private readonly onMember?: (h: RawHeader) => MemberSink | undefined,
  ) {}

  write(chunk: Buffer): void {
    try {
      this.consume(chunk);
    } catch (err) {
      if (err instanceof TarFormatError) throw tarFormatError(this.label, err);
      throw err;
    }
  }

  /** True when the input so far ends on a member boundary or after the end-of-archive block. */
  get complete(): boolean {
    return this.mode === 'end' || (this.mode === 'header' && this.blockFill === 0);
  }

  /** Ending inside a member (or its padding, or a partial header) is a truncated layer; ending on a member boundary without the end-of-archive blocks is accepted, as Go's reader does. */
  end(): { entries: LayerEntry[]; digests: (string | undefined)[]; tarSize: number } {
    if (this.mode !== 'end' && !(this.mode === 'header' && this.blockFill === 0)) throw truncated(this.label);
    return { entries: this.entries, digests: this.digests, tarSize: this.tarSize };
  }

  private consume(chunk: Buffer): void {
    const chunkStart = this.tarSize;
    this.tarSize += chunk.length;
    this.tarHash?.update(chunk);
    let i = 0;
    while (i < chunk.length && this.mode !== 'end') {
      const avail = chunk.length - i;
      if (this.mode === 'header' || this.mode === 'sparse-ext') {
        const n = Math.min(512 - this.blockFill, avail);
        chunk.copy(this.block, this.blockFill, i, i + n);
        this.blockFill += n;
        i += n;
        if (this.blockFill < 512) break;
        this.blockFill = 0;
        if (this.mode === 'header') this.onHeader(chunkStart + i - 512);
        else {
          const ext = parseSparseExtension(this.block, 0);
          this.h!.sparse += ext.map;
          if (!ext.more) this.startEntry();
        }
      } else if (this.mode === 'meta') {
        const meta = this.meta!;
        const n = Math.min(meta.length - this.metaFill, avail);
        chunk.copy(meta, this.metaFill, i, i + n);
        this.metaFill += n;
        i += n;
        if (this.metaFill === meta.length) {
          this.folder.meta(this.h!, meta);
          this.meta = undefined;
          this.left = this.pad;
          this.mode = this.left > 0 ? 'skip' : 'header';
        }
      } else if (this.mode === 'body') {
        const n = Math.min(this.left, avail);
        this.hash?.update(chunk.subarray(i, i + n));
        this.sink?.data(chunk.subarray(i, i + n));
        this.left -= n;
        i += n;
        if (this.left === 0) this.finishBody();
      } else {
        const n = Math.min(this.left, avail);
        this.left -= n;
        i += n;
        if (this.left === 0) this.mode = 'header';
      }
    }
  }

  private onHeader(at: number): void {
    if (isZeroBlock(this.block)) {
      this.mode = 'end';
      return;
    }
    const h = parseHeader(this.block);
    if (!h) throw new SourceError('corrupt', this.label, `not a valid tar header at byte ${at} (corrupt data)`);
    this.h = h;
    if (isMetaTypeflag(h.typeflag)) {
      if (h.bodySize > META_CAP) throw new TarFormatError(h.name, `a "${h.typeflag}" header of ${h.bodySize} bytes (the limit is ${META_CAP})`);
      this.meta = Buffer.alloc(h.bodySize);
      this.metaFill = 0;
      this.pad = Math.ceil(h.bodySize / 512) * 512 - h.bodySize;
      if (h.bodySize === 0) this.folder.meta(h, this.meta);
      else this.mode = 'meta';
      return;
    }
    this.folder.fold(h);
    if (h.sparseExtended) this.mode = 'sparse-ext';
    else this.startEntry();
  }

  private startEntry(): void {
    const h = this.h!;
    if (this.onMember) {
      this.sink = this.onMember(h);
      this.left = h.bodySize;
      this.pad = Math.ceil(h.bodySize / 512) * 512 - h.bodySize;
      if (this.left === 0) this.finishBody();
      else this.mode = 'body';
      return;
    }
    const e = toEntry(h);
    this.entry = e;
    this.hash = e?.type === 'file' ? createHash('sha256') : undefined;
    if (this.hash && h.sparse !== undefined) this.hash.update(h.sparse);
    this.left = h.bodySize;
    this.pad = Math.ceil(h.bodySize / 512) * 512 - h.bodySize;
    if (this.left === 0) this.finishBody();
    else this.mode = 'body';
  }

  private finishBody(): void {
    this.sink?.end();
    this.sink = undefined;
    if (this.entry) {
      this.entries.push(this.entry);
      this.digests.push(this.hash ? this.hash.digest('hex') : undefined);
    }
    this.entry = undefined;
    this.hash = undefined;
    this.left = this.pad;
    this.mode = this.left > 0 ? 'skip' : 'header';
  }
}

/** Where a member's body goes when a `TarParser` hands members out (`data` gets views of the parser's input: copy what is kept). */
export type MemberSink = { data(chunk: Buffer): void; end(): void };

/** Turns a failure of the stream under a tar into the error users see. */
function streamError(label: string, err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const msg = (err as Error).message ?? String(err);
  if (/unexpected end|premature|Unexpected end|aborted/i.test(msg)) return new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`, { cause: err });
  return new SourceError('corrupt', label, `cannot read the layer (${msg})`, { cause: err });
}

/** Parses a tar stream in one pass (see `TarParser`). */
export async function readTarStream(source: Readable, label: string, tarHash?: MultiHash): Promise<{ entries: LayerEntry[]; digests: (string | undefined)[]; tarSize: number }> {
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
async function readPureZstdTar(stream: Readable, label: string, tarHash?: MultiHash): Promise<{ entries: LayerEntry[]; digests: (string | undefined)[]; tarSize: number }> {
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

/** PAX and GNU long-name bodies larger than this are refused (Go's archive/tar caps them at 1 MiB too). */
const META_CAP = 1 << 20;

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
    return { entries: r.entries, digests: r.digests, compression: c, tarSize: r.tarSize, measured: measured() };
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
  const s = createReadStream(blob.file, { start: blob.offset, end: blob.offset + blob.length - 1, highWaterMark: 1 << 20 });
  return readLayerStream(s, blob.length, { ...opts, hash: opts.hash && { tar: opts.hash.tar } });
}

/**
 * The entries of a layer read positionally from a file region whose bodies are not hashed yet,
 * among `indices`, in the order their bodies lie in the file; none for a stream (its bodies were
 * hashed while read).
 */
export function bodiesToHash(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>): { file: string; todo: number[]; offsets: Float64Array; sizes: Float64Array } | undefined {
  if (!blob || blob.kind !== 'file-region' || !contents.bodyOffsets) return undefined;
  const at = contents.bodyOffsets;
  const todo = [...indices].filter((i) => contents.digests[i] === undefined).sort((a, b) => at[a]! - at[b]!);
  if (todo.length === 0) return undefined;
  return { file: blob.file, todo, offsets: Float64Array.from(todo, (i) => blob.offset + at[i]!), sizes: Float64Array.from(todo, (i) => contents.entries[i]!.size) };
}

/**
 * Fills `contents.digests[i]` for the given indices of a layer read positionally from a file
 * region, on this thread (`WorkerPool.hashEntries` does it on another core). Entries whose
 * digest is known already are skipped. For streams this is a no-op: their bodies were hashed
 * while read.
 */
export async function hashEntries(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>): Promise<void> {
  const job = bodiesToHash(blob, contents, indices);
  if (!job) return;
  const digests = await hashBodies(job.file, job.offsets, job.sizes, job.file, false);
  job.todo.forEach((i, k) => (contents.digests[i] = digests[k]));
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
