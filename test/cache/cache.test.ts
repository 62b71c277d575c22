import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashEntries } from '../../src/archive/entry-hash.js';
import { readLayer } from '../../src/archive/read-layer.js';
import { CacheDir, LayerCache } from '../../src/cache/index.js';
import { buildDockerArchive, buildTar, ROOT, tmpDir } from '../helpers/image-files.js';
import { analyzeArg } from '../helpers/load.js';
import { BIN, runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

describe('analysis cache', () => {
  it('gives a layer back exactly as it was put: every entry kind, links, devices, digests, offsets', async () => {
    const tar = await buildTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/passwd', body: 'root:x:0:0\n', uid: 70000, gid: 4_000_000_000 },
      { name: 'bin/sh', body: 'ELF'.repeat(500), mode: 0o4755 },
      { name: 'bin/ln', type: 'symlink', linkname: '/bin/sh' },
      { name: 'bin/hard', type: 'link', linkname: 'bin/sh' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'run/fifo', type: 'fifo' },
      { name: 'ünï\tcödé', body: '' },
    ]);
    const file = path.join(tmpDir(), 'layer.tar');
    writeFileSync(file, tar);
    const blob = { kind: 'file-region' as const, file, offset: 0, length: tar.length };
    const contents = await readLayer(blob, { label: 'L' });
    const digests = [...contents.digests];
    for (const [i, d] of await hashEntries(blob, contents, [1, 2])) digests[i] = d;
    const cache = new LayerCache(new CacheDir(tmpDir()));
    const diffId = `sha256:${'ab'.repeat(32)}`;
    cache.put(diffId, tar.length, contents, digests);
    const back = cache.get(diffId, tar.length);
    expect(back).toEqual({ ...contents, digests });
    expect(back!.entries.map((e) => Object.keys(e))).toEqual(contents.entries.map((e) => Object.keys(e)));
    expect(back!.entries.find((e) => e.path === 'dev/sda')).toMatchObject({ type: 'block-device', devMajor: 8, devMinor: 0 });
    expect(back!.digests.filter((d) => d !== undefined)).toHaveLength(2);
    expect(cache.get(diffId, tar.length + 1)).toBeUndefined();
  });

  it('a second look gives the same JSON from the cache, and --no-cache writes nothing', () => {
    const cacheHome = tmpDir();
    const env = { XDG_CACHE_HOME: cacheHome };
    const cold = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env });
    const files = readdirSync(path.join(cacheHome, 'inspect-tui'));
    expect(files.filter((f) => f.startsWith('layer-'))).toHaveLength(5);
    expect(files.filter((f) => f.startsWith('result-'))).toHaveLength(1);
    const warm = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env });
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.code).toBe(cold.code);

    const other = tmpDir();
    runCli(['--ci', '--no-cache', '--quiet', EXAMPLE], { env: { XDG_CACHE_HOME: other } });
    expect(readdirSync(other)).toEqual([]);
  });

  it('ignores and rebuilds corrupt entries', () => {
    const cacheHome = tmpDir();
    const env = { XDG_CACHE_HOME: cacheHome };
    const cold = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env });
    const dir = path.join(cacheHome, 'inspect-tui');
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      const b = readFileSync(p);
      writeFileSync(p, b.subarray(0, Math.floor(b.length / 2)));
    }
    const again = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env });
    expect(again.stdout).toBe(cold.stdout);
    for (const f of readdirSync(dir)) expect(statSync(path.join(dir, f)).size).toBeGreaterThan(0);
    const third = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE], { env });
    expect(third.stdout).toBe(cold.stdout);
  });

  it('never trusts a damaged layer entry', async () => {
    const cacheDir = new CacheDir(path.join(tmpDir(), 'c'));
    const cache = new LayerCache(cacheDir);
    const { analysis: expected } = await analyzeArg(EXAMPLE, { caches: { layers: cache } });
    for (const f of readdirSync(cacheDir.dir).filter((n) => n.startsWith('layer-'))) {
      const p = path.join(cacheDir.dir, f);
      const b = readFileSync(p);
      b[b.length - 40] ^= 0x01; // a flipped bit in the body keeps the size and the header
      writeFileSync(p, b);
    }
    const { analysis: again, reads } = await analyzeArg(EXAMPLE, { caches: { layers: cache } });
    expect(reads.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(again.layers.map((l) => l.changes)).toEqual(expected.layers.map((l) => l.changes));
  });

  it('is safe under concurrent runs', async () => {
    const cacheHome = tmpDir();
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, [BIN, '--ci', '--json', '-', '--quiet', EXAMPLE], { env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
        let out = '';
        p.stdout.on('data', (c: Buffer) => (out += c));
        p.on('error', reject);
        p.on('close', () => resolve(out));
      });
    const outs = await Promise.all([run(), run(), run(), run()]);
    for (const o of outs) expect(JSON.parse(o).summary).toEqual(JSON.parse(outs[0]!).summary);
    expect(readdirSync(path.join(cacheHome, 'inspect-tui')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('another image sharing the base layers reads only its new layer, with the same result as uncached', async () => {
    const base = await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/conf', body: 'x'.repeat(2000) }, { name: 'etc/other', body: 'y'.repeat(2000) }]);
    const mid = await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/conf', body: 'z'.repeat(2000) }]);
    const top = await buildTar([{ name: 'app', body: 'app' }]);
    const dir = tmpDir();
    const a = path.join(dir, 'a.tar');
    const b = path.join(dir, 'b.tar');
    writeFileSync(a, await buildDockerArchive([{ tags: ['a:1'], layers: [base, mid] }]));
    writeFileSync(b, await buildDockerArchive([{ tags: ['b:1'], layers: [base, mid, top] }]));
    const cache = new LayerCache(new CacheDir(path.join(tmpDir(), 'cache')));
    const { reads: readsA } = await analyzeArg(a, { caches: { layers: cache } });
    expect(readsA.sort()).toEqual([0, 1]);
    const { analysis: cached, reads: readsB } = await analyzeArg(b, { caches: { layers: cache } });
    expect(readsB).toEqual([2]);
    const { analysis: fresh } = await analyzeArg(b);
    expect(cached.layers.map((l) => l.changes)).toEqual(fresh.layers.map((l) => l.changes));
    expect(cached.efficiency).toBe(fresh.efficiency);
    expect(cached.reclaimable).toEqual(fresh.reclaimable);
  });

  it('stays under its size bound, dropping the least recently used entries', () => {
    const dir = new CacheDir(path.join(tmpDir(), 'c'), 10_000);
    for (let i = 0; i < 5; i++) dir.write(`layer-${i}`, Buffer.alloc(4000, i));
    const left = readdirSync(dir.dir).sort();
    expect(left.length).toBeLessThanOrEqual(2);
    expect(left).toContain('layer-4');
  });
});
