import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/archive/worker-pool.js';
import { createCaches } from '../../src/cache/index.js';
import { toExportV1 } from '../../src/report/json-export.js';
import { EQUAL_CONTENT_KEY, indexImage, isContentDigest, type Analysis } from '../../src/core/index.js';
import { computeContentKeys } from '../../src/load/content-keys.js';
import { DigestTable } from '../../src/load/digest-table.js';
import { loadImage, type LoadedImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { buildDockerArchive, buildTar, ROOT, sha256, TAR, TAR_GZ, tmpDir, writeOciLayout } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

/**
 * Paths rewritten with bodies of equal size and equal first KiB (so the fingerprint cannot
 * tell them apart): identical ones (a `chown -R`), ones that differ only at the end, and the
 * same bytes at several paths.
 */
async function image(): Promise<string> {
  const l0 = await buildTar([
    { name: 'a/', type: 'directory' },
    { name: 'a/same', body: 'S'.repeat(3000) },
    { name: 'a/tail', body: 'A'.repeat(1500) + 'B'.repeat(500) },
    { name: 'd/', type: 'directory' },
    { name: 'd/one', body: 'D'.repeat(4000) },
  ]);
  const l1 = await buildTar([
    { name: 'a/same', body: 'S'.repeat(3000), uid: 1000 },
    { name: 'a/tail', body: 'A'.repeat(1500) + 'C'.repeat(500) },
    { name: 'd/two', body: 'D'.repeat(4000) },
    { name: 'd/three', body: 'D'.repeat(3000) + 'E'.repeat(1000) },
  ]);
  // Back to layer 0's bytes: equal to the first version, not to the second.
  const l2 = await buildTar([{ name: 'a/tail', body: 'A'.repeat(1500) + 'B'.repeat(500) }]);
  const file = path.join(tmpDir(), 'img.tar');
  writeFileSync(file, await buildDockerArchive([{ tags: ['keys:test'], layers: [l0, l1, l2] }]));
  return file;
}

const SCRIPT = pathToFileURL(path.join(ROOT, 'dist/pool-worker.js'));
const threaded = new WorkerPool({ script: SCRIPT, size: 2, bodyBytesPerJob: 1 });
afterAll(() => threaded.close());

/** The index the lifecycle built, made again from what it read. */
function indexOf(loaded: LoadedImage) {
  return indexImage({ identity: loaded.analysis.identity, config: loaded.analysis.config, layers: loaded.layers.map((l) => ({ descriptor: {}, entries: l.contents.entries })) });
}

async function analyse(file: string, pool?: WorkerPool): Promise<Analysis> {
  const loaded = await loadImage(parseReference(`docker-archive:${file}`, () => true), { settings: localSettings(), pool });
  await loaded.close();
  return loaded.analysis;
}

describe('content keys', () => {
  it('compares the bytes of bodies a fingerprint cannot separate, instead of hashing them', async () => {
    const file = await image();
    const loaded = await loadImage(parseReference(`docker-archive:${file}`, () => true), { settings: localSettings() });
    try {
      const index = indexOf(loaded);
      const contents = loaded.layers.map((l) => l.contents);
      const r = await computeContentKeys(
        index,
        loaded.layers.map((l) => l.blob),
        contents,
        DigestTable.of(contents),
      );
      expect(r.fullHashes).toBe(0);
      expect(r.hashed.size).toBe(0);
      // a/same (1 pair), a/tail (L0 with L1 and L2, then nothing left), d/one, d/two, d/three.
      expect(r.pairsCompared).toBe(1 + 2 + 2);
      expect(r.keys.filter((k) => k?.startsWith(EQUAL_CONTENT_KEY))).toHaveLength(2 + 2 + 2);
      expect(loaded.layers.every((l) => l.contents.digests.every((d) => d === undefined))).toBe(true);
    } finally {
      await loaded.close();
    }
  });

  for (const [name, pool] of [
    ['on this thread', undefined],
    ['on worker threads', threaded],
  ] as const) {
    it(`tells equal bodies from ones that differ after the first KiB, ${name}`, async () => {
      const a = await analyse(await image(), pool);
      const t = a.tree;
      const at = (layer: number, p: string) => t.entryIdAt(layer, t.find(p)!);
      expect(t.compare(at(0, 'a/same'), at(1, 'a/same'))).toBe('metadata');
      expect(t.compare(at(0, 'a/tail'), at(1, 'a/tail'))).toBe('content');
      expect(t.compare(at(1, 'a/tail'), at(2, 'a/tail'))).toBe('content');
      expect(t.contentKey(at(0, 'a/tail'))).toBe(t.contentKey(at(2, 'a/tail')));
      expect(t.contentKey(at(2, 'd/one'))).toBe(t.contentKey(at(2, 'd/two')));
      expect(t.contentKey(at(2, 'd/three'))).not.toBe(t.contentKey(at(2, 'd/one')));
      // The same bytes at two surviving paths are counted once as duplicate content.
      const dup = a.findings.find((f) => f.kind === 'duplicate-content');
      expect(dup?.paths.map((p) => p.path)).toEqual(['/d/two']);
    });
  }

  it('gives equal entries their digest as key when one of them was hashed', async () => {
    const file = await image();
    const loaded = await loadImage(parseReference(`docker-archive:${file}`, () => true), { settings: localSettings() });
    try {
      const contents = loaded.layers.map((l) => l.contents);
      const same0 = contents[0]!.entries.findIndex((e) => e.path === 'd/one');
      const known = DigestTable.of(contents).with(new Map([[0, new Map([[same0, 'f'.repeat(64)]])]]));
      const index = indexOf(loaded);
      const r = await computeContentKeys(index, loaded.layers.map((l) => l.blob), contents, known);
      // d/one now has a digest and d/two not: their group is hashed whole, and the others still compared.
      const g = (layer: number, p: string) => index.merged.at(layer, index.paths.find(p)!);
      expect(r.fullHashes).toBe(2);
      // What was hashed comes back, and nothing was written into the layers' contents.
      expect([...r.hashed.values()].reduce((n, m) => n + m.size, 0)).toBe(r.fullHashes);
      expect(contents.every((c) => c.digests.every((d) => d === undefined))).toBe(true);
      expect(isContentDigest(r.keys[g(2, 'a/tail')])).toBe(false);
      expect(r.keys[g(2, 'd/one')]).toBe('f'.repeat(64));
    } finally {
      await loaded.close();
    }
  });

  it('are kept with the image, so opening it again from the layer cache compares and hashes nothing', async () => {
    const file = await image();
    const dir = tmpDir();
    const open = async () => {
      const stages: string[] = [];
      // Without the index cache, which keeps the keys too (test/cache/index-cache.test.ts): the keys entry alone.
      const { layers, results } = createCaches(dir);
      const loaded = await loadImage(parseReference(`docker-archive:${file}`, () => true), {
        settings: localSettings(),
        caches: { layers, results },
        onEvent: (e) => e.type === 'stage' && stages.push(e.message),
      });
      await loaded.verified;
      await loaded.close();
      return { stages, json: JSON.stringify(toExportV1(loaded.analysis)) };
    };
    const first = await open();
    expect(first.stages).toContain('comparing contents');
    expect(readdirSync(dir).filter((f) => f.startsWith('keys-'))).toHaveLength(1);
    const again = await open();
    expect(again.stages).not.toContain('comparing contents');
    expect(again.json).toBe(first.json);
    // A damaged entry is ignored: the keys are worked out again.
    const keysFile = path.join(dir, readdirSync(dir).find((f) => f.startsWith('keys-'))!);
    writeFileSync(keysFile, 'x'.repeat(64) + '\n{}');
    const damaged = await open();
    expect(damaged.stages).toContain('comparing contents');
    expect(damaged.json).toBe(first.json);
  });

  it('keeps the bodies hashed for the keys in the layer cache, with their layer', async () => {
    // The same path in a gzip layer (hashed as it streamed) and a plain one (indexed in place):
    // their group mixes hashed and unhashed members, so the plain layer's body is hashed.
    const body = 'Q'.repeat(3000);
    const l0 = await buildTar([{ name: 'x', body }]);
    const l1 = await buildTar([{ name: 'x', body, uid: 1000 }]);
    const dir = writeOciLayout(tmpDir(), [
      { blob: gzipSync(l0), diff: l0, mediaType: TAR_GZ },
      { blob: l1, diff: l1, mediaType: TAR },
    ]);
    const caches = createCaches(tmpDir());
    const open = async () => {
      const loaded = await loadImage(parseReference(`oci:${dir}`, () => true), { settings: localSettings(), caches });
      await loaded.verified;
      await loaded.close();
      return loaded;
    };
    const first = await open();
    // Hashed for the keys: in the table the lifecycle hands on, not in what the read made.
    expect(first.digests.get(1, 0)).toBe(sha256(Buffer.from(body)));
    expect(first.layers[1]!.contents.digests[0]).toBeUndefined();
    // Read again from the layer cache: the digest came with the layer.
    const again = await open();
    expect(again.layers[1]!.contents.digests[0]).toBe(sha256(Buffer.from(body)));
    expect(again.analysis.tree.compare(0, 1)).toBe('metadata');
  });
});
