import { has, superviseService } from './service-process.js';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running `podman system service` on a unix socket, with its own vfs storage in a temp dir. */
export type PodmanService = {
  /** Path of the API socket. */
  readonly socket: string;
  /** `unix://…`, for DOCKER_HOST. */
  readonly dockerHost: string;
  /** The temp dir holding storage, runroot and socket. */
  readonly dir: string;
  /** Stops the service and removes the temp dir. */
  stop(): Promise<void>;
};

export type PodmanStart = { readonly ok: true; readonly service: PodmanService } | { readonly ok: false; readonly reason: string };

/** An image to load before the service starts: a docker-archive file and the name to give it. */
export type PodmanImage = { readonly archive: string; readonly name: string };

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * Loads `images` with skopeo into a fresh vfs store in a temp dir, then starts
 * `podman system service --time=0 unix://DIR/podman.sock` on that same store (same graphroot,
 * runroot and driver for both tools), and waits until `/_ping` answers. Returns a reason instead
 * when podman or skopeo is missing or the service cannot start (for example, not root), so the
 * tests can skip with it. Nothing here contacts the network.
 */
export async function startPodmanService(images: readonly PodmanImage[]): Promise<PodmanStart> {
  if (!(await has('podman'))) return { ok: false, reason: 'podman is not installed' };
  if (!(await has('skopeo'))) return { ok: false, reason: 'skopeo is not installed' };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-podman-'));
  const graphroot = path.join(dir, 'root');
  const runroot = path.join(dir, 'runroot');
  const tmpdir = path.join(dir, 'tmp');
  await Promise.all([mkdir(graphroot), mkdir(runroot), mkdir(tmpdir)]);
  const storageConf = path.join(dir, 'storage.conf');
  await writeFile(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${graphroot}"\nrunroot = "${runroot}"\n`);
  const env = { ...process.env, CONTAINERS_STORAGE_CONF: storageConf };
  const cleanup = () => rm(dir, { recursive: true, force: true, maxRetries: 3 });

  for (const img of images) {
    try {
      await run('skopeo', ['copy', '--quiet', `docker-archive:${img.archive}`, `containers-storage:[vfs@${graphroot}+${runroot}]${img.name}`], {
        env,
        timeout: 120_000,
      });
    } catch (e) {
      await cleanup();
      const err = e as { stderr?: string; message: string };
      return { ok: false, reason: `skopeo could not load ${img.name}: ${(err.stderr || err.message).trim().split('\n').pop()}` };
    }
  }

  const socket = path.join(dir, 'podman.sock');
  const child = spawn(
    'podman',
    [
      '--root', graphroot,
      '--runroot', runroot,
      '--storage-driver', 'vfs',
      '--tmpdir', tmpdir,
      '--events-backend', 'file',
      '--cgroup-manager', 'cgroupfs',
      'system', 'service', '--time=0', `unix://${socket}`,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const service = superviseService(child);
  const stop = async () => {
    await service.stop();
    await cleanup();
  };

  // Readiness: poll /_ping until it answers, the process dies, or 60 s pass.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      return { ok: false, reason: `podman system service exited: ${service.stderrTail().trim().split('\n').pop() ?? 'no message'}` };
    }
    if (await ping(socket)) {
      return { ok: true, service: { socket, dockerHost: `unix://${socket}`, dir, stop } };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return { ok: false, reason: `podman system service did not answer on ${socket} within 60 s` };
}
