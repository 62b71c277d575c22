/**
 * Builds images with the real `buildah bud` (Debian's buildah), as root, into a private store
 * (`--root`/`--runroot` under a temp dir, the vfs driver, chroot isolation) so that nothing the
 * host has is touched and nothing is pulled from a network: the base image comes from the
 * fixtures (`buildah pull oci-archive:…`), and builds run with `--pull=never`. A built image is
 * written out with `buildah push … docker-archive:FILE` for the project's own reader.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FIXTURES } from './image-files.js';

const run = promisify(execFile);

/**
 * The fixture image the test builds start FROM, and the name it has once pulled: the one-layer
 * busybox image (linux/amd64 of the multi-platform fixture), because the vfs store copies every
 * layer in full: pulling the twelve-layer edge image alone took 16 s here, this one 0.4 s.
 */
export const BASE_ARCHIVE = FIXTURES === undefined ? undefined : path.join(FIXTURES, 'images', 'multiarch.oci-archive.tar');
export const BASE_NAME = 'localhost/fx/multi:1';

/** Why buildah builds cannot run here, or undefined when they can. */
export function buildahSkipReason(): string | undefined {
  if (BASE_ARCHIVE === undefined) return 'skipped: ../shared/fixtures is absent beside the checkout';
  if (spawnSync('sh', ['-c', 'command -v buildah'], { stdio: 'ignore' }).status !== 0) return 'skipped: buildah is not installed (apt-get install buildah)';
  if (process.getuid?.() !== 0) return 'skipped: buildah builds here run as root (a private vfs store and chroot isolation)';
  return undefined;
}

export type BuildResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly ms: number; readonly stderr: string };

/** A private buildah store with the base image pulled into it. `close` removes it. */
export type Buildah = {
  readonly dir: string;
  /**
   * `buildah bud` of a context directory holding `files` (the Containerfile among them), tagged
   * `tag`. A failed build is returned, not thrown, so that a test can tell what the tool refused.
   */
  build(tag: string, files: Readonly<Record<string, string>>, opts?: { layers?: boolean; buildArgs?: Readonly<Record<string, string>>; file?: string; target?: string }): Promise<BuildResult>;
  /** Writes an image out as a docker-archive and returns its path. */
  push(tag: string): Promise<string>;
  close(): void;
};

export async function startBuildah(): Promise<Buildah> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-buildah-'));
  const policy = path.join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const global = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'vfs'];
  const env = { ...process.env, TMPDIR: dir, BUILDAH_ISOLATION: 'chroot' };
  const buildah = (args: string[]) => run('buildah', [...global, ...args], { env, maxBuffer: 64 << 20, timeout: 300_000 });
  await buildah(['pull', '--signature-policy', policy, '--quiet', `oci-archive:${BASE_ARCHIVE}`]);
  let n = 0;
  return {
    dir,
    async build(tag, files, opts = {}) {
      const ctx = path.join(dir, `ctx-${n++}`);
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(ctx, name)), { recursive: true });
        writeFileSync(path.join(ctx, name), text);
      }
      const args = ['bud', '--signature-policy', policy, '--pull=never', '--isolation', 'chroot', '--quiet', '-t', tag];
      if (opts.layers) args.push('--layers');
      if (opts.file) args.push('-f', path.join(ctx, opts.file));
      if (opts.target) args.push('--target', opts.target);
      for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
      const t0 = performance.now();
      try {
        await buildah([...args, ctx]);
        return { ok: true, ms: performance.now() - t0 };
      } catch (e) {
        return { ok: false, ms: performance.now() - t0, stderr: String((e as { stderr?: unknown }).stderr ?? e) };
      }
    },
    async push(tag) {
      const out = path.join(dir, `${tag.replace(/[^a-z0-9]/g, '-')}.tar`);
      await buildah(['push', '--signature-policy', policy, '--quiet', tag, `docker-archive:${out}:localhost/${tag}`]);
      return out;
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
