import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors/index.js';
import { inspectImage } from '../../src/index.js';
import { loadImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { buildDockerArchive, buildTar, tmpDir, type TarItem } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';
import { runCli } from '../helpers/run-cli.js';

type Algo = 'sha256' | 'sha512';
const hex = (a: Algo, b: Buffer) => createHash(a).update(b).digest('hex');
const digest = (a: Algo, b: Buffer) => `${a}:${hex(a, b)}`;

/** A marker in a file body: tampering replaces it with bytes of the same length, so every tar header stays valid. */
const GENUINE = 'genuine-content-of-the-layer-0123456789';
const FORGED = 'forged!-content-of-the-layer-0123456789';

async function layers(): Promise<Buffer[]> {
  return [
    await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/base', body: 'B'.repeat(5000) }]),
    await buildTar([{ name: 'app/', type: 'directory' }, { name: 'app/payload', body: `${GENUINE}\n`.repeat(40) }, { name: 'etc/base', body: 'C'.repeat(5000) }]),
  ];
}

/** Replaces every GENUINE marker in a buffer (the layer's bytes, wherever they sit). */
function tamper(b: Buffer): Buffer {
  const out = Buffer.from(b);
  let at = out.indexOf(GENUINE);
  expect(at).toBeGreaterThan(0);
  for (; at >= 0; at = out.indexOf(GENUINE, at + 1)) out.write(FORGED, at, 'latin1');
  return out;
}

/**
 * An OCI image layout with every blob addressed by `algo` (sha256 or sha512), layers stored as
 * given. Returns the member files (relative path → bytes) so a test can write a directory or a tar.
 */
function ociLayoutFiles(algo: Algo, diffs: Buffer[], gzip: boolean): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const put = (b: Buffer) => {
    files.set(`blobs/${algo}/${hex(algo, b)}`, b);
    return { digest: digest(algo, b), size: b.length };
  };
  const stored = diffs.map((d) => (gzip ? zlib.gzipSync(d) : d));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: diffs.map((d) => digest(algo, d)) },
    history: diffs.map((_, i) => ({ created_by: `step ${i}` })),
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config) },
    layers: stored.map((s) => ({ mediaType: `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}`, ...put(s) })),
  }));
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(manifest) }] })));
  return files;
}

const isManifest = (k: string, files: Map<string, Buffer>) => k.startsWith('blobs/') && files.get(k)!.subarray(0, 80).includes('image.manifest');

function writeDir(dir: string, files: Map<string, Buffer>): string {
  for (const [name, b] of files) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), b);
  }
  return dir;
}

async function tarOf(files: Map<string, Buffer>): Promise<Buffer> {
  const items: TarItem[] = [...files].map(([name, body]) => ({ name, body }));
  return buildTar(items);
}

/** The files of a directory tree, relative, for "nothing else was written" checks. */
function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

