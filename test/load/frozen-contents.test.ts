import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerPool, type LayerBlob, type LayerContents, type ReadLayerOptions } from '../../src/archive/index.js';
import { CacheDir, LayerCache, ResultCache } from '../../src/cache/index.js';
import { loadComparison, loadImage, type LoadOptions } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { toDiffExport } from '../../src/report/diff-report.js';
import { toExportV1 } from '../../src/report/json-export.js';
import { buildDockerArchive, buildTar, FIXTURES, NO_FIXTURES, tmpDir } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

/**
 * A typed array nobody can write: Object.freeze refuses typed arrays with elements, so writes
 * (and new properties) are refused by a proxy instead; methods run on the array itself.
 */
function readOnlyView<T extends object>(a: T): T {
  return new Proxy(a, {
    get: (t, k) => {
      const v = Reflect.get(t, k, t) as unknown;
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(t) : v;
    },
    set: () => {
      throw new TypeError('a frozen typed array was written');
    },
    defineProperty: () => {
      throw new TypeError('a frozen typed array was written');
    },
  });
}

/** Every part of a layer's contents frozen: the object, its entries and arrays, what it measured; typed arrays behind a read-only view. */
function deepFreeze(c: LayerContents): LayerContents {
  for (const e of c.entries) Object.freeze(e);
  const m = c.measured;
  return Object.freeze({
    ...c,
    entries: Object.freeze(c.entries),
    digests: Object.freeze(c.digests),
    ...(c.bodyOffsets ? { bodyOffsets: readOnlyView(c.bodyOffsets) } : {}),
    ...(c.sampleKeys ? { sampleKeys: readOnlyView(c.sampleKeys) } : {}),
    ...(m ? { measured: Object.freeze({ ...m, ...(m.stored ? { stored: Object.freeze(m.stored) } : {}), ...(m.tar ? { tar: Object.freeze(m.tar) } : {}) }) } : {}),
  });
}

/** The reads of a real pool (on this thread), handed out frozen. */
class FreezingPool extends WorkerPool {
  constructor() {
    super({ script: null });
  }
  override async readLayer(blob: LayerBlob, opts: ReadLayerOptions & { readonly signal?: AbortSignal }): Promise<LayerContents> {
    return deepFreeze(await super.readLayer(blob, opts));
  }
}

/** The real layer cache, handing out frozen contents. */
class FreezingCache extends LayerCache {
  override get(diffId: string | undefined, storedSize: number | undefined): LayerContents | undefined {
    const c = super.get(diffId, storedSize);
    return c && deepFreeze(c);
  }
}

const skip = FIXTURES === undefined;
const EDGE = `docker-archive:${path.join(FIXTURES ?? '', 'images', 'edge.docker-archive.tar')}`;
const ref = (arg: string) => parseReference(arg, () => true);

/**
 * Two images without a shared base whose files have equal sizes at equal paths: only body
 * digests can tell them apart, so the comparison hashes bodies no read hashed (the layers are
 * uncompressed tars, indexed in place).
 */
async function twoImages(): Promise<{ old: string; new: string }> {
  const dir = tmpDir();
  const write = async (name: string, files: [string, string][]) => {
    const layer = await buildTar([{ name: 'etc/', type: 'directory' }, ...files.map(([name, body]) => ({ name, body }))]);
    const file = path.join(dir, name);
    writeFileSync(file, await buildDockerArchive([{ tags: [`${name}:1`], layers: [layer] }]));
    return `docker-archive:${file}`;
  };
  return {
    old: await write('old.tar', [['etc/same', 'S'.repeat(3000)], ['etc/changed', 'A'.repeat(2000)], ['etc/gone', 'G']]),
    new: await write('new.tar', [['etc/same', 'S'.repeat(3000)], ['etc/changed', 'B'.repeat(2000)], ['etc/added', 'N']]),
  };
}

function options(frozen: boolean, cacheDir?: string): LoadOptions {
  const dir = cacheDir === undefined ? undefined : new CacheDir(cacheDir);
  return {
    settings: localSettings(),
    pool: frozen ? new FreezingPool() : new WorkerPool({ script: null }),
    caches: dir && { layers: frozen ? new FreezingCache(dir) : new LayerCache(dir), results: new ResultCache(dir) },
  };
}

async function figuresOfImage(opts: LoadOptions) {
  const loaded = await loadImage(ref(EDGE), opts);
  try {
    await loaded.verified;
    return { json: JSON.stringify(toExportV1(loaded.analysis)), frozen: loaded.layers.every((l) => Object.isFrozen(l.contents) && Object.isFrozen(l.contents.digests)) };
  } finally {
    await loaded.close();
  }
}

async function figuresOfComparison(images: { old: string; new: string }, opts: () => LoadOptions) {
  const loaded = await loadComparison(ref(images.old), ref(images.new), { old: opts(), new: opts() });
  try {
    await loaded.verified;
    const all = [...loaded.old.layers, ...loaded.new.layers];
    return { json: JSON.stringify(toDiffExport(loaded.comparison)), frozen: all.every((l) => Object.isFrozen(l.contents)) };
  } finally {
    await loaded.close();
  }
}

describe('layer contents nobody writes', () => {
  it.skipIf(skip)(`a CI load of a fixture gives the same figures from deep-frozen contents, read and cached (${skip ? NO_FIXTURES : 'edge'})`, async () => {
    const plain = await figuresOfImage(options(false));
    const dir = tmpDir();
    const cold = await figuresOfImage(options(true, dir));
    const warm = await figuresOfImage(options(true, dir));
    expect(cold.frozen && warm.frozen).toBe(true);
    expect(cold.json).toBe(plain.json);
    expect(warm.json).toBe(plain.json);
  });

  it('a comparison, which hashes bodies no read hashed, gives the same figures from deep-frozen contents', async () => {
    const images = await twoImages();
    const plain = await figuresOfComparison(images, () => options(false));
    const frozen = await figuresOfComparison(images, () => options(true));
    expect(frozen.frozen).toBe(true);
    expect(frozen.json).toBe(plain.json);
    // The bodies were told apart by their digests: equal sizes, one changed and one not.
    const files = (JSON.parse(plain.json) as { files: { path: string; aspects: string[] }[] }).files;
    expect(files.find((f) => f.path === '/etc/changed')?.aspects).toEqual(['content']);
    expect(files.find((f) => f.path === '/etc/same')).toBeUndefined();
  });
});
