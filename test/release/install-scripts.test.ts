import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };

describe('what installing runs', () => {
  it('the published package runs nothing when installed: Ink is patched by the build, and the bundle carries it', () => {
    // npm 11 counts `prepare` too as an install script of a package installed from a tarball.
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
    expect(pkg.files.some((f) => f.startsWith('patches'))).toBe(false);
    expect(readFileSync(path.join(ROOT, 'scripts', 'build.mjs'), 'utf8')).toContain('applyPatches();');
  });

  it('has a patch for the Ink that is installed', () => {
    const inkPkg = path.join(path.dirname(createRequire(import.meta.url).resolve('ink')), '..', 'package.json');
    const { version } = JSON.parse(readFileSync(inkPkg, 'utf8')) as { version: string };
    expect(existsSync(path.join(ROOT, 'patches', `ink+${version}.patch`))).toBe(true);
  });
});
