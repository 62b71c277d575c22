import { appendFileSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexImage } from '../../src/core/index.js';
import { PACKAGE_LIMITS, planPackageReads } from '../../src/packages/index.js';
import { loadSqlEngine, parseRpmHeader } from '../../src/packages/rpm.js';
import { file } from '../helpers/layers.js';
import { LayerTrees } from '../helpers/layer-trees.js';
import { hasTool, ownerLine, packagesOf, refLines, sqliteWasm } from '../helpers/packages.js';
import { buildDeb, dpkg, initDpkgRoot } from '../helpers/deb-build.js';
import { buildRpm, rpm } from '../helpers/rpm-build.js';

// Databases that are huge, malformed or hostile: one warning line for the manager, no packages
// of it, never a crash, a hang or a wrong owner. The real tools write the databases; the test
// then damages them as an attacker (or a broken build) would, and says how.
const HAVE_DPKG = hasTool('dpkg-deb', ['--version']) && hasTool('dpkg', ['--version']);
const HAVE_RPM = hasTool('rpm') && hasTool('rpmbuild');

/** A root with one real dpkg package installed (pkg-a, owning usr/share/a/file). */
function dpkgRoot(t: LayerTrees): void {
  initDpkgRoot(t.root);
  dpkg(t.root, '-i', buildDeb({ name: 'pkg-a', version: '1.0', files: { 'usr/share/a/file': 'a'.repeat(64) } }));
}

/** An npm package in node_modules, written as npm leaves one. */
function npmPackage(root: string, dir: string, json: string): void {
  mkdirSync(path.join(root, dir), { recursive: true });
  writeFileSync(path.join(root, dir, 'package.json'), json);
  writeFileSync(path.join(root, dir, 'index.js'), 'module.exports = 1;\n');
}

describe.skipIf(!HAVE_DPKG)('hostile dpkg databases', () => {
  it('a status file damaged in a later layer leaves dpkg out entirely, and other managers in', async () => {
    const t = new LayerTrees();
    dpkgRoot(t);
    npmPackage(t.root, 'app/node_modules/left-pad', '{"name":"left-pad","version":"1.3.0"}');
    await t.commit('dpkg -i pkg-a');
    appendFileSync(path.join(t.root, 'var/lib/dpkg/status'), '\nthis line is not a field\n');
    await t.commit('damage the status file');
    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([{ manager: 'dpkg', layer: 1, path: 'var/lib/dpkg/status', reason: 'line 9 is not a field' }]);
    expect(refLines(result.packages)).toEqual(['npm left-pad 1.3.0 app/node_modules/left-pad']);
    expect(result.layers.flatMap((l) => refLines(l.added))).toEqual(['npm left-pad 1.3.0 app/node_modules/left-pad']);
    // No owner from a database that was not read, not even at the layer before the damage.
    expect(ownerLine(index, result, 0, 'usr/share/a/file')).toBeUndefined();
  });

  it('a package name that would lead its file list outside info/ makes the database malformed', async () => {
    const t = new LayerTrees();
    dpkgRoot(t);
    const status = path.join(t.root, 'var/lib/dpkg/status');
    writeFileSync(status, readFileSync(status, 'utf8').replace('Package: pkg-a', 'Package: ../../../../etc/passwd'));
    await t.commit('dpkg with a hostile name');
    const { result } = await packagesOf(t.layers);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([{ manager: 'dpkg', layer: 0, path: 'var/lib/dpkg/status', reason: 'a package name is not a valid dpkg name' }]);
  });

  it('a status.d file over its cap is not read, and says how large it is', async () => {
    const t = new LayerTrees();
    mkdirSync(path.join(t.root, 'var/lib/dpkg/status.d'), { recursive: true });
    writeFileSync(path.join(t.root, 'var/lib/dpkg/status.d/huge'), `Package: huge\nVersion: 1\nDescription: x\n${' x\n'.repeat(PACKAGE_LIMITS.fileBytes['dpkg-status-d'] / 3 + 1)}`);
    await t.commit('distroless with a huge record');
    const { result, read } = await packagesOf(t.layers);
    expect(read).toBe(0);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.reason).toMatch(/^is \d+ bytes, more than the 1048576 read for this kind of file$/);
  });

  it('a directory link loop in a listed path ends after a bounded number of hops', async () => {
    const t = new LayerTrees();
    dpkgRoot(t);
    symlinkSync('loop-b', path.join(t.root, 'loop-a'));
    symlinkSync('loop-a', path.join(t.root, 'loop-b'));
    appendFileSync(path.join(t.root, 'var/lib/dpkg/info/pkg-a.list'), '/loop-a/x\n/../../../escape\n');
    await t.commit('links in a loop');
    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(result.packages).toEqual([{ manager: 'dpkg', name: 'pkg-a', version: '1.0', path: null, layer: 0, files: 1, sizeBytes: 64 }]);
    expect(ownerLine(index, result, 0, 'loop-a')).toBeUndefined();
  });

  it('a pip RECORD that lists a dpkg file does not take it from dpkg', async () => {
    const t = new LayerTrees();
    dpkgRoot(t);
    const info = path.join(t.root, 'usr/local/lib/python3.11/site-packages/thief-1.0.dist-info');
    mkdirSync(info, { recursive: true });
    writeFileSync(path.join(info, 'METADATA'), 'Metadata-Version: 2.1\nName: thief\nVersion: 1.0\n');
    writeFileSync(path.join(info, 'RECORD'), 'thief-1.0.dist-info/METADATA,,\nthief-1.0.dist-info/RECORD,,\n../../../../share/a/file,,\n');
    await t.commit('a RECORD claiming a dpkg file');
    const { index, result } = await packagesOf(t.layers);
    expect(ownerLine(index, result, 0, 'usr/share/a/file')).toBe('dpkg pkg-a 1.0');
    expect(result.packages.map((p) => `${p.manager} ${p.name} ${p.files}`)).toEqual(['dpkg pkg-a 1', 'pip thief 2']);
  });
});

