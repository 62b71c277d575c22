import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayerTrees } from '../helpers/layer-trees.js';
import { hasTool, ownerLine, packagesOf, refLines, run } from '../helpers/packages.js';
import { buildDeb, dpkg, dpkgQuery, initDpkgRoot } from '../helpers/deb-build.js';

// Real databases: packages built with dpkg-deb, installed, upgraded and removed by dpkg --root.
const HAVE_DPKG = hasTool('dpkg-deb', ['--version']) && hasTool('dpkg', ['--version']);

describe.skipIf(!HAVE_DPKG)('dpkg databases written by dpkg', () => {
  const arch = HAVE_DPKG ? run('dpkg', ['--print-architecture']).trim() : 'amd64';
  const bytes = (n: number, c: string) => c.repeat(n);

  it('reads installs, an upgrade, a removal and a Multi-Arch: same package, layer by layer', async () => {
    const a1 = buildDeb({
      name: 'pkg-a',
      version: '1.0-1',
      files: { 'usr/share/a/one.txt': bytes(100, 'a'), 'usr/share/a/one-link.txt': { hardlinkTo: 'usr/share/a/one.txt' }, 'usr/share/a/two.txt': bytes(50, 'b'), 'bin/a-tool': bytes(5, 't') },
    });
    const b = buildDeb({ name: 'pkg-b', version: '2:2.0', files: { 'usr/share/b/data': bytes(300, 'c') } });
    const a2 = buildDeb({
      name: 'pkg-a',
      version: '1.1-1',
      files: { 'usr/share/a/one.txt': bytes(120, 'd'), 'usr/share/a/one-link.txt': { hardlinkTo: 'usr/share/a/one.txt' }, 'usr/share/a/three.txt': bytes(70, 'e'), 'bin/a-tool': bytes(5, 't') },
    });
    const c = buildDeb({ name: 'libpkg-c', version: '0.9~rc1-3', arch, multiArch: 'same', files: { [`usr/lib/${arch}/libc-test.so.0`]: bytes(1000, 'f') } });

    const t = new LayerTrees();
    initDpkgRoot(t.root);
    symlinkSync('usr/bin', path.join(t.root, 'bin')); // merged /usr, as Debian 12 images have
    await t.commit('base');
    const seen: string[][] = [dpkgQuery(t.root)];
    dpkg(t.root, '-i', a1, b);
    await t.commit('dpkg -i pkg-a pkg-b');
    seen.push(dpkgQuery(t.root));
    dpkg(t.root, '-i', a2);
    dpkg(t.root, '-r', 'pkg-b');
    await t.commit('dpkg -i pkg-a_1.1 && dpkg -r pkg-b');
    seen.push(dpkgQuery(t.root));
    dpkg(t.root, '-i', c);
    mkdirSync(path.join(t.root, 'etc'), { recursive: true });
    writeFileSync(path.join(t.root, 'etc/unowned.conf'), 'x');
    await t.commit('dpkg -i libpkg-c');
    seen.push(dpkgQuery(t.root));

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    // What dpkg-query says after each step.
    expect(seen).toEqual([[], ['pkg-a 1.0-1', 'pkg-b 2:2.0'], ['pkg-a 1.1-1'], [`libpkg-c:${arch} 0.9~rc1-3`, 'pkg-a 1.1-1']]);
    expect(result.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual(seen[3]);

    // one.txt and its hard link count once for the size, twice for files; bin/a-tool lies at usr/bin.
    expect(result.packages).toEqual([
      { manager: 'dpkg', name: `libpkg-c:${arch}`, version: '0.9~rc1-3', path: null, layer: 3, files: 1, sizeBytes: 1000 },
      { manager: 'dpkg', name: 'pkg-a', version: '1.1-1', path: null, layer: 2, files: 4, sizeBytes: 120 + 70 + 5 },
    ]);
    expect(result.layers.map((l) => ({ added: refLines(l.added), removed: refLines(l.removed), changed: l.changed.map((x) => `${x.before.name} ${x.before.version} -> ${x.after.version}`) }))).toEqual([
      { added: [], removed: [], changed: [] },
      { added: ['dpkg pkg-a 1.0-1', 'dpkg pkg-b 2:2.0'], removed: [], changed: [] },
      { added: [], removed: ['dpkg pkg-b 2:2.0'], changed: ['pkg-a 1.0-1 -> 1.1-1'] },
      { added: [`dpkg libpkg-c:${arch} 0.9~rc1-3`], removed: [], changed: [] },
    ]);

    expect(ownerLine(index, result, 1, 'usr/bin/a-tool')).toBe('dpkg pkg-a 1.0-1');
    expect(ownerLine(index, result, 3, 'usr/bin/a-tool')).toBe('dpkg pkg-a 1.1-1');
    expect(ownerLine(index, result, 1, 'usr/share/a/two.txt')).toBe('dpkg pkg-a 1.0-1');
    expect(ownerLine(index, result, 2, 'usr/share/a/two.txt')).toBeUndefined(); // gone with the upgrade
    expect(ownerLine(index, result, 1, 'usr/share/b/data')).toBe('dpkg pkg-b 2:2.0');
    expect(ownerLine(index, result, 2, 'usr/share/b/data')).toBeUndefined(); // removed
    expect(ownerLine(index, result, 3, 'usr/share/a/one-link.txt')).toBe('dpkg pkg-a 1.1-1');
    expect(ownerLine(index, result, 3, 'etc/unowned.conf')).toBeUndefined();
    expect(ownerLine(index, result, 3, 'usr/share/a')).toBeUndefined(); // a directory
    expect(ownerLine(index, result, 3, 'var/lib/dpkg/status')).toBeUndefined();
    // At the last layer the owner is the package of the final list itself.
    const three = index.paths.find('usr/share/a/three.txt')!;
    expect(result.ownerAt(3, three)).toBe(result.packages[1]);
  });

  it('reads a distroless-style status.d with md5sums as the file lists', async () => {
    const d = buildDeb({ name: 'base-d', version: '1.2', files: { 'etc/d.conf': bytes(10, 'g'), 'usr/share/d/big': bytes(4000, 'h') } });
    const e = buildDeb({ name: 'libe', version: '3.0-1', arch, multiArch: 'same', files: { [`usr/lib/${arch}/libe.so.3`]: bytes(2000, 'i') } });
    const t = new LayerTrees();
    // As distroless builds it: each package's data extracted, its control stanza and md5sums in status.d.
    const install = (deb: string, name: string) => {
      run('dpkg-deb', ['-x', deb, t.root]);
      mkdirSync(path.join(t.root, 'var/lib/dpkg/status.d'), { recursive: true });
      writeFileSync(path.join(t.root, 'var/lib/dpkg/status.d', name), run('dpkg-deb', ['-f', deb]));
      writeFileSync(path.join(t.root, 'var/lib/dpkg/status.d', `${name}.md5sums`), run('dpkg-deb', ['-I', deb, 'md5sums']));
    };
    install(d, 'base-d');
    await t.commit('base-d');
    install(e, 'libe');
    await t.commit('libe');
    rmSync(path.join(t.root, 'var/lib/dpkg/status.d/base-d'));
    rmSync(path.join(t.root, 'var/lib/dpkg/status.d/base-d.md5sums'));
    await t.commit('forget base-d');

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(result.packages).toEqual([{ manager: 'dpkg', name: `libe:${arch}`, version: '3.0-1', path: null, layer: 1, files: 1, sizeBytes: 2000 }]);
    expect(refLines(result.layers[0]!.added)).toEqual(['dpkg base-d 1.2']);
    expect(refLines(result.layers[1]!.added)).toEqual([`dpkg libe:${arch} 3.0-1`]);
    expect(refLines(result.layers[2]!.removed)).toEqual(['dpkg base-d 1.2']);
    expect(ownerLine(index, result, 1, 'usr/share/d/big')).toBe('dpkg base-d 1.2');
    // The files stay, their package record is gone: nobody owns them now.
    expect(ownerLine(index, result, 2, 'usr/share/d/big')).toBeUndefined();
  });
});
