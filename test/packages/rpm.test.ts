import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayerTrees } from '../helpers/layer-trees.js';
import { hasTool, ownerLine, packagesOf, refLines, run } from '../helpers/packages.js';
import { buildRpm, rpm, rpmQuery } from '../helpers/rpm-build.js';

// Real databases: packages built with rpmbuild, installed, upgraded and erased by Debian's rpm,
// which writes rpmdb.sqlite (its %_db_backend is sqlite, checked below).
const HAVE_RPM = hasTool('rpm') && hasTool('rpmbuild');

describe.skipIf(!HAVE_RPM)('rpm databases written by rpm', () => {
  const hello1 = () =>
    buildRpm({ name: 'hello-tiny', version: '1.2', release: '3', epoch: 2, files: { 'usr/share/hello-tiny/greeting': 'hello\n', 'usr/share/hello-tiny/greeting2': { hardlinkTo: 'usr/share/hello-tiny/greeting' }, 'usr/bin/hello-tiny': '#!/bin/sh\necho hi\n' } });

  it('writes sqlite databases here', () => {
    expect(run('rpm', ['--eval', '%_db_backend']).trim()).toBe('sqlite');
  });

  it('reads installs, an upgrade and an erase, layer by layer', async () => {
    const h1 = hello1();
    const other = buildRpm({ name: 'other', version: '1.0', release: '1', files: { 'usr/share/other/data': 'o'.repeat(500) } });
    const h2 = buildRpm({
      name: 'hello-tiny',
      version: '1.3',
      release: '1',
      epoch: 2,
      files: { 'usr/share/hello-tiny/greeting': 'hello, world\n', 'usr/share/hello-tiny/greeting2': { hardlinkTo: 'usr/share/hello-tiny/greeting' }, 'usr/share/hello-tiny/extra': 'x'.repeat(40), 'usr/bin/hello-tiny': '#!/bin/sh\necho hi\n' },
    });
    const t = new LayerTrees();
    const db = '/var/lib/rpm';
    const seen: string[][] = [];
    rpm(t.root, db, '-i', '--nodeps', h1, other);
    await t.commit('rpm -i hello-tiny other');
    seen.push(rpmQuery(t.root, db));
    rpm(t.root, db, '-U', '--nodeps', h2);
    await t.commit('rpm -U hello-tiny');
    seen.push(rpmQuery(t.root, db));
    rpm(t.root, db, '-e', '--nodeps', 'other');
    await t.commit('rpm -e other');
    seen.push(rpmQuery(t.root, db));

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(seen).toEqual([['hello-tiny 2:1.2-3', 'other 1.0-1'], ['hello-tiny 2:1.3-1', 'other 1.0-1'], ['hello-tiny 2:1.3-1']]);
    expect(result.packages).toEqual([{ manager: 'rpm', name: 'hello-tiny', version: '2:1.3-1', path: null, layer: 1, files: 4, sizeBytes: 13 + 40 + 18 }]);
    expect(result.layers.map((l) => [refLines(l.added), refLines(l.removed), l.changed.map((c) => `${c.before.version} -> ${c.after.version}`)])).toEqual([
      [['rpm hello-tiny 2:1.2-3', 'rpm other 1.0-1'], [], []],
      [[], [], ['2:1.2-3 -> 2:1.3-1']],
      [[], ['rpm other 1.0-1'], []],
    ]);
    expect(ownerLine(index, result, 0, 'usr/share/hello-tiny/greeting2')).toBe('rpm hello-tiny 2:1.2-3');
    expect(ownerLine(index, result, 1, 'usr/share/hello-tiny/extra')).toBe('rpm hello-tiny 2:1.3-1');
    expect(ownerLine(index, result, 1, 'usr/share/other/data')).toBe('rpm other 1.0-1');
    expect(ownerLine(index, result, 2, 'usr/share/other/data')).toBeUndefined();
    expect(ownerLine(index, result, 2, 'var/lib/rpm/rpmdb.sqlite')).toBeUndefined();
  });

  it('finds the database where Fedora keeps it, behind /var/lib/rpm as a link', async () => {
    const t = new LayerTrees();
    mkdirSync(path.join(t.root, 'var/lib'), { recursive: true });
    mkdirSync(path.join(t.root, 'usr/lib/sysimage/rpm'), { recursive: true });
    symlinkSync('../../usr/lib/sysimage/rpm', path.join(t.root, 'var/lib/rpm'));
    rpm(t.root, '/usr/lib/sysimage/rpm', '-i', '--nodeps', hello1());
    await t.commit('rpm -i hello-tiny');
    const { result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(refLines(result.packages)).toEqual(['rpm hello-tiny 2:1.2-3']);
    expect(result.packages[0]!.files).toBe(3);
  });

  it('reads no rpmdb without the SQLite engine, and says so in one warning', async () => {
    const t = new LayerTrees();
    rpm(t.root, '/var/lib/rpm', '-i', '--nodeps', hello1());
    await t.commit('rpm -i hello-tiny');
    const { result } = await packagesOf(t.layers, { sqlite: false });
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([{ manager: 'rpm', layer: 0, path: 'var/lib/rpm/rpmdb.sqlite', reason: 'not read: no SQLite engine was given' }]);
  });

  it('names a BerkeleyDB or ndb database as unsupported instead of guessing', async () => {
    // Debian's rpm writes only sqlite: these files are stand-ins; only their names are looked at.
    for (const [dir, file, what] of [['var/lib/rpm', 'Packages', 'a BerkeleyDB'], ['usr/lib/sysimage/rpm', 'Packages.db', 'an ndb']] as const) {
      const t = new LayerTrees();
      mkdirSync(path.join(t.root, dir), { recursive: true });
      writeFileSync(path.join(t.root, dir, file), Buffer.alloc(4096));
      await t.commit('centos 7');
      const { result } = await packagesOf(t.layers);
      expect(result.packages).toEqual([]);
      expect(result.warnings).toEqual([{ manager: 'rpm', layer: 0, path: `${dir}/${file}`, reason: `is ${what} rpm database, which is not supported (rpm >= 4.16 writes rpmdb.sqlite)` }]);
    }
  });
});
