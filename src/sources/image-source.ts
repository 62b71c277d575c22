import type { ImageConfig, ImageIdentity, LayerDescriptor } from '../core/model.js';
import type { LayerBlob, LayerContents } from '../archive/layer-blob.js';

/**
 * One layer of an opened image. `read` returns the layer's entries (reading and decompressing
 * as needed); `hash` fills in `entry.hash` for the given entry indices of a previous `read`.
 */
export type LayerHandle = {
  readonly descriptor: LayerDescriptor;
  /** Where the bytes are; absent when the source already parsed the layer (one-pass streams). */
  readonly blob?: LayerBlob;
  read(opts?: { onProgress?: (done: number, total: number | undefined) => void }): Promise<LayerContents>;
};

/**
 * An image a source has opened: identity, config, and its layers base first, in manifest
 * order (never archive order). `close` releases file handles and temporary state.
 */
export type OpenedImage = {
  readonly identity: ImageIdentity;
  readonly config: ImageConfig;
  /** The raw config JSON, for the "inspect" view. */
  readonly rawConfig: unknown;
  readonly layers: readonly LayerHandle[];
  close(): Promise<void>;
};

/** Options every source understands. */
export type OpenOptions = {
  /** `os/arch[/variant]`; default: the host's, falling back to linux/amd64. */
  readonly platform?: string;
  /** Called with a short human message as the source makes progress (resolving, pulling…). */
  readonly onStage?: (message: string) => void;
  /** Called per layer with bytes done/total while layers are fetched. */
  readonly onLayerProgress?: (layer: number, done: number, total: number | undefined) => void;
};

/** A transport adapter: turns a parsed reference into an opened image. */
export type ImageSource = {
  /** Transport name as users write it: `docker-archive`, `oci`, `oci-archive`, `docker-daemon`, `docker`. */
  readonly transport: string;
  open(opts: OpenOptions): Promise<OpenedImage>;
};
