import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDeb, dpkg, dpkgQuery, initDpkgRoot } from './deb-build.js';
import { buildDockerArchive, tmpDir } from './image-files.js';
import { LayerTrees } from './layer-trees.js';
import { hasTool, onDisk, run } from './packages.js';
import { buildRpm, rpm, rpmQuery } from './rpm-build.js';

/**
 * Two images whose package databases real tools wrote, for the tests that go through the whole
 * program (`--json`, `diff --json`, the inspector): OLD is a dpkg base layer and an `npm install`;
 * NEW is the same two layers (the shared base) and then a dpkg layer that upgrades, downgrades,
 * reinstalls two packages at the same version with other content (one of another size, one of
 * the same size) and adds one, a layer that
 * removes a dpkg package and adds an npm package, and (with rpmbuild) an rpm layer. Each image
 * is written as a docker-archive with plain layers (read in place) and with gzip layers (read as
 * streams). What the tools themselves say of the root after each image's last layer is kept
 * beside, and each package's files and bytes as the test wrote them, so a test compares the
 * program's view with facts it did not compute.
 */
export type PackageImages = {
  readonly old: { readonly plain: string; readonly gzip: string };
  readonly new: { readonly plain: string; readonly gzip: string };
  /** `manager name version` per the tools (dpkg-query, npm query, rpm -qa), sorted: OLD's and NEW's. */
  readonly listed: { readonly old: readonly string[]; readonly new: readonly string[] };
  /** Every package of NEW's final filesystem as the tests expect the export to give it. */
  readonly expected: { readonly old: readonly ExpectedPackage[]; readonly new: readonly ExpectedPackage[] };
  /** True when NEW has the rpm layer. */
  readonly rpm: boolean;
};

export type ExpectedPackage = { manager: string; name: string; version: string; path: string | null; layer: number; files: number; sizeBytes: number };

const HAVE = hasTool('dpkg', ['--version']) && hasTool('dpkg-deb', ['--version']) && hasTool('npm', ['--version']);
/** Why the package image tests are skipped, or undefined when they can run. */
export const NO_PACKAGE_TOOLS = HAVE ? undefined : 'skipped: dpkg, dpkg-deb and npm are needed';

/** A deb of one package whose files are `size` bytes each of one letter. */
function deb(name: string, version: string, files: Record<string, number>, fill: string): { file: string; expected: Omit<ExpectedPackage, 'layer'> } {
  const content = Object.fromEntries(Object.entries(files).map(([p, n]) => [p, fill.repeat(n)]));
  const sizeBytes = Object.values(files).reduce((a, b) => a + b, 0);
  return { file: buildDeb({ name, version, files: content }), expected: { manager: 'dpkg', name, version, path: null, files: Object.keys(files).length, sizeBytes } };
}


let built: Promise<PackageImages> | undefined;

/** Builds the two images once per test file (about ten seconds: real dpkg, npm and rpm runs). */
export function packageImages(): Promise<PackageImages> {
  return (built ??= build());
}

