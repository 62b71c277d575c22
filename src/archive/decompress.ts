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

/** A zstd decoder as a Transform, from fzstd (pure JS) for Node versions without zlib zstd. */
class FzstdTransform extends Transform {
  private readonly d: import('fzstd').Decompress;
  constructor() {
    super();
    // Loaded on first use: most runs never meet zstd on a Node without it.
    const { Decompress } = createRequire(import.meta.url)('fzstd') as typeof import('fzstd');
    this.d = new Decompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      cb();
    } catch (e) {
      cb(e as Error);
    }
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
