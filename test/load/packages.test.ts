import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/archive/index.js';
import { createCaches } from '../../src/cache/index.js';
import { loadComparison, loadImage, type LoadedImage, type LoadOptions } from '../../src/load/index.js';
import { readPackageBodies } from '../../src/load/package-bodies.js';
import { planPackageReads, readPackages, type ImagePackages } from '../../src/packages/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';
import { NO_PACKAGE_TOOLS, packageImages, type PackageImages } from '../helpers/package-images.js';
import { sqliteWasm } from '../helpers/packages.js';

// The lifecycle's part: the bodies the package reader needs come from wherever each layer was
// read (in place, kept from a stream on this thread or on a worker, from the layer cache), the
// result sits beside the analysis, and a body that cannot be had is reported, never guessed.

const SCRIPT = pathToFileURL(path.join(ROOT, 'dist/pool-worker.js'));

async function load(file: string, opts: Partial<LoadOptions> = {}): Promise<LoadedImage> {
  const loaded = await loadImage(parseReference(`docker-archive:${file}`, existsSync), { settings: localSettings(), ...opts });
  await loaded.verified;
  return loaded;
}

/** What a test compares: the final packages, each layer's changes, who owns a few paths at each layer. */
function facts(l: LoadedImage) {
  const p = l.packages!;
  const t = l.analysis.tree;
  const owner = (layer: number, rel: string) => {
    const id = t.find(rel);
    const o = id === undefined ? undefined : p.ownerAt(layer, id);
    return o && `${o.manager} ${o.name} ${o.version}`;
  };
  const paths = ['usr/bin/tool', 'usr/share/base/data', 'usr/share/same/file', 'app/node_modules/pkg-a/index.js', 'app/node_modules/pkg-c/index.js', 'app/package.json'];
  return {
    packages: p.packages,
    layers: p.layers,
    warnings: p.warnings,
    owners: l.analysis.layers.map((_, i) => paths.map((x) => owner(i, x) ?? '-')),
  };
}

