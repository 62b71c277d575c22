import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tmpDir } from './image-files.js';

/** Runs a command and returns its stdout; throws with its output when it fails. */
export function runOrThrow(cmd: string, args: readonly string[], cwd: string, timeout = 240_000): string {
  const r = spawnSync(cmd, [...args], { cwd, encoding: 'utf8', timeout, env: { ...process.env, CI: '', npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A fresh project with this checkout's packed tarball installed as a dependency, as users get it. */
export type PackedProject = {
  /** The project directory: scripts written here import `inspect-tui` by name. */
  readonly dir: string;
  /** The tarball `npm pack` wrote. */
  readonly tarball: string;
};

/**
 * `npm pack` of this checkout (built by `npm test`; `--ignore-scripts`, so the build on disk is
 * what is packed), installed into a new ESM project in a temporary directory.
 */
export function packAndInstall(prefix = 'inspect-tui-pack-'): PackedProject {
  const out = tmpDir(prefix);
  runOrThrow('npm', ['pack', '--ignore-scripts', '--pack-destination', out], ROOT);
  const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack wrote no tarball in ${out}`);
  const dir = path.join(out, 'app');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  runOrThrow('npm', ['install', '--ignore-scripts', '--no-package-lock', '--prefer-offline', path.join(out, tgz)], dir);
  return { dir, tarball: path.join(out, tgz) };
}
