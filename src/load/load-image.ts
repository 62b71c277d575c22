import os from 'node:os';
import { type LayerAccess, type LayerContents, sharedPool, type WorkerPool } from '../archive/index.js';
import type { IndexCache, LayerCache, ResultCache } from '../cache/index.js';
import { analyzeImage, indexImage, knownFigures, summarize, type Analysis, type AnalysisSummary, type ImageIdentity, type ImageIndex, type ImageInput, type LayerDescriptor } from '../core/index.js';
import { SourceError } from '../errors/index.js';
import { planPackageReads, readPackages, type ImagePackages, type PackageSummary, type PackageWarning } from '../packages/index.js';
import type { ImageReference } from '../reference/index.js';
import { type LayerHandle, type OpenedImage, type SourceSettings, openImage } from '../sources/index.js';
import { computeContentKeys } from './content-keys.js';
import { DigestTable } from './digest-table.js';
import { readImageLines, type DockerfileCandidate, type ImageLines } from './lines.js';
import { mapLimit } from './map-limit.js';
import { readPackageBodies } from './package-bodies.js';
import { readSqliteWasm } from './sqlite-wasm.js';
import { claimsOf, layerLabel, startVerification } from './verify.js';

/**
 * Layers read at once. Decompression runs on libuv's pool and scanning on the main thread, so
 * more than the cores buys nothing and holds more buffers: on a 2-core machine, 2 in flight
 * read a 20-layer gzip image as fast as 4 with ~40 MB less peak memory.
 */
const DEFAULT_CONCURRENCY = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));

/** What the lifecycle reports while it works, in order: stages, the opened image, per-layer progress. */
export type LoadEvent =
  /** What is happening now, in a few words: `resolving…`, `reading layers`, `comparing contents`. */
  | { readonly type: 'stage'; readonly message: string }
  /** The source found the image: who it is and how many layers it has. */
  | { readonly type: 'opened'; readonly identity: ImageIdentity; readonly layerCount: number }
  /** Bytes of layer `layer` read so far (as stored), of `total` when known. */
  | { readonly type: 'layer-progress'; readonly layer: number; readonly done: number; readonly total: number | undefined }
  /** Layer `layer` is read, from the source or the layer cache; `bytes` as stored. */
  | { readonly type: 'layer-read'; readonly layer: number; readonly descriptor: LayerDescriptor; readonly bytes: number; readonly fromCache: boolean }
  /** The package databases are read: how many packages the final filesystem has, and the databases that could not be read. */
  | { readonly type: 'packages'; readonly count: number; readonly warnings: readonly PackageWarning[] };

/** The caches a load may use; each absent one is neither read nor written. */
export type LoadCaches = {
  /** Per-layer entries by diffID: layers found there are not read again. */
  readonly layers?: LayerCache;
  /** Whole-image figures, for `loadSummary`, and content keys, for an image whose every layer is in the layer cache. */
  readonly results?: ResultCache;
  /** The analysed index and content keys of an image whose every layer is in the layer cache: not indexed again. */
  readonly indexes?: IndexCache;
};

export type LoadOptions = {
  /** Platform, credentials, environment, stdin: what the sources need. */
  readonly settings: SourceSettings;
  readonly caches?: LoadCaches;
  /** Cancels the load: pending work rejects with the signal's reason, and the image is closed. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: LoadEvent) => void;
  /** Layers read at once. @default between 2 and 4, by the number of cores */
  readonly concurrency?: number;
  /**
   * Resolve as soon as the analysis is ready, before every layer is verified: for the
   * inspector, which marks the view until `LoadedImage.verified` settles. Otherwise `loadImage`
   * resolves only once every layer is verified, and rejects on a mismatch, so a caller that
   * forgets `verified` still never presents unverified bytes as right. @default false
   */
  readonly early?: boolean;
  /**
   * Leave the package databases unread until `LoadedImage.readPackages()` is called: for the
   * inspector, which shows the tree first and the packages as pending until they are read.
   * `LoadedImage.packages` is then undefined. Ignored by `loadSummary`. @default false
   */
  readonly deferPackages?: boolean;
  /** Reads and hashes blobs in files on other cores. @default the process's shared pool */
  readonly pool?: WorkerPool;
  /**
   * Dockerfiles to locate the layers with, in order: the first whose instructions match the
   * image's history well enough for how it came gives the lines (`readImageLines`), unless the
   * image's own provenance does. @default none
   */
  readonly dockerfiles?: readonly DockerfileCandidate[];
};

