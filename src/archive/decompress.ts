import zlib from 'node:zlib';
import { Transform, type TransformCallback } from 'node:stream';
import { createRequire } from 'node:module';
import type { Compression } from './layer-blob.js';
import { checksumOk } from './tar-header.js';

/**
 * Tells the compression from a blob's first bytes: gzip (also eStargz), zstd, or a plain tar
 * (a valid ustar/GNU header, or an all-zero first block: an empty tar). Returns a description
 * of the format instead when it is something else, for the error message.
 */
export function sniffCompression(head: Uint8Array): Compression | { unknown: string } {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  // A zstd stream may start with skippable frames (magic 0x184D2A50–5F, little-endian; RFC 8878 §3.1.2).
  if (head.length >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58) {
    return { unknown: 'xz-compressed data (not a layer format OCI defines)' };
  }
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) {
    return { unknown: 'bzip2-compressed data (not a layer format OCI defines)' };
  }
  if (head.length >= 512) {
    let zero = true;
    for (let i = 0; i < 512; i++) if (head[i] !== 0) { zero = false; break; }
    if (zero) return 'none';
    const magic = String.fromCharCode(...head.subarray(257, 262));
    if (magic === 'ustar') return 'none';
    // Pre-POSIX (v7) tar: no magic, but the checksum still holds.
    if (checksumOk(head)) return 'none';
  } else if (head.length === 0) {
    return { unknown: 'an empty blob' };
  }
  return { unknown: 'neither a tar nor gzip- or zstd-compressed data' };
}

/**
 * The next slice of compressed input for fzstd, from what the last one (`n` bytes) decoded to:
 * at most ~4 MiB of output per slice at the ratio seen (RLE blocks reach 32768:1, so down to
 * 128 bytes), at most 64 KiB, and growing at most twofold per step (a slice that decoded
 * nothing, like a frame header, proves nothing). Normal layers (ratios under 16) get 64 KiB.
 */
export function nextZstdSlice(slice: number, n: number, decoded: number): number {
  const target = Math.floor((4 << 20) / Math.max(1, decoded / n));
  return Math.max(128, Math.min(64 << 10, target, slice * 2));
}

/**
 * A zstd decoder as a Transform, from fzstd (pure JS) for Node versions without zlib zstd.
 * fzstd decodes synchronously and a few bytes of RLE blocks can stand for gigabytes, so input
 * goes in slices sized by the ratio seen so far (`nextZstdSlice`), and when
 * the reader is not keeping up the rest of the chunk waits for `_read`: memory stays bounded
 * whatever the decompressed size.
 */
class FzstdTransform extends Transform {
  private readonly d: import('fzstd').Decompress;
  private pending: { chunk: Buffer; at: number; cb: TransformCallback } | undefined;
  private full = false;
  private decoded = 0;
  private slice = 128;
  constructor() {
    super();
    // Loaded on first use: most runs never meet zstd on a Node without it.
    const { Decompress } = createRequire(import.meta.url)('fzstd') as typeof import('fzstd');
    this.d = new Decompress((chunk) => {
      this.decoded += chunk.length;
      if (!this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) this.full = true;
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending = { chunk, at: 0, cb };
    this.full = false;
    this.pump();
  }
  override _read(size: number): void {
    if (this.pending && this.full) {
      this.full = false;
      this.pump();
    }
    super._read(size);
  }
  private pump(): void {
    const p = this.pending!;
    while (p.at < p.chunk.length) {
      const n = Math.min(this.slice, p.chunk.length - p.at);
      const before = this.decoded;
      try {
        this.d.push(new Uint8Array(p.chunk.buffer, p.chunk.byteOffset + p.at, n));
      } catch (e) {
        this.pending = undefined;
        return p.cb(e as Error);
      }
      p.at += n;
      this.slice = nextZstdSlice(this.slice, n, this.decoded - before);
      if (this.full) return; // the rest when the reader asks (`_read`)
    }
    this.pending = undefined;
    p.cb();
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: () => Transform };

/** True when this Node has a native zstd decoder in zlib (22.15+, 23.8+). */
export const hasNativeZstd = typeof (zlib as ZlibWithZstd).createZstdDecompress === 'function';

/** A Transform that decompresses `c`, or undefined for plain data. */
export function createDecompressor(c: Compression, forcePureZstd = false): Transform | undefined {
  switch (c) {
    case 'gzip':
      // eStargz and multi-member gzip are concatenated members; gunzip reads them all.
      return zlib.createGunzip({ chunkSize: 256 * 1024 });
    case 'zstd':
      if (hasNativeZstd && !forcePureZstd) return (zlib as ZlibWithZstd).createZstdDecompress!();
      return new FzstdTransform();
    case 'none':
      return undefined;
  }
}
