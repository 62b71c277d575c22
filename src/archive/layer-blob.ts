import type { Readable } from 'node:stream';
import type { LayerEntry } from '../core/index.js';
import type { DigestAlgorithm } from './digest.js';

/**
 * Where a layer's bytes are. A region of a file on disk can be read positionally (and, if it
 * is an uncompressed tar, indexed without reading bodies); a stream is read once, front to back.
 */
export type LayerBlob =
  | {
      readonly kind: 'file-region';
      /** Absolute or cwd-relative path of the file holding the blob. */
      readonly file: string;
      /** Byte offset of the blob inside the file. */
      readonly offset: number;
      readonly length: number;
    }
  | {
      readonly kind: 'stream';
      /** Opens a fresh stream of the blob's bytes, as stored (compressed or not). The caller destroys it. */
      readonly open: () => Promise<Readable>;
      /** Length of the blob as stored, when known (for progress). */
      readonly length?: number;
    };

export type Compression = 'none' | 'gzip' | 'zstd';

/**
 * A typed array without its writers (TypeScript has no readonly typed arrays): elements are
 * read-only and `set`, `fill`, `copyWithin`, `reverse`, `sort` and `subarray` (a writable
 * view) are gone. Any typed array of the kind is one.
 */
export type ReadonlyTypedArray<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array> = Readonly<Omit<T, 'set' | 'fill' | 'copyWithin' | 'reverse' | 'sort' | 'subarray'>>;

/**
 * The result of reading one layer. Nothing writes into it after it is made: bodies hashed later
 * come back from `hashEntries` as a `BodyDigests` table of their own.
 */
export type LayerContents = {
  readonly entries: readonly LayerEntry[];
  /**
   * The hex sha256 of each regular file's body, parallel to `entries`, where known when the
   * contents were made: every body of a layer read as a stream (hashed as it passed), and the
   * bodies a layer cache entry kept. Undefined elsewhere (a positionally indexed tar reads no
   * body).
   */
  readonly digests: readonly (string | undefined)[];
  readonly compression: Compression;
  /** Bytes of the uncompressed tar. */
  readonly tarSize: number;
  /**
   * For positionally indexed tars: the offset of each entry's body inside the blob, parallel to
   * `entries`, so a body can be hashed later without a second scan. Absent for streams (their
   * regular-file bodies are hashed while they pass).
   */
  readonly bodyOffsets?: ReadonlyTypedArray<Float64Array>;
  /**
   * For positionally indexed tars: a fingerprint of each regular file's first 4 KiB when the
   * body was already in memory (NaN otherwise). Different keys prove different content.
   */
  readonly sampleKeys?: ReadonlyTypedArray<Float64Array>;
  /**
   * The bodies of the package database files among the entries (`packageFileKind`), by entry
   * index, kept as a stream passed (a streamed layer cannot be read again cheaply), within the
   * package reader's caps. Absent for a positionally indexed tar: its bodies are read in place.
   */
  readonly packageBodies?: ReadonlyMap<number, Uint8Array>;
  /**
   * Digests of the bytes as they passed while reading, for the lifecycle to compare with what
   * the image claims. Absent when nothing was hashed (a positional scan reads no bodies: the
   * lifecycle hashes such a blob itself).
   */
  readonly measured?: Measured;
};

/** Digests of a layer's bytes as read, each `algo:hex`. */
export type Measured = {
  /** Of the blob as stored (compressed or not), one per algorithm asked for. */
  readonly stored?: readonly string[];
  /** Bytes of the blob as stored. */
  readonly storedSize?: number;
  /** Of the uncompressed tar, one per algorithm asked for. */
  readonly tar?: readonly string[];
};

/** Which digests a reader computes while the bytes pass: algorithms for the stored blob and for the tar. */
export type HashRequest = { readonly stored?: readonly DigestAlgorithm[]; readonly tar?: readonly DigestAlgorithm[] };

/** Progress callback: bytes of the stored blob consumed so far, and its total when known. */
export type ProgressFn = (done: number, total: number | undefined) => void;

/** Where one layer's bytes are, and what reading it found: enough to read bodies again (extraction, the file viewer). */
export type LayerAccess = { readonly blob?: LayerBlob; readonly contents: LayerContents };
