import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerEntry } from '../../../src/core/model.js';
import { openDaemonImage } from '../../../src/sources/docker-daemon/index.js';
import { openBare } from '../../../src/sources/bare/index.js';
import { dockerArchiveSource } from '../../../src/sources/docker-archive/index.js';
import type { OpenedImage } from '../../../src/sources/image-source.js';
import type { SourceSettings } from '../../../src/sources/settings.js';
import { validateSource } from '../../helpers/conformance.js';
import { startPodmanService, type PodmanService } from '../../helpers/podman-harness.js';
import { rejection } from '../../helpers/rejection.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../../../shared/fixtures/images/edge.docker-archive.tar');
const hasFixture = existsSync(fixture);
const NAME = 'localhost/fx/edge:1';

type Recorder = { stages: string[]; progress: [number, number | undefined][] };

function settingsFor(env: Record<string, string | undefined>, extra: Partial<SourceSettings> = {}): SourceSettings & { rec: Recorder } {
  const rec: Recorder = { stages: [], progress: [] };
  return {
    registry: { caCertFiles: [], insecure: false },
    env,
    onStage: (m) => rec.stages.push(m),
    onArchiveProgress: (done, total) => rec.progress.push([done, total]),
    ...extra,
    rec,
  };
}

/** Every field the reader takes from a tar header (bodies' digests live beside the entries: file regions hash lazily, streams eagerly). */
function comparable(e: LayerEntry) {
  return { ...e };
}

async function entriesPerLayer(img: OpenedImage): Promise<ReturnType<typeof comparable>[][]> {
  const out = [];
  for (const layer of img.layers) out.push((await layer.read()).entries.map(comparable));
  return out;
}


type Certs =
  | { ok: true; dir: string; good: string; wrongCa: string; serverKey: string; serverCert: string }
  | { ok: false; reason: string };

/**
 * A throwaway CA that signs a daemon certificate for 127.0.0.1 and a client certificate, laid
 * out as DOCKER_CERT_PATH expects (ca.pem, cert.pem, key.pem); `wrongCa` holds the same client
 * pair with an unrelated CA.
 */
