import { has, superviseService } from './service-process.js';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running containerd on a unix socket in a temp dir, with its own root and state. */
export type ContainerdService = {
  /** Path of the gRPC socket (for CONTAINERD_ADDRESS). */
  readonly socket: string;
  /** The temp dir holding root, state, config and socket. */
  readonly dir: string;
  /** Runs `ctr --address SOCK ARGS…` and returns its stdout. */
  ctr(args: readonly string[]): Promise<string>;
  /** Stops containerd and removes the temp dir. */
  stop(): Promise<void>;
};

export type ContainerdStart = { readonly ok: true; readonly service: ContainerdService } | { readonly ok: false; readonly reason: string };

/** An archive to import, into which namespace, and whether every platform's blobs are kept. */
export type ContainerdImport = { readonly file: string; readonly namespace: string; readonly allPlatforms?: boolean };

/**
 * The config: containerd's own root and state under `dir`, the socket there too, and the
 * plugins that would reach outside it (CRI, `/opt/containerd`, snapshotters needing their own
 * file systems, tracing) turned off. Images are imported with `--no-unpack`, so no snapshotter is
 * used at all.
 */
function configToml(dir: string, socket: string): string {
  const q = (s: string) => JSON.stringify(s);
  const disabled = [
    'io.containerd.grpc.v1.cri',
    'io.containerd.internal.v1.opt',
    'io.containerd.snapshotter.v1.aufs',
    'io.containerd.snapshotter.v1.btrfs',
    'io.containerd.snapshotter.v1.devmapper',
    'io.containerd.snapshotter.v1.zfs',
    'io.containerd.internal.v1.tracing',
    'io.containerd.tracing.processor.v1.otlp',
  ];
  return [
    'version = 2',
    `root = ${q(path.join(dir, 'root'))}`,
    `state = ${q(path.join(dir, 'state'))}`,
    `disabled_plugins = [${disabled.map(q).join(', ')}]`,
    '[grpc]',
    `  address = ${q(socket)}`,
    '[ttrpc]',
    `  address = ${q(`${socket}.ttrpc`)}`,
    '[debug]',
    '  address = ""',
    '',
  ].join('\n');
}

/**
 * Starts Debian's `containerd` as root on `DIR/containerd.sock` in a fresh temp dir (see
 * `configToml`), waits until `ctr version` answers, then imports each archive with
 * `ctr --address SOCK -n NS images import --no-unpack [--all-platforms] FILE`. Returns a reason
 * instead when containerd or ctr is missing, when not root, or when containerd does not start,
 * so the tests can skip with it. Nothing here contacts the network.
 */
export async function startContainerd(imports: readonly ContainerdImport[]): Promise<ContainerdStart> {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'containerd needs root (CI runs as root)' };
  if (!(await has('containerd'))) return { ok: false, reason: 'containerd is not installed (Debian package containerd)' };
  if (!(await has('ctr'))) return { ok: false, reason: 'ctr is not installed (Debian package containerd)' };
  // A unix socket path has at most 107 bytes: keep the temp dir short.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'itc-'));
  const socket = path.join(dir, 'containerd.sock');
  const configFile = path.join(dir, 'config.toml');
  await Promise.all([mkdir(path.join(dir, 'root')), mkdir(path.join(dir, 'state'))]);
  await writeFile(configFile, configToml(dir, socket));

  const child = spawn('containerd', ['--config', configFile, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const service = superviseService(child);
  const stop = async () => {
    await service.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const ctr = async (args: readonly string[]) => (await run('ctr', ['--address', socket, ...args], { timeout: 120_000, maxBuffer: 16 << 20 })).stdout;

  // Readiness: poll `ctr version` until it answers, the process dies, or 60 s pass.
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      return { ok: false, reason: `containerd exited: ${service.stderrTail().trim().split('\n').pop() ?? 'no message'}` };
    }
    if (existsSync(socket)) {
      try {
        await run('ctr', ['--address', socket, '--timeout', '2s', 'version'], { timeout: 10_000 });
        ready = true;
        break;
      } catch {
        // Not serving yet.
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!ready) {
    await stop();
    return { ok: false, reason: `containerd did not answer on ${socket} within 60 s` };
  }

  for (const img of imports) {
    try {
      await ctr(['-n', img.namespace, 'images', 'import', '--no-unpack', ...(img.allPlatforms ? ['--all-platforms'] : []), img.file]);
    } catch (e) {
      await stop();
      const err = e as { stderr?: string; message: string };
      return { ok: false, reason: `ctr could not import ${path.basename(img.file)}: ${(err.stderr || err.message).trim().split('\n').pop()}` };
    }
  }
  return { ok: true, service: { socket, dir, ctr, stop } };
}
