import type { ImageConfig, ImageIdentity, LayerDescriptor } from '../core/index.js';
import type { HashRequest, LayerBlob, LayerContents, ProgressFn, WorkerPool } from '../archive/index.js';
import type { ImageReference, Transport } from '../reference/index.js';
import type { SourceSettings } from './settings.js';

/**
 * One layer of an opened image. `read` returns the layer's entries (reading and decompressing
 * as needed, hashing the bodies of a stream as they pass) and, for `hash`, the digests of the
 * bytes it streamed (`LayerContents.measured`; a file region's stored bytes are hashed by the
 * lifecycle). The lifecycle compares them with the descriptor; a source that checks a digest
 * itself (a registry download) reports it as measured.
 */
export type LayerHandle = {
  readonly descriptor: LayerDescriptor;
  /** Where the bytes are; absent when the source already parsed the layer (one-pass streams). */
  readonly blob?: LayerBlob;
  read(opts?: LayerReadOptions): Promise<LayerContents>;
};

export type LayerReadOptions = {
  readonly onProgress?: ProgressFn;
  readonly signal?: AbortSignal;
  readonly hash?: HashRequest;
  /** Where a blob in a file may be read on other cores; without one it is read on this thread. */
  readonly pool?: WorkerPool;
};

/**
 * An image a source has opened: identity, config, and its layers base first, in manifest
 * order (never archive order). The caller calls `close` once, which releases file handles,
 * connections and temporary state.
 */
export type OpenedImage = {
  readonly identity: ImageIdentity;
  readonly config: ImageConfig;
  /** The raw config JSON, for the "inspect" view. */
  readonly rawConfig: unknown;
  readonly layers: readonly LayerHandle[];
  /**
   * BuildKit's provenance attestation of the image, for the sources that can carry one (a
   * registry, an OCI layout or archive, a Docker 25+ `docker save`): the in-toto statement beside
   * the image manifest in its index. Resolves to undefined when the image has none, or when it
   * is missing, larger than `PROVENANCE_CAP` or not JSON (provenance is optional, never an
   * error); rejects with SourceError('digest-mismatch') when its bytes contradict their digest,
   * as for every blob, and with what the source throws for a network failure. Absent on sources
   * that carry no attestations (a legacy docker-archive, a daemon).
   */
  readonly provenance?: () => Promise<ImageProvenance | undefined>;
  close(): Promise<void>;
};

/** An image's BuildKit provenance as the source found it, with what it must be held against. */
export type ImageProvenance = {
  /** The in-toto statement: parsed JSON, not yet checked (`readBuildkitProvenance` does). */
  readonly statement: unknown;
  /** The digest of the image manifest the attestation is for. */
  readonly manifestDigest: string;
  /** That manifest's layer digests, in manifest order (what BuildKit's layer chains list). */
  readonly layerDigests: readonly string[];
};

/**
 * A transport: turns a parsed reference of its kind into an opened image. Every transport is a
 * value of this type, looked up in the table of `table.ts`; adding one is a folder that exports
 * such a value, one table line and the grammar in `reference/`.
 *
 * `open` throws SourceError (what could not be read, and why) or UsageError (a malformed name),
 * never anything else for bad input; it honours `settings.signal`.
 */
export type ImageSource<T extends Transport = Transport> = {
  /** Transport name as users write it: `docker-archive`, `oci`, `oci-archive`, `docker-daemon`, `docker`, `bare`. */
  readonly transport: T;
  open(ref: Extract<ImageReference, { readonly transport: T }>, settings: SourceSettings): Promise<OpenedImage>;
  /**
   * The image names this transport can list, as `open` takes them (a daemon's tagged images),
   * for completing a name as it is typed; absent: it lists none. Bounded by `settings.signal`.
   */
  names?(settings: SourceSettings): Promise<readonly string[]>;
};