function expectRefused(r: ReturnType<typeof runCli>, file: string) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(/layer 1 \((sha256|sha512):[0-9a-f]{12}\): the layer's bytes do not match its (digest|diffID)/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
let diffs: Buffer[];
beforeAll(async () => {
  dir = tmpDir();
  diffs = await layers();
});

type Case = { name: string; make: (genuine: boolean, where: string) => Promise<string> };

const cases: Case[] = [
  {
    name: 'docker-archive (layers checked against the config diffIDs)',
    make: async (genuine, where) => {
      const buf = await buildDockerArchive([{ tags: ['app:1'], layers: diffs }]);
      mkdirSync(where, { recursive: true });
      const f = path.join(where, 'img.tar');
      writeFileSync(f, genuine ? buf : tamper(buf));
      return f;
    },
  },
  {
    name: 'gzip-wrapped docker-archive (read in one pass)',
    make: async (genuine, where) => {
      const buf = await buildDockerArchive([{ tags: ['app:1'], layers: diffs }]);
      mkdirSync(where, { recursive: true });
      const f = path.join(where, 'img.tar.gz');
      writeFileSync(f, zlib.gzipSync(genuine ? buf : tamper(buf)));
      return f;
    },
  },
  ...(['sha256', 'sha512'] as const).flatMap((algo): Case[] => [
    {
      name: `OCI layout, ${algo}, plain layers`,
      make: async (genuine, where) => {
        const files = ociLayoutFiles(algo, diffs, false);
        const d = writeDir(path.join(where, 'layout'), files);
        const layerFile = [...files.keys()].find((k) => files.get(k)!.includes(GENUINE))!;
        if (!genuine) writeFileSync(path.join(d, layerFile), tamper(files.get(layerFile)!));
        return `oci:${d}`;
      },
    },
    {
      name: `OCI archive, ${algo}, plain layers`,
      make: async (genuine, where) => {
        const buf = await tarOf(ociLayoutFiles(algo, diffs, false));
        mkdirSync(where, { recursive: true });
        const f = path.join(where, 'img.oci.tar');
        writeFileSync(f, genuine ? buf : tamper(buf));
        return `oci-archive:${f}`;
      },
    },
  ]),
  {
    name: 'OCI layout, sha512, gzip layers (the tar inside contradicts its diffID)',
    make: async (genuine, where) => {
      // The forged tar is recompressed and its blob renamed to the forged digest, so only the diffID can tell.
      const files = ociLayoutFiles('sha512', genuine ? diffs : [diffs[0]!, tamper(diffs[1]!)], true);
      if (!genuine) {
        const configName = [...files.keys()].find((k) => k.startsWith('blobs/') && files.get(k)!.includes('diff_ids'))!;
        const config = JSON.parse(files.get(configName)!.toString());
        config.rootfs.diff_ids = diffs.map((d) => digest('sha512', d));
        // Rebuild with the genuine diffIDs claimed over the forged layer.
        const forged = new Map<string, Buffer>();
        const put = (b: Buffer) => {
          forged.set(`blobs/sha512/${hex('sha512', b)}`, b);
          return { digest: digest('sha512', b), size: b.length };
        };
        const stored = [zlib.gzipSync(diffs[0]!), zlib.gzipSync(tamper(diffs[1]!))];
        const cfg = Buffer.from(JSON.stringify(config));
        const manifest = Buffer.from(JSON.stringify({
          schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(cfg) },
          layers: stored.map((s) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(s) })),
        }));
        forged.set('oci-layout', files.get('oci-layout')!);
        forged.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(manifest) }] })));
        return `oci:${writeDir(path.join(where, 'layout'), forged)}`;
      }
      return `oci:${writeDir(path.join(where, 'layout'), files)}`;
    },
  },
];

describe('a tampered layer is refused, and poisons nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const where = tmpDir();
      const cacheHome = tmpDir();
      const env = { XDG_CACHE_HOME: cacheHome };
      const tampered = await c.make(false, path.join(where, 'tampered'));
      const before = listTree(where);
      const r = runCli(['--ci', '--json', path.join(where, 'report.json'), tampered], { env, cwd: where });
      expectRefused(r, tampered.replace(/^[a-z-]+:/, ''));
      // Nothing written: no report, and no cache entry under the genuine diffID the forgery claims.
      expect(listTree(where)).toEqual(before);
      const cached = listTree(path.join(cacheHome, 'inspect-tui'));
      expect(cached.filter((n) => n.startsWith('result-'))).toEqual([]);
      expect(cached).not.toContain(`layer-${hex('sha256', diffs[1]!)}`);

      // The genuine image, with the same cache, gives the genuine figures.
      const genuine = await c.make(true, path.join(where, 'genuine'));
      const fresh = runCli(['--ci', '--json', '-', '--quiet', '--no-cache', genuine], { cwd: where });
      expect(fresh.stderr).not.toMatch(/^inspect-tui:/m);
      const after = runCli(['--ci', '--json', '-', '--quiet', genuine], { env, cwd: where });
      expect(after.code).toBe(fresh.code);
      const figures = (s: string) => JSON.parse(s).summary;
      expect(figures(after.stdout)).toEqual(figures(fresh.stdout));
      expect(figures(after.stdout).sizeBytes).toBeGreaterThan(0);
      // And a third run answered from the cache agrees too.
      expect(figures(runCli(['--ci', '--json', '-', '--quiet', genuine], { env, cwd: where }).stdout)).toEqual(figures(fresh.stdout));
    });
  }

  it('--no-verify reads the tampered image but caches nothing', async () => {
    const where = tmpDir();
    const cacheHome = tmpDir();
    const f = await cases[0]!.make(false, where);
    const r = runCli(['--ci', '--json', '-', '--quiet', '--no-verify', f], { env: { XDG_CACHE_HOME: cacheHome }, cwd: where });
    expect(r.stderr).not.toMatch(/^inspect-tui:/m);
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(r.stdout).summary.fileCount).toBeGreaterThan(0);
    expect(listTree(cacheHome)).toEqual([]);
  });
});

