import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { createDecompressor, sniffCompression } from '../../src/archive/decompress.js';
import { peek } from '../../src/archive/peek.js';
import type { ImageReference } from '../../src/reference/reference.js';
import type { OpenedImage } from '../../src/sources/image-source.js';
import type { SourceSettings } from '../../src/sources/settings.js';
import { sourceFor } from '../../src/sources/table.js';

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

/**
 * Runs the conformance suite on a reference through the source table: the table's entry for
 * the reference's transport must be a source of that transport, and what it opens must pass
 * `validateImage`. Returns the image's identity (the image is closed).
 */
export async function validateSource(ref: ImageReference, settings: SourceSettings): Promise<OpenedImage['identity']> {
  const source = await sourceFor(ref.transport);
  expect(source.transport).toBe(ref.transport);
  const image = await (source.open as (r: ImageReference, s: SourceSettings) => Promise<OpenedImage>)(ref, settings);
  try {
    await validateImage(image);
    return image.identity;
  } finally {
    await image.close();
  }
}
