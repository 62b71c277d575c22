import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../../src/load/index.js';
import { planPackageReads, readPackages } from '../../src/packages/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { tmpDir } from '../helpers/image-files.js';
import { LayerTrees } from '../helpers/layer-trees.js';
import { localSettings } from '../helpers/load.js';
import { hasTool, packagesOf, refLines, sqliteWasm } from '../helpers/packages.js';
import { buildDeb, dpkg, initDpkgRoot } from '../helpers/deb-build.js';
import { buildRpm, rpm } from '../helpers/rpm-build.js';

// The layers built for the package tests become a docker-archive that the whole program loads.
// Read through the real lifecycle, the plan's entry ids and positions find the database bodies
// in the loaded layers (as the loader will), and give the packages the test helper gives.
describe.skipIf(!hasTool('dpkg', ['--version']) || !hasTool('rpmbuild'))('packages of an image loaded through the lifecycle', () => {
  it('match the packages read from the layer trees', async () => {
    const t = new LayerTrees();
    initDpkgRoot(t.root);
    dpkg(t.root, '-i', buildDeb({ name: 'pkg-a', version: '1.0', files: { 'usr/share/a/file': 'a'.repeat(64) } }));
    await t.commit('dpkg -i pkg-a');
    rpm(t.root, '/var/lib/rpm', '-i', '--nodeps', buildRpm({ name: 'r', version: '2', release: '1', files: { 'usr/share/r/data': 'r'.repeat(10) } }));
    await t.commit('rpm -i r');
    const file = path.join(tmpDir('lifecycle-'), 'image.tar');
    writeFileSync(file, await t.image());

    const loaded = await loadImage(parseReference(`docker-archive:${file}`, existsSync), { settings: localSettings() });
    try {
      await loaded.verified;
      const plan = planPackageReads(loaded.analysis.tree.index);
      const bodies = new Map<number, Uint8Array>();
      for (const r of plan.requests) {
        const { blob, contents } = loaded.layers[r.layer]!;
        if (blob?.kind !== 'file-region' || !contents.bodyOffsets) throw new Error('expected an uncompressed layer read in place');
        const fd = openSync(blob.file, 'r');
        const b = Buffer.alloc(r.size);
        readSync(fd, b, 0, r.size, blob.offset + contents.bodyOffsets[r.local]!);
        closeSync(fd);
        bodies.set(r.entry, b);
      }
      const viaLoad = await readPackages({ plan, bodies, sqliteWasm });
      const direct = (await packagesOf(t.layers)).result;
      expect(viaLoad.warnings).toEqual([]);
      expect(refLines(viaLoad.packages)).toEqual(['dpkg pkg-a 1.0', 'rpm r 2-1']);
      expect(viaLoad.packages).toEqual(direct.packages);
      expect(viaLoad.layers).toEqual(direct.layers);
    } finally {
      await loaded.close();
    }
  });
});
