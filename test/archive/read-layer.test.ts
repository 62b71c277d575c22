import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hasNativeZstd, sniffCompression } from '../../src/archive/decompress.js';
import { hashEntries } from '../../src/archive/entry-hash.js';
import { readLayer, readLayerStream } from '../../src/archive/read-layer.js';
import { buildTar, pad512, rawHeader, sha256, tmpDir } from '../helpers/image-files.js';

const longDir = Array.from({ length: 12 }, (_, i) => `directory-level-${i + 1}-with-a-long-name`).join('/');

const items = [
  { name: 'data/', type: 'directory' as const },
  { name: 'data/file.txt', body: 'hello\n' },
  { name: 'usr/bin/bb2', body: 'binary', mode: 0o4755 },
  { name: 'usr/bin/bb-hard', type: 'link' as const, linkname: 'usr/bin/bb2' },
  { name: 'usr/bin/bb-sym', type: 'symlink' as const, linkname: '/usr/bin/bb2' },
  { name: 'data/fifo', type: 'fifo' as const },
  { name: 'dev/null', type: 'character-device' as const, devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'data/ünïcödé name.txt', body: '' },
  { name: 'data/tab\tname', body: '' },
  { name: `deep/${longDir}/file-with-a-long-name-too.txt`, body: 'deep\n' },
  { name: 'tmp/', type: 'directory' as const, mode: 0o1777 },
  { name: 'data/.wh.gone', body: '' },
];

async function viaFile(buf: Buffer) {
  const dir = tmpDir();
  const f = path.join(dir, 'layer');
  writeFileSync(f, buf);
  const blob = { kind: 'file-region' as const, file: f, offset: 0, length: buf.length };
  return { blob, contents: await readLayer(blob, { label: 'test layer' }) };
}

