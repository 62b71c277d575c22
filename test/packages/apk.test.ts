import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayerTrees } from '../helpers/layer-trees.js';
import { ownerLine, packagesOf, refLines } from '../helpers/packages.js';

// Debian has no apk-tools, so no real apk can write this database here: the `installed` files
// below are written by hand in apk-tools' documented format ("Apk spec: installed database"),
// with the fields an Alpine image's database has, and the files they list really in the layers.
type ApkPkg = { name: string; version: string; files: Record<string, string> };

function installedDb(pkgs: readonly ApkPkg[]): string {
  return pkgs
    .map((p) => {
      const lines = [`C:Q1${Buffer.from(p.name).toString('base64')}=`, `P:${p.name}`, `V:${p.version}`, 'A:x86_64', 'S:1000', 'I:4000', `T:${p.name} for tests`, 'U:https://example.org/', 'L:MIT', `o:${p.name}`, 't:1700000000'];
      const byDir = new Map<string, string[]>();
      for (const f of Object.keys(p.files)) {
        const d = path.posix.dirname(f);
        byDir.set(d, [...(byDir.get(d) ?? []), path.posix.basename(f)]);
      }
      for (const [d, names] of byDir) {
        lines.push(`F:${d}`);
        for (const n of names) lines.push(`R:${n}`, 'a:0:0:755', `Z:Q1${Buffer.from(n).toString('base64')}=`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

describe('apk installed database', () => {
  it('reads packages, an upgrade and a removal, layer by layer', async () => {
    const musl: ApkPkg = { name: 'musl', version: '1.2.4-r2', files: { 'lib/ld-musl-x86_64.so.1': 'm'.repeat(600), 'lib/libc.musl-x86_64.so.1': 'l'.repeat(20) } };
    const busybox1: ApkPkg = { name: 'busybox', version: '1.36.1-r5', files: { 'bin/busybox': 'b'.repeat(800), 'etc/securetty': 's'.repeat(10) } };
    const busybox2: ApkPkg = { name: 'busybox', version: '1.36.1-r15', files: { 'bin/busybox': 'B'.repeat(820), 'etc/securetty': 's'.repeat(10) } };
    const curl: ApkPkg = { name: 'curl', version: '8.5.0-r0', files: { 'usr/bin/curl': 'c'.repeat(250) } };
    const t = new LayerTrees();
    const install = (pkgs: ApkPkg[], add: ApkPkg[]) => {
      for (const p of add) for (const [f, body] of Object.entries(p.files)) {
        mkdirSync(path.dirname(path.join(t.root, f)), { recursive: true });
        writeFileSync(path.join(t.root, f), body);
      }
      mkdirSync(path.join(t.root, 'lib/apk/db'), { recursive: true });
      writeFileSync(path.join(t.root, 'lib/apk/db/installed'), installedDb(pkgs));
    };
    install([musl, busybox1], [musl, busybox1]);
    await t.commit('alpine base');
    install([musl, busybox2, curl], [busybox2, curl]);
    await t.commit('apk upgrade && apk add curl');
    rmSync(path.join(t.root, 'usr/bin/curl'));
    install([musl, busybox2], []);
    await t.commit('apk del curl');

    const { index, result } = await packagesOf(t.layers);
    expect(result.warnings).toEqual([]);
    expect(result.packages).toEqual([
      { manager: 'apk', name: 'busybox', version: '1.36.1-r15', path: null, layer: 1, files: 2, sizeBytes: 830 },
      { manager: 'apk', name: 'musl', version: '1.2.4-r2', path: null, layer: 0, files: 2, sizeBytes: 620 },
    ]);
    expect(result.layers.map((l) => [refLines(l.added), refLines(l.removed), l.changed.map((c) => `${c.after.name} ${c.before.version} -> ${c.after.version}`)])).toEqual([
      [['apk busybox 1.36.1-r5', 'apk musl 1.2.4-r2'], [], []],
      [['apk curl 8.5.0-r0'], [], ['busybox 1.36.1-r5 -> 1.36.1-r15']],
      [[], ['apk curl 8.5.0-r0'], []],
    ]);
    expect(ownerLine(index, result, 1, 'usr/bin/curl')).toBe('apk curl 8.5.0-r0');
    expect(ownerLine(index, result, 0, 'bin/busybox')).toBe('apk busybox 1.36.1-r5');
    expect(ownerLine(index, result, 2, 'bin/busybox')).toBe('apk busybox 1.36.1-r15');
    expect(ownerLine(index, result, 2, 'lib/apk/db/installed')).toBeUndefined();
  });
});
