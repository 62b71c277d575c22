import type { LayerContents } from '../archive/layer-blob.js';
import { analyzeImage, indexImage, type Analysis, type ImageInput } from '../core/index.js';
import { fillContentKeys } from './content-keys.js';
import { mapLimit } from './map-limit.js';
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
  opts.onStage?.('comparing contents');
  await fillContentKeys(index, image.layers, contents, opts.concurrency ?? 4);
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
