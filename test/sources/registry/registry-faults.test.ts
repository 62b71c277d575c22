/**
 * Faults the real registry cannot produce (resets mid-blob, 5xx then success, stalls, slow
 * bodies, storage redirects), from an in-process HTTP server on loopback that speaks just
 * enough of the distribution API to serve one small image built here.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LayerContents } from '../../../src/archive/layer-blob.js';
import { SourceError } from '../../../src/errors/index.js';
import { openRegistryImageTuned } from '../../../src/sources/registry/index.js';
import type { RegistryTuning } from '../../../src/sources/registry/client.js';
import type { SourceSettings } from '../../../src/sources/settings.js';

const TUNING: RegistryTuning = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, idleMs: 400, maxResumes: 2 };
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function buildLayer(): Promise<{ tar: Buffer; gz: Buffer; big: Buffer }> {
  const pack = tar.pack();
  const big = randomBytes(384 << 10); // incompressible, so the gzip blob is big enough to break midway
  pack.entry({ name: 'etc/', type: 'directory', mode: 0o755 });
  pack.entry({ name: 'etc/motd', mode: 0o644 }, 'hello from a fake registry\n');
  pack.entry({ name: 'data.bin', mode: 0o600 }, big);
  pack.entry({ name: 'etc/link', type: 'symlink', linkname: 'motd' });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const t = Buffer.concat(chunks);
  return { tar: t, gz: gzipSync(t), big };
}

type Faults = {
  manifest500?: number;
  blob429?: number;
  always503?: boolean;
  /** The first `count` blob GETs are cut after `bytes` bytes by destroying the socket. */
  resetBlob?: { bytes: number; count: number };
  stallBlob?: { bytes: number; count: number };
  ignoreRange?: boolean;
  slow?: { chunk: number; delayMs: number };
  redirectTo?: string;
  requireBasic?: string;
  wrongDigestHeader?: boolean;
  extraBytes?: number;
  /** The manifest gives the layer this size instead of its own. */
  layerSize?: number;
  /** Blob bodies without Content-Length (chunked), so a short body only shows on a resume. */
  chunked?: boolean;
};

type Logged = { path: string; range?: string; authorization: boolean };

