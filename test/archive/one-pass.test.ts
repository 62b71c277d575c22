/**
 * Verifying a layer in the pass that reads it: what the one-pass reads find (on a worker and on
 * this thread, from a file and streamed to a worker) against the reads they replace (a scan of
 * the headers only, the blob hashed apart, a stream read here), on every format and compression
 * of the shared fixtures; and a damaged gzip stream, a mismatched digest and an abort mid-layer.
 */
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { HashRequest, LayerBlob, LayerContents } from '../../src/archive/layer-blob.js';
import { readLayer, readLayerStream } from '../../src/archive/read-layer.js';
import { hashFileRegion } from '../../src/archive/region-hash.js';
import { WorkerPool } from '../../src/archive/worker-pool.js';
import { SourceError } from '../../src/errors/index.js';
import { loadImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { openImage } from '../../src/sources/table.js';
import { buildTar, FIXTURES, NO_FIXTURES, ROOT, sha256, TAR, TAR_GZ, tmpDir, writeOciLayout, type TarItem } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

// The worker runs the shipped, bundled code: the test command builds `dist` before the tests run.
const SCRIPT = pathToFileURL(path.join(ROOT, 'dist/pool-worker.js'));
if (!existsSync(SCRIPT)) throw new Error('dist/pool-worker.js is missing: run `npm run build` first (`npm test` does)');

const pools: WorkerPool[] = [];
/** A pool of real worker threads as a 2-core machine has it (compressed layers are not read there unless verified). */
const threaded = (size = 2) => {
  const p = new WorkerPool({ script: SCRIPT, size, readsCompressed: false });
  pools.push(p);
  return p;
};
afterAll(() => pools.forEach((p) => p.close()));

const HASH: HashRequest = { stored: ['sha256'], tar: ['sha256'] };
type FileRegion = LayerBlob & { kind: 'file-region' };

/** Contents without what only the hashing reads measure, for comparing with a read that hashed nothing. */
const unmeasured = ({ measured: _m, sampleKeys: _s, ...rest }: LayerContents) => rest;

/**
 * A hashed scan reads every byte, so it knows the fingerprint of more bodies than a scan of the
 * headers (which leaves NaN for a body not in its buffer); where both know one, it is the same.
 */
function expectSameSamples(hashed: LayerContents, headersOnly: LayerContents): void {
  expect(hashed.sampleKeys?.length).toBe(headersOnly.sampleKeys?.length);
  headersOnly.sampleKeys?.forEach((k, i) => {
    if (!Number.isNaN(k)) expect(hashed.sampleKeys![i]).toBe(k);
  });
}

/** A stream of a file region, as a registry download would bring it. */
const streamOf = (b: FileRegion) => createReadStream(b.file, { start: b.offset, end: b.offset + b.length - 1, highWaterMark: 64 << 10 });

function fileBlob(bytes: Buffer): FileRegion {
  const f = path.join(tmpDir(), 'blob');
  // Some bytes before the blob, as in an archive holding several.
  writeFileSync(f, Buffer.concat([Buffer.alloc(1536, 7), bytes]));
  return { kind: 'file-region', file: f, offset: 1536, length: bytes.length };
}

const files: TarItem[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
  { name: 'usr/bin/tool', body: 'x'.repeat(3 << 20), mode: 0o4755 },
  { name: 'usr/bin/link', type: 'symlink', linkname: '/usr/bin/tool' },
  ...Array.from({ length: 400 }, (_, i) => ({ name: `many/f${i}`, body: `file ${i} `.repeat(i * 7) })),
];

describe.skipIf(!FIXTURES)(`one-pass reads of every layer of the shared fixtures${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  const images = [
    'docker-archive:images/edge.docker-archive.tar',
    'docker-archive:images/edge.docker25-save.tar',
    'oci-archive:images/edge.oci-archive.tar',
    'oci-archive:images/edge-opaque.oci-archive.tar',
    'oci-archive:images/edge.oci-zstd.tar',
    'oci:images/edge-oci-layout',
    'docker-archive:dive/test-docker-image.tar',
  ];
  for (const arg of images) {
    it(`${arg.replace(/:.*\//, ': ')}: the same entries and digests as the reads they replace, and digests that match the claims`, async () => {
      const [transport, rel] = arg.split(':') as [string, string];
      const image = await openImage(parseReference(`${transport}:${path.join(FIXTURES!, rel)}`, () => true), localSettings());
      const compressions = new Set<string>();
      try {
        for (const [i, layer] of image.layers.entries()) {
          const blob = layer.blob as FileRegion;
          expect(blob.kind).toBe('file-region');
          const label = `layer ${i}`;
          // What the lifecycle did before: the headers scanned (or the stream parsed) with no stored hash, the blob hashed apart.
          const before = await readLayer(blob, { label, hash: { tar: ['sha256'] } });
          const apart = await hashFileRegion(blob.file, blob.offset, blob.length, ['sha256'], false);
          compressions.add(before.compression);
          const here = await readLayer(blob, { label, hash: HASH });
          const worker = await threaded().readLayer(blob, { label, hash: HASH });
          const streamed = await threaded().readStream(streamOf(blob), blob.length, { label, hash: HASH });
          expect(unmeasured(here)).toEqual(unmeasured(before));
          expectSameSamples(here, before);
          expect(worker).toEqual(here);
          // Streamed, bodies are hashed as they pass (nothing to read them again from): the entries are the same.
          expect(streamed.entries).toEqual(here.entries);
          expect(streamed).toEqual(await readLayerStream(streamOf(blob), blob.length, { label, hash: HASH }));
          for (const c of [here, worker, streamed]) {
            expect(c.measured).toEqual({ stored: apart.digests, storedSize: blob.length, tar: [layer.descriptor.diffId] });
            if (layer.descriptor.digest) expect(c.measured!.stored).toEqual([layer.descriptor.digest]);
          }
          if (before.compression === 'none') expect(apart.digests).toEqual([layer.descriptor.diffId]);
        }
      } finally {
        await image.close();
      }
      expect(compressions.size).toBeGreaterThan(0);
    });
  }

  it('covers every compression', async () => {
    // The list above holds plain, gzip and zstd layers: this fails if the fixtures stop doing so.
    const seen = new Set<string>();
    for (const arg of ['docker-archive:images/edge.docker-archive.tar', 'oci-archive:images/edge.oci-archive.tar', 'oci-archive:images/edge.oci-zstd.tar']) {
      const [transport, rel] = arg.split(':') as [string, string];
      const image = await openImage(parseReference(`${transport}:${path.join(FIXTURES!, rel)}`, () => true), localSettings());
      try {
        for (const l of image.layers) seen.add((await readLayer(l.blob!, { label: 'L' })).compression);
      } finally {
        await image.close();
      }
    }
    expect([...seen].sort()).toEqual(['gzip', 'none', 'zstd']);
  });
});