async function build(): Promise<PackageImages> {
  const work = tmpDir('package-images-');
  const cache = path.join(work, 'npm-cache');
  const npm = (cwd: string, ...args: string[]) => run('npm', [...args, '--offline', '--no-audit', '--no-fund', '--cache', cache], { cwd });
  const pack = (name: string, version: string, size: number) => {
    const dir = path.join(work, `${name}-${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version }));
    writeFileSync(path.join(dir, 'index.js'), 'n'.repeat(size));
    const file = run('npm', ['pack', '--silent', '--pack-destination', work, '--cache', cache], { cwd: dir }).trim().split('\n').pop()!;
    return path.join(work, file);
  };
  const npmQuery = (app: string) =>
    (JSON.parse(run('npm', ['query', '*'], { cwd: app })) as { name: string; version: string; location: string }[]).filter((p) => p.location !== '').map((p) => `npm ${p.name} ${p.version}`);

  const t = new LayerTrees();
  const root = t.root;
  const expect = new Map<string, ExpectedPackage>();
  const put = (key: string, e: Omit<ExpectedPackage, 'layer'>, layer: number) => expect.set(key, { ...e, layer });

  // L0: a dpkg base.
  initDpkgRoot(root);
  const base = [
    deb('pkg-base', '1.0', { 'usr/share/base/readme': 100, 'usr/share/base/data': 2000 }, 'b'),
    deb('pkg-tool', '2.0', { 'usr/bin/tool': 500 }, 't'),
    deb('pkg-lib', '1.5', { 'usr/lib/libx.so.1': 1000 }, 'l'),
    deb('pkg-same', '1.0', { 'usr/share/same/file': 50 }, 's'),
    deb('pkg-edit', '1.0', { 'usr/share/edit/file': 40 }, 'e'),
  ];
  dpkg(root, '-i', ...base.map((d) => d.file));
  for (const d of base) put(`dpkg ${d.expected.name}`, d.expected, 0);
  await t.commit('dpkg -i pkg-base pkg-tool pkg-lib pkg-same pkg-edit');

  // L1: an npm project.
  const app = path.join(root, 'app');
  mkdirSync(app);
  const a = pack('pkg-a', '1.0.0', 300);
  const b = pack('pkg-b', '1.0.0', 100);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.1', dependencies: { 'pkg-a': `file:${a}`, 'pkg-b': `file:${b}` } }));
  npm(app, 'install');
  for (const n of ['pkg-a', 'pkg-b']) put(`npm ${n}`, { manager: 'npm', name: n, version: '1.0.0', path: `app/node_modules/${n}`, ...onDisk(path.join(app, 'node_modules', n)) }, 1);
  await t.commit('npm install');
  const oldListed = [...dpkgQuery(root).map((l) => `dpkg ${l}`), ...npmQuery(app)].sort();
  const oldExpected = [...expect.values()];

  // L2: an upgrade, a downgrade, the same version with other content, a new package.
  const next = [
    deb('pkg-tool', '2.1', { 'usr/bin/tool': 700 }, 'T'),
    deb('pkg-lib', '1.4', { 'usr/lib/libx.so.1': 900 }, 'L'),
    deb('pkg-same', '1.0', { 'usr/share/same/file': 80 }, 'S'),
    // The same version, the same size, other bytes: only the content tells.
    deb('pkg-edit', '1.0', { 'usr/share/edit/file': 40 }, 'E'),
    deb('pkg-new', '0.1', { 'usr/share/new/x': 10 }, 'x'),
  ];
  dpkg(root, '-i', ...next.map((d) => d.file));
  // A package's layer is the one that installed it or last changed its version: the same version reinstalled keeps its own.
  for (const d of next) put(`dpkg ${d.expected.name}`, d.expected, d.expected.name === 'pkg-same' || d.expected.name === 'pkg-edit' ? 0 : 2);
  await t.commit('dpkg -i pkg-tool=2.1 pkg-lib=1.4 pkg-same pkg-edit pkg-new');

  // L3: a dpkg package removed, an npm package added.
  dpkg(root, '-r', 'pkg-base');
  expect.delete('dpkg pkg-base');
  const c = pack('pkg-c', '3.0.0', 250);
  npm(app, 'install', `file:${c}`);
  put('npm pkg-c', { manager: 'npm', name: 'pkg-c', version: '3.0.0', path: 'app/node_modules/pkg-c', ...onDisk(path.join(app, 'node_modules', 'pkg-c')) }, 3);
  await t.commit('dpkg -r pkg-base && npm install pkg-c');

  // L4: an rpm package (its database is SQLite: the program starts its wasm engine).
  const withRpm = hasTool('rpmbuild');
  if (withRpm) {
    rpm(root, '/var/lib/rpm', '-i', '--nodeps', buildRpm({ name: 'r', version: '2', release: '1', files: { 'usr/share/r/data': 'r'.repeat(10) } }));
    put('rpm r', { manager: 'rpm', name: 'r', version: '2-1', path: null, files: 1, sizeBytes: 10 }, 4);
    await t.commit('rpm -i r');
  }
  const newListed = [...dpkgQuery(root).map((l) => `dpkg ${l}`), ...npmQuery(app), ...(withRpm ? rpmQuery(root, '/var/lib/rpm').map((l) => `rpm ${l}`) : [])].sort();

  const write = async (name: string, layers: number, gzip: boolean) => {
    const file = path.join(work, `${name}${gzip ? '-gzip' : ''}.tar`);
    const ls = t.layers.slice(0, layers);
    writeFileSync(file, await buildDockerArchive([{ tags: [`packages:${name}`], layers: ls.map((l) => l.tar), gzipLayers: gzip, history: ls.map((l) => `/bin/sh -c ${l.command}`) }]));
    return file;
  };
  const order = (x: ExpectedPackage, y: ExpectedPackage) => ['dpkg', 'apk', 'rpm', 'pip', 'npm'].indexOf(x.manager) - ['dpkg', 'apk', 'rpm', 'pip', 'npm'].indexOf(y.manager) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  return {
    old: { plain: await write('old', 2, false), gzip: await write('old', 2, true) },
    new: { plain: await write('new', t.layers.length, false), gzip: await write('new', t.layers.length, true) },
    listed: { old: oldListed, new: newListed },
    expected: { old: oldExpected.sort(order), new: [...expect.values()].sort(order) },
    rpm: withRpm,
  };
}