/** An analysed image whose source is still open, so bodies can be read again (extraction, viewing). */
export type LoadedImage = {
  readonly analysis: Analysis;
  /** Which Dockerfile line made each layer (BuildKit's provenance, or a matching Dockerfile), and why a named one gave none. */
  readonly lines: ImageLines;
  /**
   * What the image's package databases say, beside the analysis: the packages, each layer's
   * changes, who owns a path at any layer. Undefined when `settings.packages` is false.
   */
  readonly packages: ImagePackages | undefined;
  /**
   * What the image's package databases say, read now when `deferPackages` left them unread (once;
   * later calls give the same promise), else `packages` at once. Undefined when
   * `settings.packages` is false. Call before `close`.
   */
  readPackages(): Promise<ImagePackages | undefined>;
  /** The raw config JSON, for the "inspect" view. */
  readonly rawConfig: unknown;
  /** Per layer, base first: where its bytes are and what reading it found. */
  readonly layers: readonly LayerAccess[];
  /** The body digests known once analysed: what reading found and what the content keys hashed. */
  readonly digests: DigestTable;
  /**
   * Settles when every layer's bytes were checked against what the image claims: resolves when
   * all match (at once when `settings.verify` is false), rejects with SourceError('digest-mismatch') naming
   * the layer otherwise. The analysis is ready before this settles; whoever presents it as right
   * (a CI verdict, the library) waits for it, and the inspector shows a mark until it does.
   * Layers are written to the layer cache only once verified.
   */
  readonly verified: Promise<void>;
  /** Releases the source (file handles, connections) and stops a verification still running. Call once. */
  close(): Promise<void>;
};

/**
 * The one lifecycle every front end uses (CI, the inspector, the library): open the reference
 * through its source → read every layer (from the layer cache or the source, in parallel) →
 * content keys for what the core compares → analyze, with every layer verified against its
 * digest, diffID and size meanwhile (resolving only once verified, unless `early`). The image
 * stays open for the caller, who must `close` it; on failure or cancellation it is closed here.
 *
 * Throws SourceError or UsageError for what the user can fix, the signal's reason on abort.
 */
export async function loadImage(ref: ImageReference, opts: LoadOptions): Promise<LoadedImage> {
  const image = await openReference(ref, opts);
  const stop = new AbortController();
  try {
    const lines = await readImageLines(image, opts.dockerfiles ?? []);
    const { analysis, packages, readPackages, contents, digests, verified } = await analyzeOpened(image, opts, stop);
    if (!opts.early) {
      opts.onEvent?.({ type: 'stage', message: 'verifying layers' });
      await verified;
    }
    return {
      analysis,
      lines,
      packages,
      readPackages,
      rawConfig: image.rawConfig,
      // The package bodies a stream kept are read already: the image open for the session does not hold them.
      layers: image.layers.map((l, i) => ({ blob: l.blob, contents: withoutPackageBodies(contents[i]!) })),
      digests,
      verified,
      close: () => {
        stop.abort(new SourceError('corrupt', image.identity.reference, 'closed before verification finished'));
        return image.close();
      },
    };
  } catch (e) {
    stop.abort(e);
    await image.close().catch(() => undefined);
    throw e;
  }
}

/**
 * An image's figures, its Dockerfile lines and what its package databases say (undefined when
 * `settings.packages` is false), side by side.
 */
export type LoadedSummary = { readonly summary: AnalysisSummary; readonly lines: ImageLines; readonly packages: PackageSummary | undefined };

/**
 * The figures of an image, for headless use: like `loadImage`, but answered from the result
 * cache when the same image (config digest, every layer's diffID and size) was analysed before,
 * and the image is closed before it resolves. The lines are found afresh every time: they
 * depend on the Dockerfile, which the cache does not know.
 */
