import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerBlob, LayerContents } from '../../src/archive/layer-blob.js';
import { readLayer } from '../../src/archive/read-layer.js';
import { countInBody, findInBody, readWindow } from '../../src/extract/read-window.js';
import { createMatcher } from '../../src/extract/match.js';
import { buildTar } from '../helpers/image-files.js';

const dir = mkdtempSync(join(tmpdir(), 'read-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}\n`).join('');

/** The USTAR header of one regular file (name < 100 bytes), as tar writes it. */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** Peak resident memory while `run` runs, above what it was before (sampled). */
async function peakGrowth<T>(run: () => Promise<T>): Promise<{ value: T; growth: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const value = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

describe('readWindow', () => {
  it('reads a window positionally from an uncompressed layer and streamed from a gzip one, with the newlines before it', async () => {
    const tar = await buildTar([{ name: 'a.txt', body: 'first version\n' }, { name: 'notes.txt', body: text }, { name: 'a.txt', body: 'second\nversion\n' }]);
    const plain = join(dir, 'plain.tar');
    const gz = join(dir, 'layer.tar.gz');
    writeFileSync(plain, tar);
    const packed = zlib.gzipSync(tar);
    writeFileSync(gz, packed);
    const want = Buffer.from(text).subarray(1000, 1500);
    const before = (Buffer.from(text).subarray(0, 1000).toString().match(/\n/g) ?? []).length;
    for (const file of [plain, gz]) {
      const gzBlob: LayerBlob = { kind: 'file-region', file, offset: 0, length: file === gz ? packed.length : tar.length };
      const contents = await readLayer(gzBlob, { label: 'test' });
      // The plain tar is indexed with body offsets (read positionally); the gzip one is not (streamed).
      expect(contents.bodyOffsets !== undefined).toBe(file === plain);
      const w = await readWindow(gzBlob, contents, 1, 1000, 500, { countLines: true });
      expect(w.offset).toBe(1000);
      expect(w.size).toBe(text.length);
      expect(Buffer.from(w.bytes).equals(want)).toBe(true);
      expect(w.linesBefore).toBe(before);
      // The second entry at the same path is its own body; a window past the end is cut.
      const second = await readWindow(gzBlob, contents, 2, 0, 100);
      expect(second.bytes.toString()).toBe('second\nversion\n');
      const first = await readWindow(gzBlob, contents, 0, 6, 100);
      expect(first.bytes.toString()).toBe('version\n');
    }
  });

  it('finds text in a body, forwards and backwards, without case, across the pieces it reads', async () => {
    // A 3 MiB body with "Needle" straddling the 1 MiB piece boundary and again near the end.
    const body = Buffer.alloc(3 * 1024 * 1024, 'x');
    body.write('Needle', (1 << 20) - 3);
    body.write('needle', body.length - 100);
    const tar = await buildTar([{ name: 'big.txt', body }]);
    const plain = join(dir, 'needle.tar');
    const gz = join(dir, 'needle.tar.gz');
    const packed = zlib.gzipSync(tar);
    writeFileSync(plain, tar);
    writeFileSync(gz, packed);
    for (const [file, length] of [[plain, tar.length], [gz, packed.length]] as const) {
      const blob: LayerBlob = { kind: 'file-region', file, offset: 0, length };
      const contents = await readLayer(blob, { label: 'test' });
      const find = (from: number, backward = false) => findInBody(blob, contents, 0, { bytes: Buffer.from('NEEDLE'), ignoreCase: true }, from, backward);
      expect(await find(0)).toBe((1 << 20) - 3);
      expect(await find((1 << 20) - 2)).toBe(body.length - 100);
      expect(await find(body.length - 99)).toBe(-1);
      expect(await find(body.length, true)).toBe(body.length - 100);
      expect(await find(body.length - 100, true)).toBe((1 << 20) - 3);
      expect(await find((1 << 20) - 3, true)).toBe(-1);
      // Counted in one pass: both, the one across the piece boundary too; exact bytes keep their case.
      expect(await countInBody(blob, contents, 0, { bytes: Buffer.from('needle'), ignoreCase: true }, 10)).toEqual({ starts: [(1 << 20) - 3, body.length - 100], total: 2 });
      expect(await countInBody(blob, contents, 0, { bytes: Buffer.from('needle'), ignoreCase: false }, 10)).toEqual({ starts: [body.length - 100], total: 1 });
    }
  });

  it('counts matches that never overlap, across pieces of any size (grep -o counts the same)', () => {
    const body = Buffer.from('aaaa xaaax aa');
    const starts = (pieces: number) => {
      const m = createMatcher({ bytes: Buffer.from('aa'), ignoreCase: false });
      const out: number[] = [];
      for (let at = 0; at < body.length; at += pieces) out.push(...m.push(body.subarray(at, at + pieces), at));
      return out;
    };
    for (const size of [1, 2, 3, 5, body.length]) expect(starts(size), `pieces of ${size}`).toEqual([0, 2, 6, 11]);
  });

  it('says so when the source kept no blob', async () => {
    const contents: LayerContents = { entries: [{ path: 'x', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 3 }], digests: [], compression: 'none', tarSize: 1024 };
    await expect(readWindow(undefined, contents, 0, 0, 10)).rejects.toThrow('read from stdin');
  });

  it('keeps memory bounded by the window for a 300 MB file streamed, and stops reading once the window is full', async () => {
    const size = 300 * 1024 * 1024;
    const chunk = 1 << 20;
    let pulled = 0;
    const line = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n'); // 64 bytes
    function* tarBytes() {
      yield header('big.txt', size);
      for (let at = 0; at < size; at += chunk) {
        const b = Buffer.allocUnsafe(Math.min(chunk, size - at));
        for (let i = 0; i < b.length; i += 64) line.copy(b, i);
        pulled += b.length;
        yield b;
      }
      yield Buffer.alloc(1024);
    }
    const blob: LayerBlob = { kind: 'stream', open: async () => Readable.from(tarBytes(), { objectMode: false }) };
    const contents: LayerContents = { entries: [{ path: 'big.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size }], digests: [], compression: 'none', tarSize: size + 1536 };
    const offset = size - 64 * 1000;
    const { value: w, growth } = await peakGrowth(() => readWindow(blob, contents, 0, offset, 128 * 1024, { countLines: true }));
    expect(w.bytes.length).toBe(64 * 1000);
    expect(w.linesBefore).toBe(offset / 64);
    expect(Buffer.from(w.bytes.subarray(0, 64)).equals(line)).toBe(true);
    expect(growth).toBeLessThan(120 * 1024 * 1024);
    // Near the start, the stream is left after the window: far from all of it is read.
    pulled = 0;
    const early = await readWindow(blob, contents, 0, 640, 640);
    expect(early.bytes.length).toBe(640);
    expect(pulled).toBeLessThan(size / 10);
  }, 60_000);

  it('reads a window of a 150 MB file positionally without holding it, lines counted in pieces', async () => {
    const size = 150 * 1024 * 1024;
    const file = join(dir, 'sparse.tar');
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, header('big.bin', size), 0, 512, 0);
      // A sparse body: zeros but for a few newlines and a marker near the end.
      for (const at of [10, 5_000_000, 100_000_000]) writeSync(fd, Buffer.from('\n'), 0, 1, 512 + at);
      writeSync(fd, Buffer.from('marker'), 0, 6, 512 + size - 100);
      ftruncateSync(fd, 512 + size + 512 - (size % 512 || 512) + 1024);
    } finally {
      closeSync(fd);
    }
    const blob: LayerBlob = { kind: 'file-region', file, offset: 0, length: 512 + size + 1024 };
    const contents: LayerContents = {
      entries: [{ path: 'big.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, size }],
      digests: [],
      compression: 'none',
      tarSize: size + 1536,
      bodyOffsets: Float64Array.from([512]),
    };
    const { value: w, growth } = await peakGrowth(() => readWindow(blob, contents, 0, size - 128, 1 << 17, { countLines: true }));
    expect(w.bytes.length).toBe(128);
    expect(Buffer.from(w.bytes.subarray(28, 34)).toString()).toBe('marker');
    expect(w.linesBefore).toBe(3);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