describe('one-pass reads of damaged, mismatched and cancelled layers', () => {
  it('a plain tar read on a worker in one pass gives the headers-only scan and the digest of every byte, padding included', async () => {
    // Zeros past the end-of-archive blocks, more than one read holds: they are part of the digest too.
    const tar = Buffer.concat([await buildTar(files), Buffer.alloc(3 << 20, 0)]);
    const blob = fileBlob(tar);
    const c = await threaded().readLayer(blob, { label: 'L', hash: { stored: ['sha256', 'sha512'], tar: ['sha256'] } });
    const headersOnly = await readLayer(blob, { label: 'L' });
    expect(unmeasured(c)).toEqual(unmeasured(headersOnly));
    expectSameSamples(c, headersOnly);
    // Every body's first bytes passed through the buffer: more fingerprints are known than without hashing.
    const known = (x: LayerContents) => x.sampleKeys!.filter((k) => !Number.isNaN(k)).length;
    expect(known(c)).toBeGreaterThan(known(headersOnly));
    expect(c.measured?.storedSize).toBe(tar.length);
    expect(c.measured?.stored).toEqual(expect.arrayContaining([`sha256:${sha256(tar)}`]));
    expect(c.measured?.stored).toHaveLength(2);
  });

  it('a file shorter than the region measures the bytes there, so the size check refuses it', async () => {
    const tar = await buildTar(files);
    const blob = fileBlob(tar);
    // The region claims 4 KiB past the end of the file, all of it where the tar's zero blocks would be.
    const c = await threaded().readLayer({ ...blob, length: blob.length + 4096 }, { label: 'L', hash: HASH });
    expect(c.measured?.storedSize).toBe(tar.length);
    expect(c.measured?.stored).toEqual([`sha256:${sha256(tar)}`]);
  });

  it('a damaged gzip stream fails the same way on a worker, streamed to a worker and here', async () => {
    const gz = zlib.gzipSync(await buildTar(files));
    const damaged = Buffer.from(gz);
    // The first deflate block's header right after the 10-byte gzip header: final, of the reserved type 3.
    damaged[10] = 0xff;
    const blob = fileBlob(damaged);
    const label = 'img.tar: layer 1';
    const here = (await readLayer(blob, { label, hash: HASH }).catch((e: unknown) => e)) as SourceError;
    expect(here).toBeInstanceOf(SourceError);
    expect(here).toMatchObject({ kind: 'corrupt', subject: label });
    expect(here.message).toMatch(/cannot decompress the gzip layer/);
    // One read at a time: a second one started alongside would reject while the first is awaited.
    for (const there of [() => threaded().readLayer(blob, { label, hash: HASH }), () => threaded().readStream(streamOf(blob), blob.length, { label, hash: HASH })]) {
      const e = await there().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SourceError);
      expect(e).toMatchObject({ kind: 'corrupt', subject: label, message: here.message });
    }
  });

  it('a stream that fails upstream rejects the worker read with its error', async () => {
    const gz = zlib.gzipSync(await buildTar(files));
    const failing = Readable.from(
      (async function* () {
        yield gz.subarray(0, 5000);
        throw new Error('connection reset by the registry');
      })(),
    );
    await expect(threaded().readStream(failing, gz.length, { label: 'L', hash: HASH })).rejects.toThrow(/connection reset by the registry/);
  });

  for (const gzip of [false, true]) {
    it(`the lifecycle on workers refuses a ${gzip ? 'gzip' : 'plain'} layer whose bytes do not match its digest, naming it`, async () => {
      const diffs = [await buildTar([{ name: 'a', body: 'A'.repeat(9000) }]), await buildTar(files)];
      const dir = writeOciLayout(
        tmpDir(),
        diffs.map((d) => ({ blob: gzip ? zlib.gzipSync(d) : d, diff: d, mediaType: gzip ? TAR_GZ : TAR })),
      );
      // The second layer's blob is replaced by other bytes of the same length under the same name.
      const blobs = path.join(dir, 'blobs', 'sha256');
      const stored = gzip ? zlib.gzipSync(diffs[1]!) : diffs[1]!;
      const forged = Buffer.from(stored);
      const at = forged.indexOf('file 9 ');
      if (gzip) for (let k = forged.length - 400; k < forged.length - 300; k++) forged[k] = forged[k]! ^ 1;
      else forged.write('FILE 9 ', at, 'latin1');
      expect(forged.equals(stored)).toBe(false);
      writeFileSync(path.join(blobs, sha256(stored)), forged);
      const e = await loadImage(parseReference(`oci:${dir}`, () => true), { settings: localSettings(), pool: threaded() }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SourceError);
      expect(e).toMatchObject({ kind: 'digest-mismatch' });
      expect((e as Error).message).toMatch(/layer 1 \(sha256:[0-9a-f]{12}\)/);
      // Unverified, the same bytes read (or fail to decompress) without a digest to contradict them.
      const unverified = await loadImage(parseReference(`oci:${dir}`, () => true), { settings: localSettings({ verify: false }), pool: threaded() }).then(
        async (l) => (await l.close(), 'read'),
        (x: unknown) => (x as SourceError).kind,
      );
      expect(unverified).toBe(gzip ? 'corrupt' : 'read');
    });
  }

  it('an abort mid-layer rejects a worker read with the reason, and the pool goes on working', async () => {
    const big = fileBlob(await buildTar(Array.from({ length: 64 }, (_, i) => ({ name: `f${i}`, body: Buffer.alloc(1 << 20, i) }))));
    const pool = threaded(1);
    const ac = new AbortController();
    const job = pool.readLayer(big, { label: 'L', hash: { stored: ['sha256', 'sha512'] }, signal: ac.signal, onProgress: () => ac.abort(new Error('stop')) });
    await expect(job).rejects.toThrow('stop');
    const small = fileBlob(await buildTar([{ name: 'x', body: 'abc' }]));
    expect((await pool.readLayer(small, { label: 'L', hash: HASH })).entries.map((e) => e.path)).toEqual(['x']);
  });

  it('an abort mid-stream rejects a streamed worker read with the reason and stops taking the stream', async () => {
    const pool = threaded(1);
    const ac = new AbortController();
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 1 << 20;
        this.push(Buffer.alloc(1 << 20, 0x61));
      },
    });
    // A plain tar whose one member never ends: the worker keeps asking for more.
    const head = (await buildTar([{ name: 'big', body: Buffer.alloc(1 << 30 >>> 10) }])).subarray(0, 512);
    const header = Buffer.from(head);
    header.write('77777777777\0', 124, 'latin1'); // size 8 GiB
    let sum = 0;
    for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 32 : header[k]!;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const stream = Readable.from(
      (async function* () {
        yield header;
        for await (const c of endless) yield c as Buffer;
      })(),
    );
    const job = pool.readStream(stream, undefined, { label: 'L', hash: HASH, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop')), 300);
    await expect(job).rejects.toThrow('stop');
    const atAbort = sent;
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.destroyed).toBe(true);
    // Bounded: nothing more was taken after the abort (at most what was already asked for).
    expect(sent - atAbort).toBeLessThanOrEqual(2 << 20);
  });
});