describe.skipIf(NO_PACKAGE_TOOLS !== undefined)(`the lifecycle reads the package databases${NO_PACKAGE_TOOLS ? ` (${NO_PACKAGE_TOOLS})` : ''}`, () => {
  let im: PackageImages;
  const pools: WorkerPool[] = [];
  beforeAll(async () => {
    im = await packageImages();
  }, 240_000);
  afterAll(() => pools.forEach((p) => p.close()));

  it('gives the same packages and owners from layers read in place, streamed here, streamed on workers and from the layer cache', async () => {
    const plain = await load(im.new.plain);
    const expected = facts(plain);
    await plain.close();
    expect(expected.packages).toEqual(im.expected.new);
    // Who owns what, layer by layer: an upgrade hands the file to the new version, a removal frees it.
    expect(expected.owners[0]).toEqual(['dpkg pkg-tool 2.0', 'dpkg pkg-base 1.0', 'dpkg pkg-same 1.0', '-', '-', '-']);
    expect(expected.owners[2]).toEqual(['dpkg pkg-tool 2.1', 'dpkg pkg-base 1.0', 'dpkg pkg-same 1.0', 'npm pkg-a 1.0.0', '-', '-']);
    expect(expected.owners[3]).toEqual(['dpkg pkg-tool 2.1', '-', 'dpkg pkg-same 1.0', 'npm pkg-a 1.0.0', 'npm pkg-c 3.0.0', '-']);

    const streamed = await load(im.new.gzip);
    // The bodies a stream kept were read: the image kept open for the session holds none.
    expect(streamed.layers.some((l) => l.contents.packageBodies)).toBe(false);
    expect(facts(streamed)).toEqual(expected);
    await streamed.close();

    const pool = new WorkerPool({ script: SCRIPT, readsCompressed: true, size: 2 });
    pools.push(pool);
    expect(pool.readsCompressed).toBe(true);
    const onWorkers = await load(im.new.gzip, { pool });
    expect(facts(onWorkers)).toEqual(expected);
    await onWorkers.close();

    // Every layer from the layer cache the first load wrote (the result cache left out).
    const caches = { layers: createCaches(tmpDir('pkg-layer-cache-')).layers };
    await (await load(im.new.gzip, { caches })).close();
    const fromCache: number[] = [];
    const again = await load(im.new.gzip, { caches, onEvent: (e) => e.type === 'layer-read' && e.fromCache && fromCache.push(e.layer) });
    expect(fromCache).toHaveLength(again.analysis.layers.length);
    expect(facts(again)).toEqual(expected);
    await again.close();
  });

  it('packagesAt gives each layer its packages, counted in that layer', async () => {
    const l = await load(im.new.plain);
    const at = (i: number) => l.packages!.packagesAt(i).map((p) => `${p.name} ${p.version} ${p.files} ${p.sizeBytes} L${p.layer}`);
    expect(at(0)).toEqual(['pkg-base 1.0 2 2100 L0', 'pkg-edit 1.0 1 40 L0', 'pkg-lib 1.5 1 1000 L0', 'pkg-same 1.0 1 50 L0', 'pkg-tool 2.0 1 500 L0']);
    expect(at(2).filter((x) => x.startsWith('pkg-same') || x.startsWith('pkg-tool'))).toEqual(['pkg-same 1.0 1 80 L0', 'pkg-tool 2.1 1 700 L2']);
    expect(l.packages!.packagesAt(l.analysis.layers.length - 1)).toBe(l.packages!.packages);
    expect(l.packages!.packagesAt(99)).toEqual([]);
    await l.close();
  });

  it('settings.packages false reads none', async () => {
    const l = await load(im.new.plain, { settings: localSettings({ packages: false }) });
    expect(l.packages).toBeUndefined();
    await l.close();
  });

  it('a comparison says which packages differ, a same-version package by the files that changed', async () => {
    const c = await loadComparison(parseReference(im.old.gzip, existsSync), parseReference(im.new.plain, existsSync), { old: { settings: localSettings() }, new: { settings: localSettings() } });
    await c.verified;
    expect(c.packages!.map((d) => `${d.change} ${d.name} ${d.sizeDeltaBytes}`)).toEqual([
      'removed pkg-base -2100',
      'changed pkg-edit 0',
      'downgraded pkg-lib -100',
      'added pkg-new 10',
      'changed pkg-same 30',
      'upgraded pkg-tool 200',
      ...(im.rpm ? ['added r 10'] : []),
      `added pkg-c ${im.expected.new.find((p) => p.name === 'pkg-c')!.sizeBytes}`,
    ]);
    await c.close();
  });

  it('a body that cannot be read is reported with why, and its manager left out', async () => {
    // The plain image is read in place: its bodies are read from the file after the analysis.
    const file = path.join(tmpDir('pkg-gone-'), 'image.tar');
    copyFileSync(im.new.plain, file);
    const l = await load(file, { settings: localSettings({ packages: false }) });
    rmSync(file);
    const plan = planPackageReads(l.analysis.tree.index);
    const { bodies, unread } = await readPackageBodies(plan, l.layers);
    expect(bodies.size).toBe(0);
    expect(new Set(unread.values())).toEqual(new Set(['could not be read from its layer (ENOENT)']));
    const p: ImagePackages = await readPackages({ plan, bodies, unread, sqliteWasm });
    expect(p.packages).toEqual([]);
    expect(p.warnings.map((w) => `${w.manager}: ${w.path} ${w.reason}`)).toEqual([
      'dpkg: var/lib/dpkg/status could not be read from its layer (ENOENT)',
      ...(im.rpm ? ['rpm: var/lib/rpm/rpmdb.sqlite could not be read from its layer (ENOENT)'] : []),
      'npm: app/node_modules/pkg-a/package.json could not be read from its layer (ENOENT) (and 2 more records skipped)',
    ]);
    await l.close();
  });
});
