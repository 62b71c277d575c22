import { lstatSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageIndex } from '../../src/core/index.js';
import type { ImagePackages } from '../../src/packages/index.js';
import type { ExportV1 } from '../../src/report/json-export.js';
import { tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { LayerTrees } from '../helpers/layer-trees.js';
import { ownerLine, packagesOf, runAsync } from '../helpers/packages.js';
import { CAN_DEBOOTSTRAP, DEBIAN_SUITE as SUITE, debootstrapMinbase } from '../helpers/debootstrap.js';
import { buildDeb, dpkg, dpkgQuery } from '../helpers/deb-build.js';

// A whole Debian root made by debootstrap (minbase) from the configured Debian mirror: the
// packages read from its database must be what dpkg-query says, and each one's files and bytes
// what its list names on disk. Only where debootstrap is installed and this runs as root. The
// root is the one every such test shares (`debootstrapMinbase`).
const CAN = CAN_DEBOOTSTRAP;

describe.skipIf(!CAN)('a debootstrapped Debian', () => {
  let t: LayerTrees;
  let index: ImageIndex;
  let result: ImagePackages;
  let before: string[];
  let after: string[];

  beforeAll(async () => {
    const cached = await debootstrapMinbase();
    t = new LayerTrees();
    await runAsync('cp', ['-a', `${cached}/.`, t.root]);
    await t.commit(`debootstrap --variant=minbase ${SUITE}`);
    before = dpkgQuery(t.root);
    dpkg(t.root, '-i', buildDeb({ name: 'extra-tool', version: '1.0', files: { 'usr/bin/extra-tool': 'x'.repeat(123) } }));
    await t.commit('dpkg -i extra-tool');
    after = dpkgQuery(t.root);
    ({ index, result } = await packagesOf(t.layers));
  }, 600_000);

  it('has the packages dpkg-query lists, after each layer', () => {
    expect(result.warnings).toEqual([]);
    expect(before.length).toBeGreaterThan(50);
    expect(result.layers[0]!.added.map((p) => `${p.name} ${p.version}`).sort()).toEqual(before);
    expect(result.layers[1]!.added.map((p) => `${p.name} ${p.version}`)).toEqual(['extra-tool 1.0']);
    expect(result.layers[1]!.removed).toEqual([]);
    expect(result.layers[1]!.changed).toEqual([]);
    expect(result.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual(after);
    // Rewriting the status file for one more package keeps every other package's layer.
    expect(result.packages.filter((p) => p.layer === 1).map((p) => p.name)).toEqual(['extra-tool']);
  });

  it('through the whole program (--json), its packages are what dpkg-query says, each with the bytes its list names', async () => {
    const file = path.join(tmpDir('debootstrap-image-'), 'image.tar');
    writeFileSync(file, await t.image('debian:minbase'));
    const r = runCli(['--json', '-', '--quiet', file], { env: { CI: '', XDG_CACHE_HOME: tmpDir('debootstrap-cache-') } });
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as ExportV1;
    expect(e.packageWarnings).toEqual([]);
    expect(e.packages!.map((p) => `${p.name} ${p.version}`).sort()).toEqual(after);
    expect(e.packages!.every((p) => p.manager === 'dpkg' && p.path === null)).toBe(true);
    // Files and bytes as the packages' lists name them on disk (the walk below), per package.
    const onDisk = listedOnDisk(t.root);
    expect(Object.fromEntries(e.packages!.map((p) => [p.name, { files: p.files, sizeBytes: p.sizeBytes }]))).toEqual(Object.fromEntries(onDisk));
    expect(e.layers[1]!.packages).toEqual({ added: [{ manager: 'dpkg', name: 'extra-tool', version: '1.0', path: null }], removed: [], changed: [] });
  }, 120_000);

  it("counts for each package the regular files its list names on disk, and their bytes", () => {
    const claimed = new Map<string, string[]>();
    const expected = listedOnDisk(t.root, claimed);
    // No regular file is listed by two packages here, so exclusive ownership changes no count.
    expect([...claimed].filter(([, pkgs]) => pkgs.length > 1)).toEqual([]);
    const got = new Map(result.packages.map((p) => [p.name, { files: p.files, sizeBytes: p.sizeBytes }]));
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    expect([...got.values()].reduce((n, x) => n + x.files, 0)).toBeGreaterThan(3000);
  });

  it('names the owner of files behind the merged-/usr links', () => {
    const ls = result.packages.find((p) => p.name === 'coreutils')!;
    expect(ownerLine(index, result, 1, 'usr/bin/ls')).toBe(`dpkg coreutils ${ls.version}`);
    expect(ownerLine(index, result, 0, 'usr/bin/extra-tool')).toBeUndefined();
    expect(ownerLine(index, result, 1, 'usr/bin/extra-tool')).toBe('dpkg extra-tool 1.0');
    expect(ownerLine(index, result, 1, 'etc/hostname')).toBeUndefined(); // written by debootstrap, no package's
  });
});

/**
 * For each package of a dpkg root: the regular files its `.list` names, found where the kernel
 * finds them (directories' links followed, the name itself not), and their bytes (each inode
 * once). `claimed`, when given, gets every such file's listing packages.
 */
function listedOnDisk(root: string, claimed = new Map<string, string[]>()): Map<string, { files: number; sizeBytes: number }> {
  const info = path.join(root, 'var/lib/dpkg/info');
  const expected = new Map<string, { files: number; sizeBytes: number }>();
  for (const name of readdirSync(info).filter((n) => n.endsWith('.list'))) {
    const pkg = name.slice(0, -'.list'.length);
    const inodes = new Set<number>();
    let files = 0;
    let sizeBytes = 0;
    for (const listed of readFileSync(path.join(info, name), 'utf8').split('\n')) {
      if (listed === '' || listed === '/.') continue;
      // Where the kernel finds the path: the directory's links followed, the name itself not.
      let dir: string;
      try {
        dir = realpathSync(path.join(root, path.dirname(listed)));
      } catch {
        continue;
      }
      const p = path.join(dir, path.basename(listed));
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      claimed.set(p, [...(claimed.get(p) ?? []), pkg]);
      files++;
      if (!inodes.has(st.ino)) {
        inodes.add(st.ino);
        sizeBytes += st.size;
      }
    }
    expected.set(pkg, { files, sizeBytes });
  }
  return expected;
}