describe('verification in the lifecycle', () => {
  it('loadImage rejects a mismatch by default; with `early` the analysis comes first and `verified` rejects', async () => {
    const where = tmpDir();
    const f = await cases[0]!.make(false, where);
    await expect(loadImage(parseReference(f, existsSync), { settings: localSettings() })).rejects.toMatchObject({ kind: 'digest-mismatch' });
    const loaded = await loadImage(parseReference(f, existsSync), { settings: localSettings(), early: true });
    try {
      expect(loaded.analysis.layers).toHaveLength(2);
      const e = await loaded.verified.then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(SourceError);
      expect((e as SourceError).kind).toBe('digest-mismatch');
      expect((e as SourceError).subject).toContain(f);
    } finally {
      await loaded.close();
    }
  });

  it('the library rejects a tampered image, and resolves with verify: false', async () => {
    const where = tmpDir();
    const f = await cases[0]!.make(false, where);
    await expect(inspectImage(f, { cache: false, env: {} })).rejects.toMatchObject({ kind: 'digest-mismatch' });
    const a = await inspectImage(f, { cache: false, env: {}, verify: false });
    expect(a.layers).toHaveLength(2);
  });

  it('a digest algorithm other than sha256 and sha512 is refused by name', async () => {
    const where = tmpDir();
    const files = ociLayoutFiles('sha256', diffs, false);
    const cfgName = [...files.keys()].find((k) => files.get(k)!.includes('diff_ids'))!;
    const cfg = JSON.parse(files.get(cfgName)!.toString());
    cfg.rootfs.diff_ids[1] = `md5:${createHash('md5').update(diffs[1]!).digest('hex')}`;
    const cfgBytes = Buffer.from(JSON.stringify(cfg));
    files.delete(cfgName);
    files.set(`blobs/sha256/${hex('sha256', cfgBytes)}`, cfgBytes);
    const mName = [...files.keys()].find((k) => isManifest(k, files))!;
    const m = JSON.parse(files.get(mName)!.toString());
    m.config = { ...m.config, digest: digest('sha256', cfgBytes), size: cfgBytes.length };
    const mBytes = Buffer.from(JSON.stringify(m));
    files.delete(mName);
    files.set(`blobs/sha256/${hex('sha256', mBytes)}`, mBytes);
    files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: m.mediaType, digest: digest('sha256', mBytes), size: mBytes.length }] })));
    const d = writeDir(path.join(where, 'layout'), files);
    const r = runCli(['--ci', `oci:${d}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`${d}: layer 1 .*cannot verify digest algorithm "md5"`));
  });

  it('a layer whose descriptor size differs from the blob is refused naming the blob', async () => {
    const where = tmpDir();
    for (const [size, why] of [[0, /has size 0/], [-5, /has size -5/], [1.5, /has size 1.5/], [123, /is \d+ bytes but its descriptor says 123/]] as const) {
      const files = ociLayoutFiles('sha256', diffs, false);
      const mName = [...files.keys()].find((k) => isManifest(k, files))!;
      const m = JSON.parse(files.get(mName)!.toString());
      m.layers[1].size = size;
      const mBytes = Buffer.from(JSON.stringify(m));
      files.delete(mName);
      files.set(`blobs/sha256/${hex('sha256', mBytes)}`, mBytes);
      files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: m.mediaType, digest: digest('sha256', mBytes), size: mBytes.length }] })));
      const d = writeDir(path.join(where, `size-${size}`), files);
      const r = runCli(['--ci', `oci:${d}`]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(d);
      expect(lines[0]).toContain(m.layers[1].digest.slice(0, 19));
      expect(lines[0]).toMatch(why);
    }
  });

  it('a docker-archive whose config contradicts the digest its name gives is refused', async () => {
    const where = tmpDir();
    const buf = await buildDockerArchive([{ tags: ['app:1'], layers: diffs }]);
    const forged = Buffer.from(buf);
    const at = forged.indexOf('step-1');
    expect(at).toBeGreaterThan(0);
    forged.write('step-X', at, 'latin1');
    // Fix the member's header checksum? Not needed: only the body changed.
    const f = path.join(where, 'cfg.tar');
    writeFileSync(f, forged);
    const r = runCli(['--ci', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^inspect-tui: ${f}: config "[0-9a-f]{64}\\.json" does not match the digest its name gives`));
    expect(readFileSync(f).equals(forged)).toBe(true);
  });
});