/** Timers that keep the process alive now (an idle timer left behind would be one). */
const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('registry client faults (in-process server)', () => {
  let layer: { tar: Buffer; gz: Buffer; big: Buffer };
  let config: Buffer;
  let manifest: Buffer;
  let faults: Faults = {};
  const log: Logged[] = [];
  const storageLog: Logged[] = [];
  /** The server's side of each connection a stalled blob answer was left hanging on. */
  const stalled: Socket[] = [];
  let registry: http.Server;
  let storage: http.Server;
  let host: string;
  let storageOrigin: string;

  const blobs = () => new Map([[sha(layer.gz), layer.gz], [sha(config), config]]);

  function sendBlob(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, n: number) {
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !faults.ignoreRange) start = Number(m[1]);
    const data = faults.extraBytes ? Buffer.concat([body, Buffer.alloc(faults.extraBytes)]) : body;
    if (start >= data.length) return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    const part = data.subarray(start);
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream', ...(faults.chunked ? {} : { 'content-length': part.length }) };
    if (start > 0) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (faults.resetBlob && n <= faults.resetBlob.count) {
      res.write(part.subarray(0, faults.resetBlob.bytes), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    if (faults.stallBlob && n <= faults.stallBlob.count) {
      res.write(part.subarray(0, faults.stallBlob.bytes));
      stalled.push(req.socket);
      return;
    }
    if (faults.slow) {
      const { chunk, delayMs } = faults.slow;
      let off = 0;
      const tick = () => {
        if (off >= part.length) return void res.end();
        res.write(part.subarray(off, off + chunk));
        off += chunk;
        setTimeout(tick, delayMs);
      };
      tick();
      return;
    }
    res.end(part);
  }

  beforeAll(async () => {
    layer = await buildLayer();
    config = Buffer.from(JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha(layer.tar)] },
      history: [{ created_by: 'ADD files /' }],
    }));
    manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer.gz), size: layer.gz.length }],
    }));
    let manifestGets = 0;
    let blobGets = 0;
    let blob429 = 0;
    storage = http.createServer((req, res) => {
      storageLog.push({ path: req.url!, range: req.headers.range, authorization: req.headers.authorization !== undefined });
      blobGets++;
      const body = blobs().get(req.url!.slice('/store/'.length));
      if (!body) return void res.writeHead(404).end();
      sendBlob(req, res, body, blobGets);
    });
    registry = http.createServer((req, res) => {
      const url = req.url!;
      log.push({ path: url, range: req.headers.range, authorization: req.headers.authorization !== undefined });
      if (faults.requireBasic && req.headers.authorization !== `Basic ${Buffer.from(faults.requireBasic).toString('base64')}`) {
        return void res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      }
      if (faults.always503) return void res.writeHead(503).end();
      if (url === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (url === '/v2/fx/app/manifests/1') {
        manifestGets++;
        if (faults.manifest500 && manifestGets <= faults.manifest500) return void res.writeHead(500).end('oops');
        let served = manifest;
        if (faults.layerSize !== undefined) {
          const m = JSON.parse(manifest.toString());
          m.layers[0].size = faults.layerSize;
          served = Buffer.from(JSON.stringify(m));
        }
        return void res.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': faults.wrongDigestHeader ? sha(Buffer.from('other')) : sha(served),
        }).end(served);
      }
      const m = /^\/v2\/fx\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url);
      const body = m ? blobs().get(m[1]!) : undefined;
      if (!m || !body) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
      if (m[1] === sha(config)) return void res.writeHead(200).end(body);
      if (faults.blob429 && blob429 < faults.blob429) {
        blob429++;
        return void res.writeHead(429, { 'retry-after': '0' }).end();
      }
      if (faults.redirectTo) return void res.writeHead(307, { location: `${faults.redirectTo}/store/${m[1]}` }).end();
      blobGets++;
      sendBlob(req, res, body, blobGets);
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
    storageOrigin = `http://localhost:${(storage.address() as AddressInfo).port}`;
    beforeEachReset = () => {
      faults = {};
      log.length = 0;
      storageLog.length = 0;
      stalled.length = 0;
      manifestGets = 0;
      blobGets = 0;
      blob429 = 0;
    };
  });
  let beforeEachReset = () => undefined as void;
  beforeEach(() => beforeEachReset());

  afterAll(async () => {
    for (const s of [registry, storage]) {
      s?.closeAllConnections();
      await new Promise((r) => s?.close(r));
    }
  });

  for (const transport of ['fetch', 'node:http'] as const) {
    const settings = (extra: Partial<SourceSettings['registry']> = {}): SourceSettings => ({
      // insecure selects the node:http transport; on loopback it changes nothing else.
      registry: { caCertFiles: [], insecure: transport === 'node:http', ...extra },
      env: {},
    });
    const open = (s = settings()) => openRegistryImageTuned(`${host}/fx/app:1`, s, TUNING);
    const readLayer = async (onProgress?: (d: number, t: number | undefined) => void) => {
      const img = await open();
      try {
        return await img.layers[0]!.read({ onProgress });
      } finally {
        await img.close();
      }
    };
    const expectContent = (c: LayerContents) => {
      expect(c.entries.map((e) => e.path)).toEqual(['etc', 'etc/motd', 'data.bin', 'etc/link']);
      expect(c.digests[2]).toBe(createHash('sha256').update(layer.big).digest('hex'));
    };

    describe(`over ${transport}`, () => {
      for (const chunked of [false, true]) {
        it(`says so when the descriptor's size disagrees with the body${chunked ? ' (chunked: seen on the resume, answered 416)' : ''}`, async () => {
          faults = { layerSize: layer.gz.length + 100, chunked };
          const err = await readLayer().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(SourceError);
          expect((err as SourceError).kind).toBe('digest-mismatch');
          expect((err as SourceError).message).toBe(`docker://${host}/fx/app:1: layer 0 (${sha(layer.gz).slice(0, 19)}): the blob is ${layer.gz.length} bytes but its descriptor says ${layer.gz.length + 100}; refusing the layer`);
          expect((err as Error).message).not.toMatch(/416/);
        });
      }

      it('retries a refused connection like a reset, until the registry is up', async () => {
        // A port nobody listens on yet; the registry starts there a little later.
        const probe = http.createServer();
        await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
        const port = (probe.address() as AddressInfo).port;
        await new Promise((r) => probe.close(r));
        const late = http.createServer(registry.listeners('request')[0] as http.RequestListener);
        const timer = setTimeout(() => late.listen(port, '127.0.0.1'), 150);
        try {
          const img = await openRegistryImageTuned(`127.0.0.1:${port}/fx/app:1`, settings(), { ...TUNING, attempts: 8, baseDelayMs: 40, maxDelayMs: 160 });
          await img.close();
          expect(img.identity.digest).toBe(sha(manifest));
        } finally {
          clearTimeout(timer);
          late.closeAllConnections();
          await new Promise((r) => late.close(r));
        }
      });

      it('retries a manifest that fails with 500 twice', async () => {
        faults = { manifest500: 2 };
        const img = await open();
        await img.close();
        expect(log.filter((l) => l.path === '/v2/fx/app/manifests/1')).toHaveLength(3);
        expect(img.identity.digest).toBe(sha(manifest));
      });

      it('gives up after the configured tries with one line naming the reference and the status', async () => {
        faults = { always503: true };
        const err = await open().catch((e: unknown) => e);
        expect((err as SourceError).kind).toBe('network');
        expect((err as Error).message).toBe(`docker://${host}/fx/app:1: ${host} answered 503 to the registry ping after 3 tries`);
        expect(log.length).toBe(3);
      });

      it('honours 429 with Retry-After on a blob', async () => {
        faults = { blob429: 2 };
        expectContent(await readLayer());
        expect(log.filter((l) => l.path.includes('/blobs/') && !l.path.endsWith(sha(config)))).toHaveLength(3);
      });

      it('resumes a blob after a connection reset with a Range request', async () => {
        faults = { resetBlob: { bytes: 100_000, count: 1 } };
        expectContent(await readLayer());
        const ranges = log.filter((l) => l.path.endsWith(sha(layer.gz))).map((l) => l.range);
        expect(ranges[0]).toBeUndefined();
        expect(ranges[1]).toMatch(/^bytes=\d+-$/);
        expect(Number(/\d+/.exec(ranges[1]!)![0])).toBeGreaterThan(0);
      });

      it('resumes correctly when the server ignores Range and starts over', async () => {
        faults = { resetBlob: { bytes: 150_000, count: 1 }, ignoreRange: true };
        expectContent(await readLayer());
      });

      it('treats a stalled body as broken and resumes it', async () => {
        faults = { stallBlob: { bytes: 50_000, count: 1 } };
        expectContent(await readLayer());
        expect(log.filter((l) => l.path.endsWith(sha(layer.gz)))).toHaveLength(2);
      });

      it('stops a download aborted mid-way within a second: the reason, no connection left, no timer left', async () => {
        faults = { stallBlob: { bytes: 50_000, count: 1 } };
        // A long idle timeout: what ends the stalled download must be the abort, not a resume.
        const img = await openRegistryImageTuned(`${host}/fx/app:1`, settings(), { ...TUNING, idleMs: 30_000 });
        try {
          const timersBefore = activeTimers();
          const stop = new AbortController();
          const reason = new Error('stopped by the test');
          let firstBytes: () => void;
          const started = new Promise<void>((r) => (firstBytes = r));
          const read = img.layers[0]!.read({ signal: stop.signal, onProgress: (done) => done > 0 && firstBytes() }).catch((e: unknown) => e);
          await started;
          await new Promise((r) => setTimeout(r, 100)); // parked on the stalled body
          expect(stalled).toHaveLength(1);
          const closed = new Promise<void>((r) => (stalled[0]!.destroyed ? r() : stalled[0]!.once('close', () => r())));
          const abortedAt = performance.now();
          stop.abort(reason);
          expect(await read).toBe(reason);
          expect(performance.now() - abortedAt).toBeLessThan(1000);
          await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the connection is still open 1 s after the abort')), 1000))]);
          expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
          // Not resumed: one request for the blob, ended by the abort.
          expect(log.filter((l) => l.path.endsWith(sha(layer.gz)))).toHaveLength(1);
        } finally {
          await img.close();
        }
      });

      it('stops opening an image when aborted, with the reason', async () => {
        faults = { always503: true };
        const stop = new AbortController();
        const reason = new Error('stopped by the test');
        // 503s are retried with backoff; the abort ends the wait.
        const opening = openRegistryImageTuned(`${host}/fx/app:1`, { ...settings(), signal: stop.signal }, { ...TUNING, baseDelayMs: 5_000, maxDelayMs: 5_000 }).catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 100));
        const abortedAt = performance.now();
        stop.abort(reason);
        expect(await opening).toBe(reason);
        expect(performance.now() - abortedAt).toBeLessThan(1000);
      });

      it('keeps reading a slow but steady body, reporting progress as it comes', async () => {
        faults = { slow: { chunk: 64 << 10, delayMs: 30 } };
        const seen: number[] = [];
        expectContent(await readLayer((d) => seen.push(d)));
        expect(seen.length).toBeGreaterThanOrEqual(5);
        expect(seen.at(-1)).toBe(layer.gz.length);
        expect(log.filter((l) => l.path.endsWith(sha(layer.gz)))).toHaveLength(1);
      });

      it('stops after the bounded number of resumes with a network error naming the layer', async () => {
        faults = { resetBlob: { bytes: 20_000, count: 99 } };
        const err = await readLayer().catch((e: unknown) => e);
        expect((err as SourceError).kind).toBe('network');
        expect((err as Error).message).toMatch(
          new RegExp(`^docker://${host}/fx/app:1: layer 0 \\(sha256:[0-9a-f]{12}\\): the download failed after \\d+ bytes \\(connection reset, 2 resumes\\)$`),
        );
      });

      it('follows a redirect to storage on another origin without sending Authorization there', async () => {
        faults = { requireBasic: 'u:pw-for-the-registry-only', redirectTo: storageOrigin };
        const img = await open(settings({ username: 'u', password: 'pw-for-the-registry-only' }));
        try {
          expectContent(await img.layers[0]!.read());
        } finally {
          await img.close();
        }
        expect(storageLog.length).toBe(1);
        expect(storageLog[0]!.authorization).toBe(false);
        expect(log.filter((l) => l.path.includes('/blobs/')).every((l) => l.authorization)).toBe(true);
      });

      it('refuses a manifest whose bytes differ from the digest the registry gives', async () => {
        faults = { wrongDigestHeader: true };
        const err = await open().catch((e: unknown) => e);
        expect((err as SourceError).kind).toBe('digest-mismatch');
        expect((err as Error).message).toContain(`docker://${host}/fx/app:1: the manifest does not match`);
      });

      it('refuses a blob longer than its descriptor says', async () => {
        faults = { extraBytes: 10 };
        const err = await readLayer().catch((e: unknown) => e);
        expect((err as SourceError).kind).toBe('digest-mismatch');
        expect((err as Error).message).toContain('layer 0');
      });
    });
  }
});
