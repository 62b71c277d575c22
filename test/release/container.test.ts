import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { startPodmanService, type PodmanService } from '../helpers/podman-harness.js';
import { cleanupTemps, fixture, registrySkipReason, skopeoPush, startRegistry, type RunningRegistry } from '../helpers/registry-harness.js';
import { runCli } from '../helpers/run-cli.js';
import { singleExecutable } from './helpers.js';

const run = promisify(execFile);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const EDGE_OCI = fixture('edge.oci-archive.tar');
const EDGE_DOCKER = fixture('edge.docker-archive.tar');

function skipReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the image holds the linux-x64 executable';
  if (process.getuid?.() !== 0) return 'buildah and podman run here as root (a private vfs store)';
  for (const t of ['buildah', 'podman', 'runc', 'ldd']) if (!has(t)) return `${t} is not installed`;
  if (!existsSync(EDGE_OCI) || !existsSync(EDGE_DOCKER)) return '../shared/fixtures is absent beside the checkout';
  return registrySkipReason();
}
const skip = skipReason();
if (skip) console.warn(`skipping the container image tests: ${skip}`);

type Export = { image: { reference: string }; summary: unknown };

/**
 * The image as the Containerfile builds it, with the real buildah, and run with the real podman,
 * both on a private vfs store in a temp dir (nothing of the host's storage is touched, no base
 * image is pulled: it is FROM scratch).
 */
describe.skipIf(skip !== undefined)('the container image (Containerfile, FROM scratch)', () => {
  const dir = tmpDir('inspect-tui-image-');
  const store = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'vfs'];
  const TAG = 'localhost/inspect-tui:test';
  const env = { ...process.env, TMPDIR: dir };
  let registry: RunningRegistry | undefined;
  let daemon: PodmanService | undefined;

  /**
   * `podman run` of the image. runc, and limits no higher than this process has: the sandbox these
   * tests run in may not raise rlimits (no CAP_SYS_RESOURCE), which podman's defaults ask for, and
   * crun refuses its hybrid cgroup layout. Neither changes what runs inside.
   */
  const podmanRun = async (opts: string[], args: string[]) => {
    try {
      const r = await run('podman', [...store, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', 'run', '--rm', '--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096', ...opts, TAG, ...args], { env, maxBuffer: 64 << 20, timeout: 180_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };

  beforeAll(async () => {
    const { exe } = singleExecutable();
    const context = path.join(dir, 'context');
    const prep = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-image.mjs'), '--exe', exe, '--context', context], { encoding: 'utf8' });
    if (prep.status !== 0) throw new Error(`build-image.mjs failed: ${prep.stderr}`);
    const t0 = performance.now();
    await run('buildah', [...store, 'bud', '--isolation', 'chroot', '--pull=never', '--quiet', '-t', TAG, context], { env, maxBuffer: 16 << 20, timeout: 300_000 });
    console.log(`buildah bud of the image: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, 600_000);

  afterAll(async () => {
    await registry?.stop();
    await daemon?.stop();
    cleanupTemps();
    spawnSync('podman', [...store, 'rm', '-a', '-f'], { env, stdio: 'ignore' });
    spawnSync('rm', ['-rf', dir]);
  });

  it('is one layer over nothing: the executable, its libraries, CA certificates and /tmp', async () => {
    const { stdout } = await run('buildah', [...store, 'inspect', '--type', 'image', TAG], { env, maxBuffer: 16 << 20 });
    const img = JSON.parse(stdout) as { OCIv1: { rootfs: { diff_ids: string[] }; config: { Entrypoint: string[] } } };
    expect(img.OCIv1.rootfs.diff_ids).toHaveLength(1);
    expect(img.OCIv1.config.Entrypoint).toEqual(['/usr/local/bin/inspect-tui']);
    // Its one layer's files.
    const archive = path.join(dir, 'self.tar');
    await run('buildah', [...store, 'push', '--quiet', TAG, `docker-archive:${archive}`], { env, timeout: 120_000 });
    const listing = spawnSync('tar', ['-xOf', archive, '--wildcards', '*.tar'], { maxBuffer: 512 << 20 });
    const names = spawnSync('tar', ['-t'], { input: listing.stdout, encoding: 'utf8', maxBuffer: 64 << 20 }).stdout.split('\n');
    expect(names).toEqual(expect.arrayContaining(['usr/local/bin/inspect-tui', 'etc/ssl/certs/ca-certificates.crt', 'tmp/', 'usr/share/doc/inspect-tui/LICENSES.txt']));
    expect(names.some((n) => /(^|\/)libc\.so\.6$/.test(n))).toBe(true);
    expect(names.some((n) => /ld-linux-x86-64\.so\.2$/.test(n))).toBe(true);
  });

  it('gives the same JSON for a mounted image file as the npm build', async () => {
    // Mounted at the same path, so the reference (and with it the whole export) is the same.
    const r = await podmanRun(['-v', `${EDGE_OCI}:${EDGE_OCI}:ro`], ['--ci', '--json', '-', '--quiet', '--no-cache', EDGE_OCI]);
    const npm = runCli(['--ci', '--json', '-', '--quiet', '--no-cache', EDGE_OCI]);
    expect(r.stderr).toBe(npm.stderr);
    expect(r.code).toBe(npm.code);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(npm.stdout));
  });

  it('pulls from a registry (host network) and gives the same JSON as the npm build', async () => {
    registry = await startRegistry({ storageDir: tmpDir('inspect-tui-image-registry-') });
    await skopeoPush(`oci-archive:${EDGE_OCI}`, `docker://${registry.host}/fx/edge:1`);
    const ref = `docker://${registry.host}/fx/edge:1`;
    const r = await podmanRun(['--network', 'host'], ['--ci', '--json', '-', '--no-cache', ref]);
    const npm = runCli(['--ci', '--json', '-', '--no-cache', ref]);
    expect(r.stderr).toContain(`pulling ${ref}`);
    expect(r.code).toBe(npm.code);
    const inImage = JSON.parse(r.stdout) as Export;
    expect(inImage).toEqual(JSON.parse(npm.stdout));
    expect(inImage.image.reference).toBe(ref);
  });

  it('reads an image through a mounted Docker API socket (Podman\'s) and gives the same JSON as the npm build', async () => {
    const started = await startPodmanService([{ archive: EDGE_DOCKER, name: 'localhost/fx/edge:1' }]);
    if (!started.ok) throw new Error(`podman system service: ${started.reason}`);
    daemon = started.service;
    const args = ['--ci', '--json', '-', '--quiet', '--no-cache', 'docker-daemon:localhost/fx/edge:1'];
    // The image's default socket path: no DOCKER_HOST needed inside.
    const r = await podmanRun(['-v', `${daemon.socket}:/var/run/docker.sock`], args);
    const npm = runCli(args, { env: { DOCKER_HOST: daemon.dockerHost } });
    expect(r.stderr).toBe(npm.stderr);
    expect(r.code).toBe(npm.code);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(npm.stdout));
  });
});