async function makeCerts(): Promise<Certs> {
  const sh = promisify(execFile);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-tls-'));
  const good = path.join(dir, 'good');
  const wrongCa = path.join(dir, 'wrong-ca');
  await mkdir(good);
  await mkdir(wrongCa);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'];
  const o = (...args: string[]) => sh('openssl', args, { cwd: dir, timeout: 30_000 });
  try {
    await o('req', '-x509', ...ec, ...ca, '-keyout', 'ca-key.pem', '-out', 'good/ca.pem', '-days', '1', '-subj', '/CN=inspect-tui test CA');
    await o('req', '-x509', ...ec, ...ca, '-keyout', 'other-key.pem', '-out', 'wrong-ca/ca.pem', '-days', '1', '-subj', '/CN=unrelated CA');
    await writeFile(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    await writeFile(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    await o('req', ...ec, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    await o('x509', '-req', '-in', 'server.csr', '-CA', 'good/ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '1', '-extfile', 'server.ext');
    await o('req', ...ec, '-keyout', 'good/key.pem', '-out', 'client.csr', '-subj', '/CN=client');
    await o('x509', '-req', '-in', 'client.csr', '-CA', 'good/ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'good/cert.pem', '-days', '1', '-extfile', 'client.ext');
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    return { ok: false, reason: `openssl could not make test certificates: ${(e as Error).message.split('\n')[0]}` };
  }
  await copyFile(path.join(good, 'key.pem'), path.join(wrongCa, 'key.pem'));
  await copyFile(path.join(good, 'cert.pem'), path.join(wrongCa, 'cert.pem'));
  return { ok: true, dir, good, wrongCa, serverKey: path.join(dir, 'server-key.pem'), serverCert: path.join(dir, 'server-cert.pem') };
}

/** A unix socket in a fresh temp dir, answering like a very old Docker Engine (for what podman cannot produce). */
async function fakeOldDaemon(versionIn: 'ping' | 'version'): Promise<{ socket: string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-old-daemon-'));
  const socket = path.join(dir, 'docker.sock');
  const server = http.createServer((req, res) => {
    if (req.url === '/_ping') {
      // Daemons before API 1.25 sent no API-Version header here; /version has it.
      res.writeHead(200, versionIn === 'ping' ? { 'Api-Version': '1.19', Server: 'Docker/1.7.1 (linux)' } : { Server: 'Docker/1.7.1 (linux)' });
      res.end('OK');
    } else if (req.url === '/version' && versionIn === 'version') {
      res.writeHead(200, { 'Content-Type': 'application/json', Server: 'Docker/1.7.1 (linux)' });
      res.end(JSON.stringify({ Version: '1.7.1', ApiVersion: '1.19' }));
    } else {
      res.writeHead(400);
      res.end('{"message":"client is newer than server"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A daemon whose export breaks off mid-stream (a reset podman cannot be made to produce): it
 * answers /_ping and /json, then sends `bytes` of the real archive and drops the connection.
 */
async function fakeBreakingDaemon(archive: Buffer, bytes: number): Promise<{ socket: string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-broken-daemon-'));
  const socket = path.join(dir, 'docker.sock');
  const server = http.createServer((req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.41', Server: 'Docker/20.10.0 (linux)' });
      res.end('OK');
    } else if (req.url === '/v1.41/images/app:1/json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Id: 'sha256:00', RepoTags: ['app:1'], Size: archive.length }));
    } else if (req.url === '/v1.41/images/app:1/get') {
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      res.write(archive.subarray(0, bytes), () => res.destroy());
    } else {
      res.writeHead(404);
      res.end('{"message":"page not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A daemon whose export stalls mid-stream (podman cannot be made to pause one): it answers
 * /_ping and /json, then sends `bytes` of the real archive and nothing more, keeping the
 * connection open. `exports` holds the server's side of each export connection.
 */
async function fakeStallingDaemon(archive: Buffer, bytes: number): Promise<{ socket: string; exports: net.Socket[]; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-stalling-daemon-'));
  const socket = path.join(dir, 'docker.sock');
  const exports: net.Socket[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.41', Server: 'Docker/20.10.0 (linux)' });
      res.end('OK');
    } else if (req.url === '/v1.41/images/app:1/json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Id: 'sha256:00', RepoTags: ['app:1'], Size: archive.length }));
    } else if (req.url === '/v1.41/images/app:1/get') {
      exports.push(req.socket);
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      res.write(archive.subarray(0, bytes));
    } else {
      res.writeHead(404);
      res.end('{"message":"page not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    exports,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Timers that keep the process alive now (a timer left behind would be one). */
const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('docker-daemon source without a daemon', () => {
  it.skipIf(!hasFixture)('an export aborted mid-stream stops within a second: the reason, the connection closed, no timer left', async () => {
    const archive = await readFile(fixture);
    const daemon = await fakeStallingDaemon(archive, Math.floor(archive.length / 2));
    try {
      const timersBefore = activeTimers();
      const stop = new AbortController();
      const reason = new Error('stopped by the test');
      let halfway: () => void;
      const reading = new Promise<void>((r) => (halfway = r));
      const s = settingsFor({ DOCKER_HOST: `unix://${daemon.socket}` }, { signal: stop.signal, onArchiveProgress: (done) => done >= archive.length / 2 && halfway() });
      const opening = openDaemonImage('app:1', s).catch((e: unknown) => e);
      await reading;
      await new Promise((r) => setTimeout(r, 100)); // parked on the stalled export
      expect(daemon.exports).toHaveLength(1);
      const closed = new Promise<void>((r) => (daemon.exports[0]!.destroyed ? r() : daemon.exports[0]!.once('close', () => r())));
      const abortedAt = performance.now();
      stop.abort(reason);
      expect(await opening).toBe(reason);
      expect(performance.now() - abortedAt).toBeLessThan(1000);
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the export is still open 1 s after the abort')), 1000))]);
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    } finally {
      await daemon.close();
    }
  });

  it('an abort before the daemon answers: the reason, not "no daemon"', async () => {
    const stop = new AbortController();
    const reason = new Error('stopped by the test');
    stop.abort(reason);
    expect(await openDaemonImage('app:1', settingsFor({ DOCKER_HOST: 'unix:///nonexistent.sock' }, { signal: stop.signal })).catch((e: unknown) => e)).toBe(reason);
  });

  it.skipIf(!hasFixture).each([
    // Inside the first tar header, before anything could be sniffed.
    [100],
    // Halfway, in the middle of some layer's body.
    [0.5],
  ])('an export that breaks off mid-stream (at %s) is a one-line error naming the reference, not a hang', async (at) => {
    const archive = await readFile(fixture);
    const broken = await fakeBreakingDaemon(archive, at < 1 ? Math.floor(archive.length * at) : at);
    try {
      const err = await rejection(openDaemonImage('app:1', settingsFor({ DOCKER_HOST: `unix://${broken.socket}` })));
      expect(err.kind).toBe('daemon-unavailable');
      expect(err.message).toMatch(/^docker-daemon:app:1: the export from Docker 20\.10\.0 at unix:\/\/.*docker\.sock broke off \(connection reset\)$/);
    } finally {
      await broken.close();
    }
  });

  it('a socket that is not there: daemon-unavailable, naming the reference and the endpoint tried', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-nosock-'));
    try {
      const sock = path.join(dir, 'absent.sock');
      const err = await rejection(openDaemonImage('app:1', settingsFor({ DOCKER_HOST: `unix://${sock}` })));
      expect(err.kind).toBe('daemon-unavailable');
      expect(err.message).toBe(
        `docker-daemon:app:1: no Docker or Podman daemon is running (tried unix://${sock} (DOCKER_HOST): no such socket); start one or set DOCKER_HOST, or pull from a registry with docker://NAME`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['ping', 'version'] as const)('a daemon older than API 1.24 is refused as too old (version from /_ping or /version: %s)', async (versionIn) => {
    const old = await fakeOldDaemon(versionIn);
    try {
      const err = await rejection(openDaemonImage('app:1', settingsFor({ DOCKER_HOST: `unix://${old.socket}` })));
      expect(err.kind).toBe('daemon-unavailable');
      expect(err.message).toMatch(/^docker-daemon:app:1: daemon too old: Docker 1\.7\.1 at unix:\/\/.*docker\.sock speaks API 1\.19, at least 1\.24 is needed/);
    } finally {
      await old.close();
    }
  });

  it('an unsupported DOCKER_HOST scheme is reported, not tried', async () => {
    const err = await rejection(openDaemonImage('app:1', settingsFor({ DOCKER_HOST: 'ssh://me@host' })));
    expect(err.kind).toBe('daemon-unavailable');
    expect(err.message).toBe('docker-daemon:app:1: DOCKER_HOST "ssh://me@host" uses ssh://, which is not supported (use unix:// or tcp://)');
  });

  it('a name that cannot be an image is refused before any request', async () => {
    const err = await rejection(openDaemonImage('../../containers/json', settingsFor({ DOCKER_HOST: 'unix:///nonexistent.sock' })));
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('is not an image name or ID');
  });

  it.skipIf(!hasFixture)('a bare existing file is read from disk, without asking a daemon', async () => {
    const s = settingsFor({ DOCKER_HOST: 'unix:///nonexistent.sock' });
    const img = await openBare(fixture, s);
    expect(img.identity.source).toBe('docker-archive');
    expect(s.rec.stages.some((m) => m.includes('daemon'))).toBe(false);
  });

  it('a bare path-like name that does not exist is "no such file", without asking a daemon', async () => {
    const s = settingsFor({ DOCKER_HOST: 'unix:///nonexistent.sock' });
    const err = await rejection(openBare('./missing-image.tar', s));
    expect(err.message).toBe('./missing-image.tar: no such file or directory');
    expect(s.rec.stages).toEqual([]);
  });
});

describe('docker-daemon source against podman system service', () => {
  let service: PodmanService | undefined;
  let skipReason = '';
  let reference: OpenedImage | undefined;
  let referenceEntries: ReturnType<typeof comparable>[][] = [];

  beforeAll(async () => {
    if (!hasFixture) {
      skipReason = `fixture ${fixture} is missing`;
      return;
    }
    const started = await startPodmanService([{ archive: fixture, name: NAME }]);
    if (!started.ok) {
      skipReason = started.reason;
      return;
    }
    service = started.service;
    reference = await dockerArchiveSource.open({ transport: 'docker-archive', path: fixture }, { registry: { caCertFiles: [], insecure: false }, env: {} });
    referenceEntries = await entriesPerLayer(reference);
    // The edge image has thousands of entries over a dozen layers; comparing empty lists would prove nothing.
    expect(referenceEntries.length).toBeGreaterThan(5);
    expect(referenceEntries.flat().length).toBeGreaterThan(3000);
  });

  afterAll(async () => {
    await service?.stop();
  });

  function need(ctx: { skip: (note?: string) => void }): PodmanService {
    if (!service) {
      console.warn(`skipping podman tests: ${skipReason}`);
      ctx.skip(skipReason);
    }
    return service!;
  }

  it('opens an image by name: the same layers and entries as the archive it was loaded from', async (ctx) => {
    const svc = need(ctx);
    const s = settingsFor({ DOCKER_HOST: svc.dockerHost });
    await validateSource({ transport: 'docker-daemon', name: NAME }, s);
    const img = await openDaemonImage(NAME, s);
    expect(img.identity).toMatchObject({ reference: `docker-daemon:${NAME}`, source: 'docker-daemon', configDigest: reference!.identity.configDigest });
    expect(img.config.diffIds).toEqual(reference!.config.diffIds);
    expect(img.layers.length).toBe(reference!.layers.length);
    expect(await entriesPerLayer(img)).toEqual(referenceEntries);
    // It said which daemon it used, and reported progress against the image's size.
    expect(s.rec.stages.some((m) => /^using Podman [\d.]+ at unix:\/\/.*podman\.sock \(DOCKER_HOST\), API 1\.\d+$/.test(m))).toBe(true);
    const last = s.rec.progress.at(-1);
    expect(last?.[0]).toBeGreaterThan(0);
    expect(last?.[1]).toBeGreaterThan(0);
    await img.close();
  });

  it('opens an image by ID, whose export carries no tag', async (ctx) => {
    const svc = need(ctx);
    const id = reference!.identity.configDigest!.replace(/^sha256:/, '').slice(0, 12);
    const img = await openDaemonImage(id, settingsFor({ DOCKER_HOST: svc.dockerHost }));
    expect(img.identity.reference).toBe(`docker-daemon:${id}`);
    expect(img.identity.configDigest).toBe(reference!.identity.configDigest);
    expect(await entriesPerLayer(img)).toEqual(referenceEntries);
  });

  it('reaches the daemon over tcp:// (a loopback port forwarded to the service socket)', async (ctx) => {
    const svc = need(ctx);
    const server = net.createServer((c) => {
      const u = net.connect(svc.socket);
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const s = settingsFor({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      const img = await openDaemonImage(NAME, s);
      expect(img.identity.configDigest).toBe(reference!.identity.configDigest);
      expect(await entriesPerLayer(img)).toEqual(referenceEntries);
      expect(s.rec.stages).toContain(`exporting ${NAME} from ${s.rec.stages.find((m) => m.startsWith('using '))!.match(/Podman [\d.]+/)![0]} at tcp://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  });

  it('reaches the daemon over TLS with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and refuses a certificate it cannot verify', async (ctx) => {
    const svc = need(ctx);
    const certs = await makeCerts();
    if (!certs.ok) {
      ctx.skip(certs.reason);
      return;
    }
    const server = tls.createServer(
      { key: await readFile(certs.serverKey), cert: await readFile(certs.serverCert), ca: await readFile(path.join(certs.good, 'ca.pem')), requestCert: true, rejectUnauthorized: true },
      (c) => {
        const u = net.connect(svc.socket);
        c.pipe(u).pipe(c);
        c.on('error', () => u.destroy());
        u.on('error', () => c.destroy());
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const host = `tcp://127.0.0.1:${port}`;
      const img = await openDaemonImage(NAME, settingsFor({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.good }));
      expect(img.identity.configDigest).toBe(reference!.identity.configDigest);
      expect(img.layers.length).toBe(reference!.layers.length);

      // Same client certificate, but a CA that did not sign the daemon's certificate.
      const err = await rejection(openDaemonImage(NAME, settingsFor({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.wrongCa })));
      expect(err.kind).toBe('daemon-unavailable');
      expect(err.message).toMatch(new RegExp(`^docker-daemon:${NAME}: no Docker or Podman daemon is running \\(tried ${host} \\(DOCKER_HOST\\): TLS: .*certificate`));
    } finally {
      server.close();
      await rm(certs.dir, { recursive: true, force: true });
    }
  });

  it("without DOCKER_HOST, --source podman finds rootless Podman's socket under XDG_RUNTIME_DIR first", async (ctx) => {
    const svc = need(ctx);
    const runtime = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-xdg-'));
    try {
      await mkdir(path.join(runtime, 'podman'));
      await symlink(svc.socket, path.join(runtime, 'podman', 'podman.sock'));
      // HOME without a .docker directory: no context applies.
      const s = settingsFor({ XDG_RUNTIME_DIR: runtime, HOME: runtime }, { forceSource: 'podman' });
      const img = await openBare(NAME, s);
      expect(img.identity.source).toBe('docker-daemon');
      expect(s.rec.stages[0]).toBe(`looking for a daemon at unix://${runtime}/podman/podman.sock`);
      expect(s.rec.stages[1]).toMatch(new RegExp(`^using Podman [\\d.]+ at unix://${runtime}/podman/podman\\.sock, API`));
    } finally {
      await rm(runtime, { recursive: true, force: true });
    }
  });

  it('a missing image: not-found, naming the reference and suggesting the registry form', async (ctx) => {
    const svc = need(ctx);
    const err = await rejection(openDaemonImage('localhost/fx/nope:1', settingsFor({ DOCKER_HOST: svc.dockerHost })));
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe(
      `docker-daemon:localhost/fx/nope:1: no such image in ${err.message.match(/Podman [\d.]+/)?.[0]} at ${svc.dockerHost}; to pull it from a registry instead, use docker://localhost/fx/nope:1`,
    );
  });

  it('a bare name the daemon has resolves to the daemon, and says so', async (ctx) => {
    const svc = need(ctx);
    const s = settingsFor({ DOCKER_HOST: svc.dockerHost });
    const img = await openBare(NAME, s);
    expect(img.identity.source).toBe('docker-daemon');
    expect(img.identity.configDigest).toBe(reference!.identity.configDigest);
    expect(s.rec.stages.some((m) => m.startsWith('using Podman') && m.includes(svc.dockerHost))).toBe(true);
  });

  it('--source podman and --source docker send a bare name to the daemon', async (ctx) => {
    const svc = need(ctx);
    for (const forceSource of ['podman', 'docker'] as const) {
      const img = await openBare(NAME, settingsFor({ DOCKER_HOST: svc.dockerHost }, { forceSource }));
      expect(img.identity.source).toBe('docker-daemon');
      expect(img.layers.length).toBe(reference!.layers.length);
    }
  });

  it('--source podman with a missing image fails in the daemon, without trying the registry', async (ctx) => {
    const svc = need(ctx);
    const s = settingsFor({ DOCKER_HOST: svc.dockerHost }, { forceSource: 'podman' });
    const err = await rejection(openBare('localhost/fx/nope:1', s));
    expect(err.kind).toBe('not-found');
    expect(err.message).toMatch(/^localhost\/fx\/nope:1: no such image in Podman/);
    expect(s.rec.stages.some((m) => m.includes('registry'))).toBe(false);
  });

  it('--source registry skips the daemon, even for a name the daemon has', async (ctx) => {
    const svc = need(ctx);
    // localhost:1 is loopback with nothing listening: the registry attempt fails fast and locally.
    const s = settingsFor({ DOCKER_HOST: svc.dockerHost }, { forceSource: 'registry' });
    await expect(openBare('localhost:1/fx/edge:1', s)).rejects.toThrow();
    expect(s.rec.stages.some((m) => m.includes('daemon'))).toBe(false);
  });

  it('a bare name neither has: one message saying what was tried', async (ctx) => {
    const svc = need(ctx);
    const name = 'localhost:1/fx/missing:1';
    const s = settingsFor({ DOCKER_HOST: svc.dockerHost });
    const err = await rejection(openBare(name, s));
    expect(err.message).toMatch(
      new RegExp(`^localhost:1/fx/missing:1: not found in the daemon at ${svc.dockerHost.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(no such image\\) nor in the registry localhost:1 \\(.+\\)$`),
    );
    expect(err.message).not.toContain('\n');
    // The registry's own reason is nested once, without repeating the reference.
    expect(err.message.match(/localhost:1\/fx\/missing/g)).toHaveLength(1);
    expect(s.rec.stages.some((m) => m.includes('pulling localhost:1/fx/missing:1 from the registry localhost:1'))).toBe(true);
  });

  it('a bare name with no daemon running falls back to the registry and reports both', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'inspect-tui-nosock-'));
    try {
      const sock = path.join(dir, 'absent.sock');
      const err = await rejection(openBare('localhost:1/fx/missing:1', settingsFor({ DOCKER_HOST: `unix://${sock}` })));
      expect(err.message).toMatch(/^localhost:1\/fx\/missing:1: not found in a daemon \(none answered; tried unix:\/\/.*absent\.sock \(DOCKER_HOST\): no such socket\) nor in the registry localhost:1 \(.+\)$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