describe('hostile apk databases', () => {
  const apk = async (text: string) => {
    const t = new LayerTrees();
    mkdirSync(path.join(t.root, 'lib/apk/db'), { recursive: true });
    writeFileSync(path.join(t.root, 'lib/apk/db/installed'), text);
    await t.commit('apk');
    return (await packagesOf(t.layers)).result;
  };

  it('more records than the cap: one warning, quickly', async () => {
    const started = Date.now();
    const r = await apk('P:x\nV:1\n\n'.repeat(PACKAGE_LIMITS.packages + 1));
    expect(r.packages).toEqual([]);
    expect(r.warnings).toEqual([{ manager: 'apk', layer: 0, path: 'lib/apk/db/installed', reason: `more than ${PACKAGE_LIMITS.packages} records` }]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each([
    ['P:musl\nR:x\n\n', 'the record ending at line 3 has no V: line'],
    ['P:musl\nV:1\nthis is not a field\n', 'line 3 is not "X:value"'],
    ['P:musl\nV:1\nF:lib\nR:../../etc/passwd\n', 'line 4 is not a file name'],
    ['P:mu\u001bsl\nV:1\n', 'the record ending at line 2 has a malformed name or version'],
  ])('%j', async (text, reason) => {
    const r = await apk(text);
    expect(r.packages).toEqual([]);
    expect(r.warnings).toEqual([{ manager: 'apk', layer: 0, path: 'lib/apk/db/installed', reason }]);
  });
});

describe('hostile language records', () => {
  it('a package.json that is no JSON, one over its cap and one without a valid name: the rest are read, one warning', async () => {
    const t = new LayerTrees();
    npmPackage(t.root, 'app/node_modules/good', '{"name":"good","version":"1.0.0"}');
    npmPackage(t.root, 'app/node_modules/broken', '{"name":"broken",');
    npmPackage(t.root, 'app/node_modules/huge', `{"name":"huge","version":"1.0.0","pad":"${'x'.repeat(PACKAGE_LIMITS.fileBytes['npm-package-json'])}"}`);
    npmPackage(t.root, 'app/node_modules/escape', '{"name":"esc\\u001b[2Jape","version":"1.0.0"}');
    npmPackage(t.root, 'app/node_modules/deep', `${'['.repeat(400_000)}${']'.repeat(400_000)}`);
    await t.commit('npm install');
    const { result } = await packagesOf(t.layers);
    expect(refLines(result.packages)).toEqual(['npm good 1.0.0 app/node_modules/good']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.manager).toBe('npm');
    expect(result.warnings[0]!.reason).toMatch(/ \(and 1 more records skipped\)$/);
  });

  it('a dist-info whose METADATA has no Name is skipped with a warning', async () => {
    const t = new LayerTrees();
    const info = path.join(t.root, 'usr/lib/python3/site-packages/nameless-1.0.dist-info');
    mkdirSync(info, { recursive: true });
    writeFileSync(path.join(info, 'METADATA'), 'Metadata-Version: 2.1\nVersion: 1.0\n');
    await t.commit('pip');
    const { result } = await packagesOf(t.layers);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([{ manager: 'pip', layer: 0, path: 'usr/lib/python3/site-packages/nameless-1.0.dist-info/METADATA', reason: 'has no valid Name and Version' }]);
  });
});

describe.skipIf(!HAVE_RPM)('hostile rpm databases', () => {
  const realDb = () => {
    const t = new LayerTrees();
    rpm(t.root, '/var/lib/rpm', '-i', '--nodeps', buildRpm({ name: 'r', version: '1', release: '1', files: { 'usr/share/r/data': 'r'.repeat(10) } }));
    return t;
  };
  const dbFile = (t: LayerTrees) => path.join(t.root, 'var/lib/rpm/rpmdb.sqlite');

  it('a truncated rpmdb.sqlite: one warning with SQLite\'s reason', async () => {
    const t = realDb();
    truncateSync(dbFile(t), 4096);
    await t.commit('truncated');
    const { result } = await packagesOf(t.layers);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!).toMatchObject({ manager: 'rpm', layer: 0, path: 'var/lib/rpm/rpmdb.sqlite' });
    expect(result.warnings[0]!.reason).toMatch(/^cannot be read as an rpm database \(.+\)$/);
  });

  it('a file that is no SQLite database at all', async () => {
    const t = realDb();
    writeFileSync(dbFile(t), Buffer.alloc(8192, 7));
    await t.commit('garbage');
    const { result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([{ manager: 'rpm', layer: 0, path: 'var/lib/rpm/rpmdb.sqlite', reason: 'not an SQLite database' }]);
  });

  it('a write-ahead log that holds changes: not read rather than read stale', async () => {
    const t = realDb();
    writeFileSync(path.join(t.root, 'var/lib/rpm/rpmdb.sqlite-wal'), Buffer.alloc(4096, 1));
    await t.commit('wal');
    const { result } = await packagesOf(t.layers);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([{ manager: 'rpm', layer: 0, path: 'var/lib/rpm/rpmdb.sqlite-wal', reason: 'holds changes not yet written to rpmdb.sqlite, which are not read' }]);
  });

  it('header blobs with every kind of damage never throw, and a damaged database gives one warning', async () => {
    const t = realDb();
    const engine = await loadSqlEngine(await sqliteWasm());
    const db = new engine.Database(readFileSync(dbFile(t)));
    const blob = db.exec('SELECT blob FROM Packages')[0]!.values[0]![0] as Uint8Array;
    expect(parseRpmHeader(blob)).toMatchObject({ ok: true, value: { name: 'r', version: '1-1' } });
    // Random bytes overwritten, counts and offsets inflated, the blob cut short.
    let state = 12345;
    const rand = (n: number) => ((state = (state * 1103515245 + 12345) >>> 0) % n);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Uint8Array.from(blob.subarray(0, i % 10 === 0 ? rand(blob.length) : blob.length));
      for (let k = 0; k < 1 + rand(8); k++) if (b.length > 0) b[rand(b.length)] = rand(256);
      const r = parseRpmHeader(b);
      if (!r.ok) rejected++;
      else for (const f of r.value.files) expect(f.startsWith('/') || f.split('/').includes('..')).toBe(false);
    }
    expect(rejected).toBeGreaterThan(100);
    // The same damage inside the database file: the table rewritten with a broken blob.
    db.run('UPDATE Packages SET blob = ?', [blob.subarray(0, 20)]);
    writeFileSync(dbFile(t), db.export());
    db.close();
    await t.commit('damaged header');
    const { result } = await packagesOf(t.layers);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([{ manager: 'rpm', layer: 0, path: 'var/lib/rpm/rpmdb.sqlite', reason: 'a header is truncated' }]);
  });
});

describe('the read plan', () => {
  it('stops asking for bodies past the total cap, and names what it left', () => {
    // Five layers each writing a 256 MiB rpmdb (sizes only: no body is read to plan).
    const size = PACKAGE_LIMITS.fileBytes['rpm-sqlite'];
    const index = indexImage({
      identity: { reference: 'test', source: 'test' },
      config: { diffIds: [], history: [], config: {} },
      layers: [0, 1, 2, 3, 4].map(() => ({ descriptor: {}, entries: [file('var/lib/rpm/rpmdb.sqlite', size)] })),
    });
    const plan = planPackageReads(index);
    expect(plan.requests.map((r) => r.layer)).toEqual([0, 1, 2, 3]);
    expect([...plan.skipped.values()]).toEqual([`was not read: the image's package databases exceed ${PACKAGE_LIMITS.totalBytes} bytes`]);
  });

  it('asks for nothing in an image without package databases', () => {
    const index = indexImage({ identity: { reference: 'test', source: 'test' }, config: { diffIds: [], history: [], config: {} }, layers: [{ descriptor: {}, entries: [file('etc/status', 10), file('app/package.json', 10), file('lib/apk/db/installed.bak', 10)] }] });
    expect(planPackageReads(index).requests).toEqual([]);
  });
});

describe('copied databases', () => {
  it.skipIf(!HAVE_DPKG)('a database copied to another place is not read there', async () => {
    const t = new LayerTrees();
    dpkgRoot(t);
    mkdirSync(path.join(t.root, 'backup/var/lib/dpkg'), { recursive: true });
    copyFileSync(path.join(t.root, 'var/lib/dpkg/status'), path.join(t.root, 'backup/var/lib/dpkg/status'));
    await t.commit('copy');
    const { result } = await packagesOf(t.layers);
    expect(refLines(result.packages)).toEqual(['dpkg pkg-a 1.0']);
  });
});
