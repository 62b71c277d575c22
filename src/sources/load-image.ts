import { hashEntries } from '../archive/read-layer.js';
import type { LayerContents } from '../archive/layer-blob.js';
import { analyzeImage, indexImage, selectHashRequests, type Analysis, type ImageInput } from '../core/index.js';
import type { OpenedImage } from './image-source.js';

export type LoadOptions = {
  /** Layers read at once. @default 4 */
  readonly concurrency?: number;
  /** Bytes of layer `i` read so far, of `total` when known. */
  readonly onLayerProgress?: (layer: number, done: number, total: number | undefined) => void;
  /** Layer `i` is read. */
  readonly onLayerDone?: (layer: number, contents: LayerContents) => void;
  /** What is happening now: `reading layers`, `hashing`, `analyzing`. */
  readonly onStage?: (stage: string) => void;
};

/** Runs `fn` over `items` with at most `limit` in flight, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Reads every layer of an opened image (in parallel), hashes only the bodies the core asks
 * for, and analyzes. The image is not closed.
 */
export async function loadImage(image: OpenedImage, opts: LoadOptions = {}): Promise<Analysis> {
  opts.onStage?.('reading layers');
  const contents = await mapLimit(image.layers, opts.concurrency ?? 4, async (layer, i) => {
    const c = await layer.read({ onProgress: opts.onLayerProgress && ((d, t) => opts.onLayerProgress!(i, d, t)) });
    opts.onLayerDone?.(i, c);
    return c;
  });
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
  const requests = selectHashRequests(index);
  if (requests.length > 0) {
    opts.onStage?.(`hashing ${requests.length} files`);
    const perLayer = new Map<number, number[]>();
    for (const g of requests) {
      const li = index.entryLayer[g]!;
      let list = perLayer.get(li);
      if (!list) perLayer.set(li, (list = []));
      list.push(index.entryLocal[g]!);
    }
    await mapLimit([...perLayer], opts.concurrency ?? 4, ([li, locals]) => hashEntries(image.layers[li]!.blob, contents[li]!, locals));
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