export async function loadSummary(ref: ImageReference, opts: LoadOptions): Promise<LoadedSummary> {
  const image = await openReference(ref, opts);
  try {
    const lines = await readImageLines(image, opts.dockerfiles ?? []);
    const key = { identity: image.identity, layers: image.layers.map((l) => l.descriptor) };
    const results = opts.caches?.results;
    const wantPackages = opts.settings.packages !== false;
    const cached = results?.get(key);
    const cachedPackages = cached && wantPackages ? results!.getPackages(key) : undefined;
    if (cached && (!wantPackages || cachedPackages)) {
      if (cachedPackages) opts.onEvent?.({ type: 'packages', count: cachedPackages.packages.length, warnings: cachedPackages.warnings });
      return { summary: cached, lines, packages: cachedPackages };
    }
    const stop = new AbortController();
    try {
      const { analysis, packages, verified } = await analyzeOpened(image, { ...opts, deferPackages: false }, stop);
      const summary = summarize(analysis, packages && { owners: packages });
      const facts = packages && summarizePackages(packages);
      opts.onEvent?.({ type: 'stage', message: 'verifying layers' });
      await verified;
      if (opts.settings.verify !== false) {
        results?.put(key, summary);
        if (facts) results?.putPackages(key, facts);
      }
      return { summary, lines, packages: facts };
    } catch (e) {
      stop.abort(e);
      throw e;
    }
  } finally {
    await image.close().catch(() => undefined);
  }
}

async function openReference(ref: ImageReference, opts: LoadOptions): Promise<OpenedImage> {
  const { onEvent, signal } = opts;
  signal?.throwIfAborted();
  const image = await openImage(ref, {
    ...opts.settings,
    signal: signal ?? opts.settings.signal,
    onStage: (message) => {
      opts.settings.onStage?.(message);
      onEvent?.({ type: 'stage', message });
    },
  });
  if (signal?.aborted) {
    await image.close().catch(() => undefined);
    signal.throwIfAborted();
  }
  onEvent?.({ type: 'opened', identity: image.identity, layerCount: image.layers.length });
  return image;
}

/** A layer from the per-layer cache, when it has one that fits this handle. */
function cachedRead(cache: LayerCache | undefined, layer: LayerHandle): LayerContents | undefined {
  if (!cache || !layer.blob) return undefined;
  const hit = cache.get(layer.descriptor.diffId, layer.descriptor.compressedSize);
  // Body offsets only make sense for reading the same uncompressed tar positionally; a
  // stream-read entry has every file hashed already and needs none.
  if (hit && hit.bodyOffsets && layer.blob.kind !== 'file-region') return undefined;
  return hit;
}

/**
 * Reads every layer of an opened image, computes the content keys the core needs, and analyzes;
 * verification of the bytes goes on meanwhile (`verified`), and each layer is cached once
 * verified, with the body digests known by then (`digests`). `stop` aborts what verification is
 * still running. The image is not closed.
 */
