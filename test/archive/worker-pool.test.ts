import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerBlob } from '../../src/archive/layer-blob.js';
import { hashEntries } from '../../src/archive/entry-hash.js';
import { readLayer } from '../../src/archive/read-layer.js';
import { WorkerPool } from '../../src/archive/worker-pool.js';
import { SourceError } from '../../src/errors/index.js';
import { buildTar, ROOT, sha256, tmpDir, type TarItem } from '../helpers/image-files.js';

// The worker runs the shipped, bundled code: the test command builds `dist` before the tests run.
const SCRIPT = pathToFileURL(path.join(ROOT, 'dist/pool-worker.js'));
if (!existsSync(SCRIPT)) throw new Error('dist/pool-worker.js is missing: run `npm run build` first (`npm test` does)');

const pools: WorkerPool[] = [];
const threaded = (opts: { size?: number; bodyBytesPerJob?: number } = {}) => {
  const p = new WorkerPool({ script: SCRIPT, readsCompressed: true, ...opts });
  pools.push(p);
  return p;
};
const inThread = new WorkerPool({ script: null });
afterAll(() => pools.forEach((p) => p.close()));

const files: TarItem[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
  { name: 'usr/bin/tool', body: 'x'.repeat(70_000), mode: 0o4755 },
  { name: 'usr/bin/link', type: 'symlink', linkname: '/usr/bin/tool' },
  { name: 'usr/bin/hard', type: 'link', linkname: 'usr/bin/tool' },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'data/ünïcödé\tname', body: 'ü' },
  { name: 'data/.wh.gone', body: '' },
  ...Array.from({ length: 300 }, (_, i) => ({ name: `many/f${i}`, body: `file ${i} `.repeat(i) })),
];

function fileBlob(bytes: Buffer): LayerBlob & { kind: 'file-region' } {
  const f = path.join(tmpDir(), 'blob');
  // Some bytes before the blob, as in an archive holding several.
  writeFileSync(f, Buffer.concat([Buffer.alloc(1536, 7), bytes]));
  return { kind: 'file-region', file: f, offset: 1536, length: bytes.length };
}

describe('worker pool', () => {
  it('runs on worker threads only with a compiled worker', () => {
    expect(threaded().threaded).toBe(true);
    expect(inThread.threaded).toBe(false);
    expect(inThread.readsCompressed).toBe(false);
  });

  it('hashes a region on a worker as on this thread, with the bytes actually there', async () => {
    const tar = await buildTar(files);
    const blob = fileBlob(tar);
    const want = { digests: [`sha256:${sha256(tar)}`], bytes: tar.length };
    expect(await threaded().hashRegion(blob.file, blob.offset, blob.length, ['sha256'], 'L')).toEqual(want);
    expect(await inThread.hashRegion(blob.file, blob.offset, blob.length, ['sha256'], 'L')).toEqual(want);
    // Asking past the end: the digest of what is there, and fewer bytes (the size check's input).
    const short = await threaded().hashRegion(blob.file, blob.offset, blob.length + 4096, ['sha256'], 'L');
    expect(short).toEqual(want);
  });

  it('names the layer when the file cannot be read, on a worker and on this thread', async () => {
    const missing = path.join(tmpDir(), 'gone');
    for (const pool of [threaded(), inThread]) {
      const e = await pool.hashRegion(missing, 0, 10, ['sha256'], 'img.tar: layer 2').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SourceError);
      expect(e).toMatchObject({ kind: 'not-found', subject: 'img.tar: layer 2' });
      expect((e as Error).message).toContain('ENOENT');
    }
  });

  it('hashes bodies in parts spread over the workers, equal to hashing them here', async () => {
    const tar = await buildTar(files);
    const blob = fileBlob(tar);
    const ref = await readLayer(blob, { label: 'L' });
    const all = ref.entries.map((_, i) => i);
    const here = await hashEntries(blob, ref, all);
    // 4 KiB per job: the 300 small files and the 70 kB one go out as many jobs.
    const there = await threaded({ size: 2, bodyBytesPerJob: 4096 }).hashEntries(blob, ref, all);
    expect(there).toEqual(here);
    const tool = ref.entries.findIndex((e) => e.path === 'usr/bin/tool');
    expect(there.get(tool)).toBe(sha256(Buffer.from('x'.repeat(70_000))));
    expect(there.size).toBe(all.length);
  });

  it('reads a gzip layer on a worker into exactly what reading it here gives', async () => {
    const gz = zlib.gzipSync(await buildTar(files));
    const blob = fileBlob(gz);
    const hash = { stored: ['sha256' as const], tar: ['sha256' as const] };
    const progress: number[] = [];
    const there = await threaded().readLayer(blob, { label: 'L', hash, onProgress: (done) => progress.push(done) });
    const here = await readLayer(blob, { label: 'L', hash });
    expect(there).toEqual(here);
    expect(there.entries.map((e) => Object.keys(e))).toEqual(here.entries.map((e) => Object.keys(e)));
    expect(there.compression).toBe('gzip');
    expect(there.entries.find((e) => e.path === 'dev/null')).toMatchObject({ type: 'char-device', devMajor: 1, devMinor: 3 });
    expect(there.entries.find((e) => e.path === 'usr/bin/hard')).toMatchObject({ type: 'hardlink', linkTarget: 'usr/bin/tool' });
    expect(progress.at(-1)).toBe(gz.length);
  });

  it('reads an uncompressed layer on this thread, even with workers', async () => {
    const tar = await buildTar(files);
    const blob = fileBlob(tar);
    const c = await threaded().readLayer(blob, { label: 'L' });
    expect(c.compression).toBe('none');
    expect(c.bodyOffsets).toBeInstanceOf(Float64Array);
    expect(c).toEqual(await readLayer(blob, { label: 'L' }));
  });

  it('gives the error reading it here gives, for a truncated gzip layer', async () => {
    const gz = zlib.gzipSync(await buildTar(files));
    const blob = fileBlob(gz.subarray(0, gz.length - 300));
    const there = await threaded().readLayer(blob, { label: 'img.tar: layer 1' }).catch((e: unknown) => e);
    const here = await readLayer(blob, { label: 'img.tar: layer 1' }).catch((e: unknown) => e);
    expect(there).toBeInstanceOf(SourceError);
    expect(there).toMatchObject({ kind: (here as SourceError).kind, subject: 'img.tar: layer 1', message: (here as Error).message });
  });

  it('rejects with the reason when aborted, and goes on working', async () => {
    const big = fileBlob(Buffer.alloc(64 << 20, 1));
    const pool = threaded({ size: 1 });
    const ac = new AbortController();
    const job = pool.hashRegion(big.file, big.offset, big.length, ['sha256', 'sha512'], 'L', ac.signal);
    setTimeout(() => ac.abort(new Error('stop')), 5);
    await expect(job).rejects.toThrow('stop');
    const small = fileBlob(Buffer.from('abc'));
    expect(await pool.hashRegion(small.file, small.offset, small.length, ['sha256'], 'L')).toEqual({ digests: [`sha256:${sha256(Buffer.from('abc'))}`], bytes: 3 });
  });
});
