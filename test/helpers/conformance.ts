import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { createDecompressor, sniffCompression } from '../../src/archive/decompress.js';
import { peek } from '../../src/archive/read-layer.js';
import type { OpenedImage } from '../../src/sources/image-source.js';

async function sha(stream: Readable): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) h.update(c as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/**
 * The source conformance suite (go-containerregistry's validate.Image idea): the layer count
 * matches the config's diff IDs, stored blobs match their digests, the uncompressed tars match
 * the diff IDs, and reading twice gives the same entries in the same order.
 */
export async function validateImage(image: OpenedImage): Promise<void> {
  expect(image.layers.length).toBeGreaterThan(0);
  if (image.config.diffIds.length > 0) expect(image.layers.length).toBe(image.config.diffIds.length);
  for (const [i, layer] of image.layers.entries()) {
    const blob = layer.blob;
    if (blob) {
      const open = (): Promise<Readable> =>
        blob.kind === 'stream' ? blob.open() : Promise.resolve(createReadStream(blob.file, { start: blob.offset, end: blob.offset + blob.length - 1 }));
      if (layer.descriptor.digest) expect(await sha(await open()), `layer ${i} digest`).toBe(layer.descriptor.digest);
      const p = await peek(await open(), 512);
      const c = sniffCompression(p.head);
      const dec = typeof c === 'string' ? createDecompressor(c) : undefined;
      const raw = dec ? p.stream.pipe(dec) : p.stream;
      if (image.config.diffIds[i]) expect(await sha(raw), `layer ${i} diffId`).toBe(image.config.diffIds[i]);
    }
    const a = await layer.read();
    const b = await layer.read();
    expect(b.entries.map((e) => e.path)).toEqual(a.entries.map((e) => e.path));
  }
}
