import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from './image-files.js';
import { run } from './packages.js';

/** A file of a test package: its content, or a hard link to another path of the package. */
export type DebFile = string | Buffer | { readonly hardlinkTo: string } | { readonly symlinkTo: string };

/**
 * Builds a real `.deb` with `dpkg-deb --build` from a control stanza and files (paths relative
 * to the root), with a DEBIAN/md5sums as Debian's packaging tools write one. Returns its path.
 */
export function buildDeb(spec: { name: string; version: string; arch?: string; multiArch?: string; files: Record<string, DebFile> }): string {
  const dir = tmpDir('deb-');
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  const control = [`Package: ${spec.name}`, `Version: ${spec.version}`, `Architecture: ${spec.arch ?? 'all'}`];
  if (spec.multiArch) control.push(`Multi-Arch: ${spec.multiArch}`);
  control.push('Maintainer: Test <test@example.org>', `Description: test package ${spec.name}`);
  writeFileSync(path.join(root, 'DEBIAN', 'control'), `${control.join('\n')}\n`);
  const regular: string[] = [];
  for (const [p, f] of Object.entries(spec.files)) {
    const abs = path.join(root, p);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof f === 'string' || Buffer.isBuffer(f)) {
      writeFileSync(abs, f);
      regular.push(p);
    } else if ('hardlinkTo' in f) {
      linkSync(path.join(root, f.hardlinkTo), abs);
      regular.push(p);
    } else symlinkSync(f.symlinkTo, abs);
  }
  if (regular.length > 0) writeFileSync(path.join(root, 'DEBIAN', 'md5sums'), run('md5sum', regular.sort(), { cwd: root }));
  const out = path.join(dir, `${spec.name}_${spec.version}_${spec.arch ?? 'all'}.deb`);
  run('dpkg-deb', ['--root-owner-group', '--build', root, out]);
  return out;
}

/** An empty dpkg database under `root`, as a base image has before its first package. */
export function initDpkgRoot(root: string): void {
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'usr/bin']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'var/lib/dpkg/status'), '');
}

/** Real dpkg acting on the root filesystem at `root`. */
export function dpkg(root: string, ...args: string[]): string {
  return run('dpkg', [`--root=${root}`, ...args]);
}

/** `dpkg-query -W` on the root's database: `name version` of the packages with files on disk, names as dpkg prints `${binary:Package}`, sorted. */
export function dpkgQuery(root: string): string[] {
  return run('dpkg-query', [`--admindir=${path.join(root, 'var/lib/dpkg')}`, '-W', '-f', '${db:Status-Status} ${binary:Package} ${Version}\n'])
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('not-installed ') && !l.startsWith('config-files '))
    .map((l) => l.slice(l.indexOf(' ') + 1))
    .sort();
}
