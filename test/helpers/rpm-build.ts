import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from './image-files.js';
import { run } from './packages.js';

/** A file of a test rpm: its content, or a hard link to another path of the package. */
export type RpmFile = string | { readonly hardlinkTo: string };

/**
 * Builds a real noarch `.rpm` with `rpmbuild -bb` from a spec whose %install writes the files
 * given (paths relative to the root). Returns the package file's path.
 */
export function buildRpm(spec: { name: string; version: string; release: string; epoch?: number; files: Record<string, RpmFile> }): string {
  const top = tmpDir('rpmbuild-');
  mkdirSync(path.join(top, 'SPECS'), { recursive: true });
  const install: string[] = [];
  for (const [p, f] of Object.entries(spec.files)) {
    install.push(`mkdir -p "%{buildroot}/${path.posix.dirname(p)}"`);
    if (typeof f === 'string') install.push(`echo ${Buffer.from(f).toString('base64')} | base64 -d > "%{buildroot}/${p}"`);
    else install.push(`ln "%{buildroot}/${f.hardlinkTo}" "%{buildroot}/${p}"`);
  }
  const text = [
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Release: ${spec.release}`,
    ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []),
    'Summary: test package',
    'License: MIT',
    'BuildArch: noarch',
    '%description',
    'A test package.',
    '%install',
    ...install,
    '%files',
    ...Object.keys(spec.files).map((p) => `/${p}`),
    '',
  ].join('\n');
  const specFile = path.join(top, 'SPECS', `${spec.name}.spec`);
  writeFileSync(specFile, text);
  run('rpmbuild', ['--define', `_topdir ${top}`, '--define', 'debug_package %{nil}', '-bb', specFile]);
  const dir = path.join(top, 'RPMS', 'noarch');
  return path.join(dir, readdirSync(dir)[0]!);
}

/** Real rpm acting on the root filesystem at `root`, its database in `dbpath` under the root. */
export function rpm(root: string, dbpath: string, ...args: string[]): string {
  return run('rpm', ['--root', root, '--dbpath', dbpath, ...args]);
}

/** `rpm -qa` on the root's database: `name [epoch:]version-release` lines, sorted. */
export function rpmQuery(root: string, dbpath: string): string[] {
  return rpm(root, dbpath, '-qa', '--qf', '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n')
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}
