import { closeSync, cpSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerContents } from '../../../src/archive/layer-blob.js';
import { SourceError } from '../../../src/errors/index.js';
import { parsePlatform } from '../../../src/reference/platform.js';
import type { OpenedImage } from '../../../src/sources/image-source.js';
import { ociArchiveSource } from '../../../src/sources/oci-archive/index.js';
import { openRegistryImage } from '../../../src/sources/registry/index.js';
import type { SourceSettings } from '../../../src/sources/settings.js';
import { validateSource } from '../../helpers/conformance.js';
import {
  cleanupTemps,
  fixture,
  registrySkipReason,
  skopeoPush,
  startRegistry,
  storedBlobPath,
  tempDir,
  type RunningRegistry,
} from '../../helpers/registry-harness.js';

const skip = registrySkipReason();
if (skip) console.warn(skip);

function settings(extra: Partial<SourceSettings> = {}): SourceSettings & { stages: string[] } {
  const stages: string[] = [];
  return { registry: { caCertFiles: [], insecure: false }, env: {}, onStage: (m) => stages.push(m), stages, ...extra };
}

/** What the comparison looks at per entry: path, type, size, mode, link target and content hash. */
function shape(c: LayerContents) {
  return c.entries.map((e, i) => ({ path: e.path, type: e.type, size: e.size, mode: e.mode, linkTarget: e.linkTarget, hash: c.digests[i] }));
}

async function readAll(img: OpenedImage) {
  const out = [];
  for (const l of img.layers) out.push(await l.read());
  return out;
}