describe('layer reader', () => {
  it('reads every entry kind, PAX long names, non-ASCII names, setuid and sticky bits', async () => {
    const { contents } = await viaFile(await buildTar(items));
    const byPath = new Map(contents.entries.map((e) => [e.path, e]));
    expect(contents.compression).toBe('none');
    expect(byPath.get('data')).toMatchObject({ type: 'dir', mode: 0o755 });
    expect(byPath.get('usr/bin/bb2')).toMatchObject({ type: 'file', mode: 0o4755, size: 6 });
    expect(byPath.get('usr/bin/bb-hard')).toMatchObject({ type: 'hardlink', linkTarget: 'usr/bin/bb2' });
    expect(byPath.get('usr/bin/bb-sym')).toMatchObject({ type: 'symlink', linkTarget: '/usr/bin/bb2' });
    expect(byPath.get('data/fifo')?.type).toBe('fifo');
    expect(byPath.get('dev/null')).toMatchObject({ type: 'char-device', devMajor: 1, devMinor: 3 });
    expect(byPath.has('data/ünïcödé name.txt')).toBe(true);
    expect(byPath.has('data/tab\tname')).toBe(true);
    expect(byPath.get(`deep/${longDir}/file-with-a-long-name-too.txt`)?.size).toBe(5);
    expect(byPath.get('tmp')?.mode).toBe(0o1777);
    expect(byPath.has('data/.wh.gone')).toBe(true);
  });

  it('indexes positionally without reading bodies, and hashes a body only on request', async () => {
    const tarBuf = await buildTar(items);
    const { blob, contents } = await viaFile(tarBuf);
    expect(contents.bodyOffsets).toBeDefined();
    expect(contents.digests.every((d) => d === undefined)).toBe(true);
    const k = contents.entries.findIndex((e) => e.path === 'data/file.txt');
    const found = await hashEntries(blob, contents, [k]);
    expect(found.get(k)).toBe(sha256(Buffer.from('hello\n')));
    expect(found.size).toBe(1);
    // Returned, not written into what the read made.
    expect(contents.digests.every((d) => d === undefined)).toBe(true);
  });

  it('gives the same entries positionally, as a stream, and gzip-compressed', async () => {
    const tarBuf = await buildTar(items);
    const positional = (await viaFile(tarBuf)).contents.entries;
    const streamed = await readLayerStream(Readable.from([tarBuf]), tarBuf.length, { label: 't' });
    const gz = await viaFile(zlib.gzipSync(tarBuf));
    expect(gz.contents.compression).toBe('gzip');
    expect(streamed.entries).toEqual(positional);
    expect(gz.contents.entries).toEqual(positional);
    // streams hash file bodies as they pass
    expect(streamed.digests[streamed.entries.findIndex((e) => e.path === 'data/file.txt')]).toBe(sha256(Buffer.from('hello\n')));
  });

  it('reads GNU long names, long link names and base-256 sizes', async () => {
    const longName = `gnu/${'n'.repeat(150)}/file`;
    const longLink = `/${'t'.repeat(130)}`;
    const body = Buffer.from('12345');
    const tarBuf = Buffer.concat([
      rawHeader({ name: '././@LongLink', typeflag: 'L', size: longName.length + 1, magic: 'gnu' }),
      pad512(Buffer.from(`${longName}\0`)),
      rawHeader({ name: longName.slice(0, 99), typeflag: '0', size: 5, base256Size: true, magic: 'gnu' }),
      pad512(body),
      rawHeader({ name: '././@LongLink', typeflag: 'K', size: longLink.length + 1, magic: 'gnu' }),
      pad512(Buffer.from(`${longLink}\0`)),
      rawHeader({ name: 'gnu/link', typeflag: '2', size: 0, linkname: 'x', magic: 'gnu' }),
      Buffer.alloc(1024),
    ]);
    for (const entries of [
      (await viaFile(tarBuf)).contents.entries,
      (await readLayerStream(Readable.from([tarBuf]), undefined, { label: 't' })).entries,
    ]) {
      expect(entries.map((e) => [e.path, e.size, e.linkTarget])).toEqual([
        [longName, 5, undefined],
        ['gnu/link', 0, longLink],
      ]);
    }
  });

  it.each([
    [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]), /xz-compressed/],
    [Buffer.from('BZh91AY&SY'), /bzip2/],
    [Buffer.from('{"not": "a layer"}'.padEnd(600, ' ')), /neither a tar nor gzip- or zstd-compressed/],
  ])('names an unknown compression %#', async (buf, msg) => {
    await expect(viaFile(buf)).rejects.toThrow(msg);
    await expect(viaFile(buf)).rejects.toThrow(/^test layer: unknown layer compression/);
  });

  it('reports a truncated tar and a corrupt gzip stream as corrupt, naming the layer', async () => {
    const tarBuf = await buildTar([{ name: 'big', body: Buffer.alloc(5000, 1) }]);
    await expect(viaFile(tarBuf.subarray(0, 2048))).rejects.toThrow(/test layer: the layer is truncated/);
    const gz = zlib.gzipSync(tarBuf);
    gz[gz.length - 12] ^= 0xff;
    gz[40] ^= 0xff;
    await expect(viaFile(gz)).rejects.toThrow(/test layer: (cannot decompress the gzip layer|the layer is truncated|cannot read the layer)/);
  });

  it('sniffs compression from the first bytes', () => {
    expect(sniffCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(sniffCompression(Buffer.alloc(1024))).toBe('none');
  });

  it.runIf(hasNativeZstd)('reads zstd layers with both the native and the pure-JS decoder', async () => {
    const z = zlib as unknown as { zstdCompressSync: (b: Buffer) => Buffer };
    const tarBuf = await buildTar(items);
    const blob = z.zstdCompressSync(tarBuf);
    const a = await readLayerStream(Readable.from([blob]), undefined, { label: 't' });
    const b = await readLayerStream(Readable.from([blob]), undefined, { label: 't', forcePureZstd: true });
    expect(a.compression).toBe('zstd');
    expect(b.entries).toEqual(a.entries);
  });
});
