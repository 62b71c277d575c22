/** The tar parser state machine: headers, meta members and bodies from bytes pushed in any chunking. */
import { createHash, type Hash } from 'node:crypto';
import type { LayerEntry } from '../core/index.js';
import { SourceError } from '../errors/index.js';
import { isSizeOnlyKind, PACKAGE_LIMITS, packageFileKind } from '../packages/index.js';
import type { MultiHash } from './digest.js';
import { HeaderFolder, isMetaTypeflag, isZeroBlock, parseHeader, parseSparseExtension, TarFormatError, type RawHeader } from './tar-header.js';
import { tarFormatError } from './tar-scan.js';
import { toEntry } from './tar-entry.js';

/** PAX and GNU long-name bodies larger than this are refused (Go's archive/tar caps them at 1 MiB too). */
const META_CAP = 1 << 20;

function truncated(label: string): SourceError {
  return new SourceError('corrupt', label, `the layer is truncated (unexpected end of data)`);
}

/**
 * A push parser for a tar in one pass with the same header rules as the positional scan
 * (`parseHeader`, `HeaderFolder`: Go's strictness, Docker's leniency), hashing every regular
 * file's body as it passes (a stream cannot be revisited to hash lazily) and the whole tar
 * into `tarHash`. After the end-of-archive block the rest is consumed (and hashed) unread.
 * `write` works synchronously and keeps nothing but one header block and the current meta
 * member, so a decoder can push into it from its output callback without buffering.
 *
 * The bodies of package database files (`packageFileKind`, within their kind's cap and, all
 * together, `PACKAGE_LIMITS.totalBytes`) are kept as they pass (`packageBodies`): a stream cannot
 * be revisited to read them, and they are small (a debootstrapped Debian minbase keeps 341 KiB).
 * Classifying a path costs a `lastIndexOf` and a switch: 200k paths took 33–87 ms here.
 *
 * `write` and `end` throw SourceError('corrupt') naming `label` (and the entry, for a
 * malformed header).
 */
export class TarParser {
  readonly entries: LayerEntry[] = [];
  readonly digests: (string | undefined)[] = [];
  /** Bodies of package database files, by index into `entries` (see above). */
  readonly packageBodies = new Map<number, Uint8Array>();
  tarSize = 0;
  private kept = 0;
  private keep: Uint8Array | undefined;
  private keepFill = 0;
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
  end(): ParsedTar {
    if (this.mode !== 'end' && !(this.mode === 'header' && this.blockFill === 0)) throw truncated(this.label);
    return { entries: this.entries, digests: this.digests, tarSize: this.tarSize, packageBodies: this.packageBodies };
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
        if (this.keep) {
          this.keep.set(chunk.subarray(i, i + n), this.keepFill);
          this.keepFill += n;
        }
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
    if (e?.type === 'file' && h.sparse === undefined) this.keepIfPackageFile(e.path, h.bodySize);
    this.left = h.bodySize;
    this.pad = Math.ceil(h.bodySize / 512) * 512 - h.bodySize;
    if (this.left === 0) this.finishBody();
    else this.mode = 'body';
  }

  /** Starts keeping the body of a package database file (see the class comment). */
  private keepIfPackageFile(path: string, size: number): void {
    const kind = packageFileKind(path);
    if (kind === undefined || isSizeOnlyKind(kind) || size > PACKAGE_LIMITS.fileBytes[kind] || this.kept + size > PACKAGE_LIMITS.totalBytes) return;
    this.kept += size;
    this.keep = new Uint8Array(size);
    this.keepFill = 0;
  }

  private finishBody(): void {
    this.sink?.end();
    this.sink = undefined;
    if (this.keep) {
      if (this.entry) this.packageBodies.set(this.entries.length, this.keep);
      this.keep = undefined;
    }
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

/** What a one-pass parse found: the entries, each regular file's digest, the tar's size and the kept package database bodies. */
export type ParsedTar = {
  readonly entries: LayerEntry[];
  readonly digests: (string | undefined)[];
  readonly tarSize: number;
  readonly packageBodies: ReadonlyMap<number, Uint8Array>;
};

/** Where a member's body goes when a `TarParser` hands members out (`data` gets views of the parser's input: copy what is kept). */
export type MemberSink = { data(chunk: Buffer): void; end(): void };