describe.skipIf(skip !== undefined)('registry source against docker-registry', () => {
  let registry: RunningRegistry;
  let storage: string;

  beforeAll(async () => {
    storage = tempDir('registry-storage');
    registry = await startRegistry({ storageDir: storage });
    const r = registry.host;
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${r}/fx/edge:1`);
    await skopeoPush(`oci-archive:${fixture('edge.oci-zstd.tar')}`, `docker://${r}/fx/edge-zstd:1`);
    await skopeoPush(`oci-archive:${fixture('multiarch.oci-archive.tar')}`, `docker://${r}/fx/multi:1`, { all: true });
  });

  afterAll(async () => {
    await registry?.stop();
    cleanupTemps();
  });

  it('pulls anonymously over plain HTTP on loopback, and every layer equals the one in the OCI archive', async () => {
    const s = settings();
    const img = await openRegistryImage(`${registry.host}/fx/edge:1`, s);
    const local = await ociArchiveSource.open({ transport: 'oci-archive', path: fixture('edge.oci-archive.tar') }, settings());
    try {
      expect(img.identity).toEqual({
        reference: `docker://${registry.host}/fx/edge:1`,
        source: 'docker',
        platform: local.identity.platform,
        digest: local.identity.digest,
        configDigest: local.identity.configDigest,
      });
      expect(s.stages[0]).toBe(`pulling docker://${registry.host}/fx/edge:1 from ${registry.host}`);
      expect(img.config).toEqual(local.config);
      expect(img.layers.map((l) => l.descriptor)).toEqual(local.layers.map((l) => l.descriptor));
      expect(img.layers.every((l) => l.blob?.kind === 'stream' && l.descriptor.compressedSize! > 0 && l.descriptor.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip')).toBe(true);
      const remote = await readAll(img);
      const fromFile = await readAll(local);
      expect(remote.length).toBe(fromFile.length);
      for (let i = 0; i < remote.length; i++) {
        expect(remote[i]!.compression).toBe('gzip');
        expect(shape(remote[i]!), `layer ${i}`).toEqual(shape(fromFile[i]!));
      }
    } finally {
      await img.close();
      await local.close();
    }
  });

  it('satisfies ImageSource and passes the shared conformance suite (gzip and zstd)', async () => {
    for (const repo of ['fx/edge:1', 'fx/edge-zstd:1']) {
      const identity = await validateSource({ transport: 'docker', name: `${registry.host}/${repo}` }, settings());
      expect(identity.reference).toBe(`docker://${registry.host}/${repo}`);
    }
  });

  it('reports download progress up to the compressed size of each layer', async () => {
    const img = await openRegistryImage(`${registry.host}/fx/edge:1`, settings());
    try {
      const layer = img.layers[0]!;
      const seen: number[] = [];
      await layer.read({ onProgress: (done, total) => {
        expect(total).toBe(layer.descriptor.compressedSize);
        seen.push(done);
      } });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)).toBe(layer.descriptor.compressedSize);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    } finally {
      await img.close();
    }
  });

  it('pulls by digest, and the stream blob can be opened on its own', async () => {
    const byTag = await openRegistryImage(`${registry.host}/fx/edge:1`, settings());
    const digest = byTag.identity.digest!;
    await byTag.close();
    const img = await openRegistryImage(`${registry.host}/fx/edge@${digest}`, settings());
    try {
      expect(img.identity.reference).toBe(`docker://${registry.host}/fx/edge@${digest}`);
      expect(img.identity.digest).toBe(digest);
      const blob = img.layers[0]!.blob!;
      if (blob.kind !== 'stream') throw new Error('expected a stream blob');
      let n = 0;
      for await (const c of await blob.open()) n += (c as Buffer).length;
      expect(n).toBe(blob.length);
    } finally {
      await img.close();
    }
  });

  it('reads zstd layers pushed as they are', async () => {
    const img = await openRegistryImage(`${registry.host}/fx/edge-zstd:1`, settings());
    const local = await ociArchiveSource.open({ transport: 'oci-archive', path: fixture('edge.oci-zstd.tar') }, settings());
    try {
      expect(img.layers[0]!.descriptor.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
      const remote = await readAll(img);
      const fromFile = await readAll(local);
      for (let i = 0; i < remote.length; i++) {
        expect(remote[i]!.compression).toBe('zstd');
        expect(shape(remote[i]!)).toEqual(shape(fromFile[i]!));
      }
    } finally {
      await img.close();
      await local.close();
    }
  });

  it('picks linux/amd64 from a multi-arch index by default, and arm64 when asked', async () => {
    const def = await openRegistryImage(`${registry.host}/fx/multi:1`, settings({ platform: process.arch === 'arm64' ? parsePlatform('linux/amd64') : undefined }));
    const arm = await openRegistryImage(`${registry.host}/fx/multi:1`, settings({ platform: parsePlatform('linux/arm64') }));
    try {
      expect(def.identity.platform).toEqual(parsePlatform('linux/amd64'));
      expect(def.config.architecture).toBe('amd64');
      expect(arm.identity.platform).toEqual(parsePlatform('linux/arm64'));
      expect(arm.config.architecture).toBe('arm64');
      expect(arm.identity.digest).not.toBe(def.identity.digest);
      expect((await arm.layers[0]!.read()).entries.length).toBeGreaterThan(0);
    } finally {
      await def.close();
      await arm.close();
    }
  });

  it('names the platforms present when the requested one is missing', async () => {
    const err = await openRegistryImage(`${registry.host}/fx/multi:1`, settings({ platform: parsePlatform('linux/s390x') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).kind).toBe('platform-mismatch');
    expect((err as Error).message).toMatch(/linux\/s390x.*linux\/amd64, linux\/arm64/);
  });

  it('says clearly that a tag does not exist', async () => {
    const err = await openRegistryImage(`${registry.host}/fx/edge:nope`, settings()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).kind).toBe('not-found');
    expect((err as Error).message).toContain(`docker://${registry.host}/fx/edge:nope`);
    expect((err as Error).message).toContain('tag "nope"');
    expect((err as Error).message).not.toContain('\n');
  });

  it('says clearly that a repository does not exist', async () => {
    const err = await openRegistryImage(`${registry.host}/fx/nothing-here:1`, settings()).catch((e: unknown) => e);
    expect((err as SourceError).kind).toBe('not-found');
    expect((err as Error).message).toMatch(/NAME_UNKNOWN|MANIFEST_UNKNOWN/);
  });

  it('reports a connection refused as a network error naming the reference', async () => {
    const stopped = await startRegistry({ storageDir: storage });
    await stopped.stop();
    const err = await openRegistryImage(`${stopped.host}/fx/edge:1`, settings()).catch((e: unknown) => e);
    expect((err as SourceError).kind).toBe('network');
    expect((err as Error).message).toBe(`docker://${stopped.host}/fx/edge:1: cannot reach ${stopped.host} (connection refused)`);
  });

  describe('blobs altered on the registry disk', () => {
    let altered: RunningRegistry;
    let alteredStorage: string;
    let layerDigests: string[];
    let configDigest: string;

    beforeAll(async () => {
      const img = await openRegistryImage(`${registry.host}/fx/edge:1`, settings());
      layerDigests = img.layers.map((l) => l.descriptor.digest!);
      configDigest = img.identity.configDigest!;
      await img.close();
      alteredStorage = tempDir('registry-altered');
      cpSync(storage, alteredStorage, { recursive: true });
      altered = await startRegistry({ storageDir: alteredStorage });
    });
    afterAll(async () => {
      await altered?.stop();
    });

    const flip = (digest: string, at: (size: number) => number) => {
      const fd = openSync(storedBlobPath(alteredStorage, digest), 'r+');
      try {
        const size = fstatSync(fd).size;
        const pos = at(size);
        const b = Buffer.alloc(1);
        readSync(fd, b, 0, 1, pos);
        b[0] = b[0]! ^ 0x5a;
        writeSync(fd, b, 0, 1, pos);
      } finally {
        closeSync(fd);
      }
    };

    it('refuses a layer whose gzip header was changed (it still decompresses; only the digest catches it)', async () => {
      // Byte 4 is the first byte of the gzip MTIME field, which decoders do not check.
      flip(layerDigests[1]!, () => 4);
      const img = await openRegistryImage(`${altered.host}/fx/edge:1`, settings());
      try {
        await expect(img.layers[0]!.read()).resolves.toBeDefined();
        const err = await img.layers[1]!.read().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SourceError);
        expect((err as SourceError).kind).toBe('digest-mismatch');
        expect((err as Error).message).toContain(`docker://${altered.host}/fx/edge:1: layer 1 (${layerDigests[1]!.slice(0, 19)})`);
      } finally {
        await img.close();
      }
    });

    it('refuses a layer corrupted mid-stream as a digest mismatch, not a decoder error', async () => {
      flip(layerDigests[2]!, (size) => Math.floor(size / 2));
      const img = await openRegistryImage(`${altered.host}/fx/edge:1`, settings());
      try {
        const err = await img.layers[2]!.read().catch((e: unknown) => e);
        expect((err as SourceError).kind).toBe('digest-mismatch');
        expect((err as Error).message).toContain('layer 2');
      } finally {
        await img.close();
      }
    });

    it('refuses the image when the config blob was changed', async () => {
      flip(configDigest, (size) => size - 3);
      const err = await openRegistryImage(`${altered.host}/fx/edge:1`, settings()).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('digest-mismatch');
      expect((err as Error).message).toContain(`docker://${altered.host}/fx/edge:1: the config`);
    });
  });
});
