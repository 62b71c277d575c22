import os from 'node:os';
import type { LayerContents } from '../archive/layer-blob.js';
import { analyzeImage, indexImage, isContentDigest, type Analysis, type ImageInput } from '../core/index.js';
import { fillContentKeys } from './content-keys.js';
import type { LayerCache } from '../cache/layer-cache.js';
import type { LayerHandle } from './image-source.js';
import { mapLimit } from './map-limit.js';
import type { OpenedImage } from './image-source.js';

/**
 * Layers read at once. Decompression runs on libuv's pool and scanning on the main thread, so
 * more than the cores buys nothing and holds more buffers: on a 2-core machine, 2 in flight
 * read a 20-layer gzip image as fast as 4 with ~40 MB less peak memory.
 */
const DEFAULT_CONCURRENCY = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));

export type LoadOptions = {
  /** Layers read at once. @default 4 */
  readonly concurrency?: number;
  /** Bytes of layer `i` read so far, of `total` when known. */
  readonly onLayerProgress?: (layer: number, done: number, total: number | undefined) => void;
  /** Layer `i` is read. */
  readonly onLayerDone?: (layer: number, contents: LayerContents) => void;
  /** What is happening now: `reading layers`, `hashing`, `analyzing`. */
  readonly onStage?: (stage: string) => void;
  /** Per-layer cache; layers found there are not read again. */
  readonly cache?: LayerCache;
};

/** The digests a cached layer may be stored under, and whether a hit fits this handle. */
function cachedRead(cache: LayerCache | undefined, layer: LayerHandle): LayerContents | undefined {
  if (!cache || !layer.blob) return undefined;
  const hit = cache.get(layer.descriptor.diffId, layer.descriptor.compressedSize);
  // Body offsets only make sense for reading the same uncompressed tar positionally; a
  // stream-read entry has every file hashed already and needs none.
  if (hit && hit.bodyOffsets && layer.blob.kind !== 'file-region') return undefined;
  return hit;
}

const realHashes = (c: LayerContents) => c.entries.reduce((n, e) => n + (isContentDigest(e.hash) ? 1 : 0), 0);

/**
 * Reads every layer of an opened image (in parallel), hashes only the bodies the core asks
 * for, and analyzes. The image is not closed.
 */
export async function loadImage(image: OpenedImage, opts: LoadOptions = {}): Promise<Analysis> {
  opts.onStage?.('reading layers');
  const fromCache = new Set<number>();
  const contents = await mapLimit(image.layers, opts.concurrency ?? DEFAULT_CONCURRENCY, async (layer, i) => {
    let c = cachedRead(opts.cache, layer);
    if (c) {
      fromCache.add(i);
      opts.onLayerProgress?.(i, layer.descriptor.compressedSize ?? c.tarSize, layer.descriptor.compressedSize ?? c.tarSize);
    } else c = await layer.read({ onProgress: opts.onLayerProgress && ((d, t) => opts.onLayerProgress!(i, d, t)) });
    opts.onLayerDone?.(i, c);
    return c;
  });
  const hashesBefore = contents.map(realHashes);
  const input: ImageInput = {
    identity: image.identity,
    config: image.config,
    layers: image.layers.map((l, i) => ({
      descriptor: { ...l.descriptor, mediaType: l.descriptor.mediaType ?? defaultMediaType(contents[i]!) },
      entries: contents[i]!.entries,
    })),
  };
  opts.onStage?.('indexing paths');
  const index = indexImage(input);
  opts.onStage?.('comparing contents');
  await fillContentKeys(index, image.layers, contents, opts.concurrency ?? DEFAULT_CONCURRENCY);
  if (opts.cache) {
    image.layers.forEach((layer, i) => {
      const c = contents[i]!;
      if (layer.blob && (!fromCache.has(i) || realHashes(c) > hashesBefore[i]!)) opts.cache!.put(layer.descriptor.diffId, layer.descriptor.compressedSize ?? c.tarSize, c);
    });
  }
  opts.onStage?.('analyzing');
  return analyzeImage(index);
}

/** What a layer's media type is when the source did not say (legacy docker-save layers). */
function defaultMediaType(c: LayerContents): string {
  switch (c.compression) {
    case 'gzip':
      return 'application/vnd.docker.image.rootfs.diff.tar.gzip';
    case 'zstd':
      return 'application/vnd.oci.image.layer.v1.tar+zstd';
    default:
      return 'application/vnd.docker.image.rootfs.diff.tar';
  }
}