async function analyzeOpened(
  image: OpenedImage,
  opts: LoadOptions,
  stop: AbortController,
): Promise<{
  analysis: Analysis;
  packages: ImagePackages | undefined;
  readPackages: () => Promise<ImagePackages | undefined>;
  contents: LayerContents[];
  digests: DigestTable;
  verified: Promise<void>;
}> {
  const { onEvent, signal } = opts;
  const cache = opts.caches?.layers;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const verify = opts.settings.verify !== false;
  const pool = opts.pool ?? sharedPool();
  const verifySignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const stage = (message: string) => {
    signal?.throwIfAborted();
    onEvent?.({ type: 'stage', message });
  };
  // Every claim is checked before anything is read: an algorithm the tool cannot verify, or a
  // size no blob can have, is refused by name.
  const labels = image.layers.map((l, i) => layerLabel(image.identity.reference, i, l.descriptor));
  const claims = verify ? image.layers.map((l, i) => claimsOf(l.descriptor, labels[i]!)) : undefined;
  stage('reading layers');
  const fromCache = new Set<number>();
  const checks: Promise<void>[] = [];
  const contents = await mapLimit(image.layers, concurrency, async (layer, i) => {
    signal?.throwIfAborted();
    let c = cachedRead(cache, layer);
    const bytes = () => layer.descriptor.compressedSize ?? c!.tarSize;
    if (c) {
      // Cache entries are written only for verified layers, under the diffID they matched.
      fromCache.add(i);
      checks[i] = Promise.resolve();
      onEvent?.({ type: 'layer-progress', layer: i, done: bytes(), total: bytes() });
    } else {
      const v = claims && startVerification(layer, claims[i]!, labels[i]!, pool, verifySignal);
      try {
        c = await layer.read({ signal, pool, hash: claims?.[i]!.request, onProgress: onEvent && ((done, total) => onEvent({ type: 'layer-progress', layer: i, done, total })) });
      } catch (e) {
        // Bytes that fail to parse and also contradict their digest: the mismatch says more.
        throw v ? await v.explain(e) : e;
      }
      const read = c;
      checks[i] = v ? v.finish(read) : Promise.resolve();
      checks[i]!.catch(() => undefined);
    }
    onEvent?.({ type: 'layer-read', layer: i, descriptor: layer.descriptor, bytes: bytes(), fromCache: fromCache.has(i) });
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
  // Every layer from the layer cache (so verified before): the index and keys kept with them still hold.
  const imageKey = { identity: image.identity, layers: image.layers.map((l) => l.descriptor) };
  const results = opts.caches?.results;
  const indexes = opts.caches?.indexes;
  const allCached = fromCache.size === image.layers.length;
  const keptIndex = allCached ? indexes?.get(imageKey, input) : undefined;
  if (!keptIndex) stage('indexing paths');
  const index = keptIndex?.index ?? indexImage(input);
  const keptKeys = keptIndex?.keys ?? (allCached ? results?.getKeys(imageKey, index.entries.length) : undefined);
  if (!keptKeys) stage('comparing contents');
  const read = DigestTable.of(contents);
  // Bodies are hashed and compared on the worker threads while this one reads the package
  // databases (found from the index, their bodies from the layers): the call returns at its
  // first wait for the workers.
  const computing = keptKeys ? undefined : computeContentKeys(index, image.layers.map((l) => l.blob), contents, read, { concurrency, pool, signal });
  computing?.catch(() => undefined); // awaited below, after the packages
  const wantPackages = opts.settings.packages !== false;
  let reading: Promise<ImagePackages | undefined> | undefined;
  const readPackages = () =>
    (reading ??= (async () => {
      if (!wantPackages) return undefined;
      const read = await readImagePackages(index, image.layers.map((l, i) => ({ blob: l.blob, contents: contents[i]! })), signal);
      onEvent?.({ type: 'packages', count: read.packages.length, warnings: read.warnings });
      return read;
    })());
  let packages: ImagePackages | undefined;
  if (wantPackages && !opts.deferPackages) {
    stage('reading packages');
    packages = await readPackages();
  }
  const computed = await computing;
  const keys = keptKeys ?? computed!.keys;
  const digests = computed ? read.with(computed.hashed) : read;
  stage('analyzing');
  // From the cached index: the changes per layer and the reclaimable bytes it keeps, not found again.
  const analysis = analyzeImage(index, keys, keptIndex?.figures);
  // A layer is (re)written to the cache once verified, when it was read from the source or
  // bodies were hashed since; never without verification (its diffID would be only a claim).
  const verified = Promise.all(
    checks.map(async (check, i) => {
      await check;
      const layer = image.layers[i]!;
      const c = contents[i]!;
      if (cache && verify && layer.blob && (!fromCache.has(i) || digests.hashedSince(i).size > 0)) {
        cache.put(layer.descriptor.diffId, layer.descriptor.compressedSize ?? c.tarSize, c, digests.layer(i));
      }
    }),
  ).then(
    () => {
      if (!keptKeys && verify) results?.putKeys(imageKey, keys);
      if (!keptIndex && verify) indexes?.put(imageKey, index, keys, knownFigures(analysis));
    },
    (e: unknown) => {
      stop.abort(e);
      throw e;
    },
  );
  verified.catch(() => undefined);
  return { analysis, packages, readPackages, contents, digests, verified };
}

/** The package databases of an indexed image, read from its layers (see `readPackageBodies`). */
async function readImagePackages(index: ImageIndex, layers: readonly LayerAccess[], signal: AbortSignal | undefined): Promise<ImagePackages> {
  const plan = planPackageReads(index);
  const { bodies, unread } = readPackageBodies(plan, layers, signal);
  return readPackages({ plan, bodies, unread, sqliteWasm: readSqliteWasm });
}

/** The plain data of an image's packages (no owner lookups), for the result cache and the exports. */
export function summarizePackages(p: PackageSummary): PackageSummary {
  return { packages: p.packages, layers: p.layers, warnings: p.warnings };
}

/** A layer's contents without the package bodies a stream kept. */
function withoutPackageBodies(c: LayerContents): LayerContents {
  if (!c.packageBodies) return c;
  const { packageBodies: _kept, ...rest } = c;
  return rest;
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
