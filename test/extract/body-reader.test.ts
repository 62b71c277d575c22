import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBodyReader } from '../../src/extract/body-reader.js';
import { loadImage, type LoadedImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { ROOT } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';
import { startContainerd, type ContainerdService } from '../helpers/containerd-harness.js';
import { startPodmanService, type PodmanService } from '../helpers/podman-harness.js';
import { FIXTURES } from '../helpers/image-files.js';
import { cleanupTemps, fixture, registrySkipReason, skopeoPush, startRegistry, tempDir, type RunningRegistry } from '../helpers/registry-harness.js';

const EXAMPLE = join(ROOT, 'examples', 'example-image.tar');
/** Text as the viewer searches it: its bytes, ASCII letters without case. */
const text = (t: string) => ({ bytes: Buffer.from(t), ignoreCase: true });

async function open(arg: string): Promise<LoadedImage> {
  const img = await loadImage(parseReference(arg, existsSync), { settings: localSettings() });
  await img.verified;
  return img;
}

describe('the body reader on the bundled example (a docker-archive file)', () => {
  let img: LoadedImage;
  beforeAll(async () => {
    img = await open(EXAMPLE);
  });
  afterAll(async () => img?.close());

  it('reads a file as the merged filesystem after a layer has it, from the layer that wrote it', async () => {
    const r = createBodyReader(img.analysis, img.layers);
    const passwd = img.analysis.tree.find('etc/passwd')!;
    const at = async (layer: number) => (await r.read({ layer, pathId: passwd, offset: 0, length: 1000 })).bytes.toString();
    expect(await at(0)).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(await at(1)).toBe('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    // L3 did not touch it: still L1's version.
    expect(await at(3)).toBe(await at(1));
    const w = await r.read({ layer: 1, pathId: passwd, offset: 30, length: 4, countLines: true });
    expect(w.bytes.toString()).toBe('app:');
    expect(w.linesBefore).toBe(1);
  });

  it('refuses what is not a regular file there', async () => {
    const r = createBodyReader(img.analysis, img.layers);
    await expect(r.read({ layer: 0, pathId: img.analysis.tree.find('etc')!, offset: 0, length: 10 })).rejects.toThrow('not a regular file');
    await expect(r.read({ layer: 0, pathId: img.analysis.tree.find('src/main.c')!, offset: 0, length: 10 })).rejects.toThrow('not in the filesystem at L0');
  });
});

// Read once as a stream (the archive is gzip-wrapped, as `docker save | gzip` writes it): the
// file is opened again for a body, and only the member wanted is kept.
describe('the body reader on a gzip-wrapped archive file (read in one pass, re-read for bodies)', () => {
  let img: LoadedImage;
  beforeAll(async () => {
    const file = join(tempDir('body-reader-gzip'), 'example.tar.gz');
    writeFileSync(file, gzipSync(readFileSync(EXAMPLE)));
    img = await open(file);
  });
  afterAll(async () => {
    await img?.close();
    cleanupTemps();
  });

  it('reads a file of any layer, and a window of it', async () => {
    const r = createBodyReader(img.analysis, img.layers);
    const passwd = img.analysis.tree.find('etc/passwd')!;
    expect((await r.read({ layer: 0, pathId: passwd, offset: 0, length: 1000 })).bytes.toString()).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect((await r.read({ layer: 1, pathId: passwd, offset: 30, length: 4 })).bytes.toString()).toBe('app:');
    expect(await r.find({ layer: 1, pathId: passwd, pattern: text('HOME/APP'), from: 0, backward: false })).toBe(48);
    // Every occurrence, not every line: /root three times on root's line, /bin/sh twice.
    expect(await r.count({ layer: 1, pathId: passwd, pattern: text('root'), max: 100 })).toEqual({ starts: [0, 11, 17], total: 3 });
    expect(await r.count({ layer: 1, pathId: passwd, pattern: text('root'), max: 2 })).toEqual({ starts: [0, 11], total: 3 });
    // Bytes exactly, as the hex view searches them: the file's own first eight bytes are found at 0.
    const busybox = img.analysis.tree.find('bin/busybox')!;
    const head = (await r.read({ layer: 0, pathId: busybox, offset: 0, length: 8 })).bytes;
    const found = await r.count({ layer: 0, pathId: busybox, pattern: { bytes: head, ignoreCase: false }, max: 10 });
    expect(found.starts[0]).toBe(0);
  });
});

const podmanImages = [{ archive: EXAMPLE, name: 'localhost/example:1' }];
describe('the body reader on an image from a Docker-API daemon (exported again by ID for bodies)', () => {
  let service: PodmanService | undefined;
  let skipReason = '';
  let img: LoadedImage | undefined;
  beforeAll(async () => {
    const started = await startPodmanService(podmanImages);
    if (!started.ok) {
      skipReason = started.reason;
      return;
    }
    service = started.service;
    img = await loadImage(parseReference('docker-daemon:localhost/example:1', existsSync), { settings: localSettings({ env: { DOCKER_HOST: service.dockerHost } }) });
    await img.verified;
  }, 180_000);
  afterAll(async () => {
    await img?.close();
    await service?.stop();
  });

  it('reads a file of a layer after the one-pass export', async (ctx) => {
    if (!img) {
      console.warn(`skipping the daemon: ${skipReason}`);
      return ctx.skip(skipReason);
    }
    const a = img.analysis;
    const r = createBodyReader(a, img.layers);
    const passwd = a.tree.find('etc/passwd')!;
    expect((await r.read({ layer: 1, pathId: passwd, offset: 0, length: 1000 })).bytes.toString()).toBe('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    expect((await r.read({ layer: 0, pathId: passwd, offset: 5, length: 3 })).bytes.toString()).toBe('x:0');
  });
});

const skip = registrySkipReason();
describe.skipIf(skip !== undefined)('the body reader on an image pulled from a registry (blobs re-fetched, gzip)', () => {
  let registry: RunningRegistry | undefined;
  let img: LoadedImage | undefined;
  beforeAll(async () => {
    registry = await startRegistry({ storageDir: tempDir('body-reader-registry') });
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${registry.host}/fx/edge:1`);
    img = await open(`docker://${registry.host}/fx/edge:1`);
  }, 120_000);
  afterAll(async () => {
    await img?.close();
    await registry?.stop();
    cleanupTemps();
  });

  it('reads windows of files after the pull', async () => {
    const a = img!.analysis;
    const r = createBodyReader(a, img!.layers);
    expect((await r.read({ layer: 1, pathId: a.tree.find('data/a/b/f1')!, offset: 0, length: 100 })).bytes.toString()).toBe('one\n');
    expect((await r.read({ layer: 3, pathId: a.tree.find('data/keep/new')!, offset: 2, length: 3 })).bytes.toString()).toBe('pla');
    expect(await r.find({ layer: 3, pathId: a.tree.find('data/keep/new')!, pattern: text('PLACED'), from: 0, backward: false })).toBe(2);
  });
});

describe.skipIf(!FIXTURES)('the body reader on an image in containerd (blobs re-read from its content store)', () => {
  let service: ContainerdService | undefined;
  let skipReason = '';
  let img: LoadedImage | undefined;
  beforeAll(async () => {
    const started = await startContainerd([{ file: fixture('edge.oci-archive.tar'), namespace: 'viewer' }]);
    if (!started.ok) {
      skipReason = started.reason;
      return;
    }
    service = started.service;
    img = await loadImage(parseReference('containerd:fx/edge:1', existsSync), {
      settings: { ...localSettings(), env: { CONTAINERD_ADDRESS: service.socket }, namespace: 'viewer' },
    });
    await img.verified;
  }, 120_000);
  afterAll(async () => {
    await img?.close();
    await service?.stop();
  });

  it('reads windows of files after the image is read', async (ctx) => {
    if (!img) {
      console.warn(`skipping containerd: ${skipReason}`);
      return ctx.skip(skipReason);
    }
    const a = img.analysis;
    const r = createBodyReader(a, img.layers);
    expect((await r.read({ layer: 1, pathId: a.tree.find('data/a/b/f1')!, offset: 0, length: 100 })).bytes.toString()).toBe('one\n');
    expect(await r.find({ layer: 3, pathId: a.tree.find('data/keep/new')!, pattern: text('placed'), from: 0, backward: false })).toBe(2);
  });
});
