import type { LayerContents } from '../../archive/index.js';
import { readVerifiedLayer } from '../registry/blob.js';
import type { LayerDescriptor } from '../../core/index.js';
import { SourceError, UsageError } from '../../errors/index.js';
import { formatPlatform, type Platform } from '../../reference/index.js';
import type { ImageSource, LayerHandle, LayerReadOptions, OpenedImage } from '../image-source.js';
import { checkLayerCount, configPlatform, parseImageConfig, parseJson } from '../oci/config.js';
import { shortDigest } from '../oci/layer-handle.js';
import { CONFIG_CAP, MANIFEST_CAP } from '../oci/limits.js';
import { isIndexMediaType, looksLikeIndex, parseIndex, parseManifest, resolveToManifest, type Descriptor, type ImageManifest } from '../oci/manifest.js';
import type { SourceSettings } from '../settings.js';
import { sanitize } from '../../format/index.js';
import type { ContainerdClient, ContainerdImage } from './client.js';
import { digestOf, nameCandidates, nearNames, repositoryOf, type NameCandidate } from './names.js';
import { ContainerdLookupError, selectContainerdSocket, type SocketFs } from './socket.js';

export { ContainerdLookupError } from './socket.js';

/** containerd's rule for namespace names (`identifiers.Validate`): 76 characters at most. */
const NAMESPACE_NAME = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/**
 * The namespace to look in: `settings.namespace` (`--namespace`), else `CONTAINERD_NAMESPACE`,
 * else `default`. Throws UsageError for a name containerd would refuse.
 */
export function resolveNamespace(settings: Pick<SourceSettings, 'namespace' | 'env'>): string {
  const fromFlag = settings.namespace;
  const fromEnv = settings.env.CONTAINERD_NAMESPACE;
  const ns = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'default');
  if (ns.length > 76 || !NAMESPACE_NAME.test(ns)) {
    const subject = fromFlag !== undefined ? '--namespace' : 'CONTAINERD_NAMESPACE';
    const reason = `"${sanitize(ns).slice(0, 80)}" is not a containerd namespace name (letters and digits, separated by ".", "_" or "-")`;
    throw new UsageError(`${subject}: ${reason}`, { subject, reason });
  }
  return ns;
}

/** An image containerd has, found by name but not yet read; holds the open client. */
export type LocatedContainerdImage = {
  readonly client: ContainerdClient;
  readonly image: ContainerdImage;
  /** The name as the user typed it. */
  readonly typed: string;
  /** Which lookup found it: as typed, with `:latest`, normalized, or by digest. */
  readonly how: NameCandidate['how'] | 'by digest';
  /** How messages name the image (`containerd:fx/edge:1`, or the bare argument). */
  readonly label: string;
  readonly version: string;
};

export type ContainerdLookupOptions = {
  /** How messages name the image; default `containerd:NAME`. */
  readonly label?: string;
  /** Reads the socket's state (tests). */
  readonly fs?: SocketFs;
};

async function findImage(client: ContainerdClient, typed: string): Promise<{ image: ContainerdImage; how: LocatedContainerdImage['how'] } | undefined> {
  for (const c of nameCandidates(typed)) {
    const image = await client.getImage(c.name);
    if (image) return { image, how: c.how };
  }
  // NAME@DIGEST where the stored name carries a tag instead (nerdctl, ctr): the image of that
  // repository whose target is the digest.
  const digest = digestOf(typed);
  if (digest === undefined) return undefined;
  const repo = repositoryOf(typed);
  const hit = (await client.listImages()).find((i) => i.target.digest === digest && repositoryOf(i.name) === repo);
  return hit ? { image: hit, how: 'by digest' } : undefined;
}

/** The one not-found error: an unknown namespace (listing those there are), or the names close to the one asked for. */
async function explainNotFound(client: ContainerdClient, typed: string, label: string): Promise<ContainerdLookupError> {
  const where = `containerd at ${client.url}`;
  const ns = client.namespace;
  const namespaces = await client.listNamespaces();
  if (!namespaces.includes(ns)) {
    const list = namespaces.length ? namespaces.map((n) => sanitize(n).slice(0, 80)).sort().join(', ') : 'none';
    return new ContainerdLookupError(
      'not-found',
      label,
      `containerd at ${client.url} has no namespace "${ns}" (namespaces: ${list}); choose one with --namespace or CONTAINERD_NAMESPACE (Kubernetes uses k8s.io, Docker moby)`,
      where,
      `no namespace "${ns}"`,
    );
  }
  const names = (await client.listImages()).map((i) => i.name);
  const tried = nameCandidates(typed).map((c) => c.name);
  const near = nearNames(typed, names);
  const triedText = tried.length > 1 ? ` (looked up as ${tried.map((t) => sanitize(t).slice(0, 200)).join(', ')})` : '';
  const nearText = near.length ? `; similar names: ${near.join(', ')}` : names.length ? `; it has ${names.length} other image${names.length === 1 ? '' : 's'}, none with a similar name` : '; it has no images';
  return new ContainerdLookupError(
    'not-found',
    label,
    `no such image in namespace "${ns}" of containerd at ${client.url}${triedText}${nearText}`,
    where,
    'no such image',
  );
}

/**
 * Finds `typed` (`NAME[:TAG|@DIGEST]`) in containerd: picks the socket (see
 * `selectContainerdSocket`), checks that containerd answers, then looks the name up as typed,
 * with `:latest`, normalized (`docker.io/library/…`), and for `NAME@DIGEST` among the images
 * of that repository. `settings.onStage` says which socket, namespace and name matched.
 * Throws ContainerdLookupError: daemon-unavailable or permission-denied (no usable socket),
 * not-found (an unknown namespace, listing the namespaces; or no such image, listing similar
 * names); UsageError for an invalid namespace name.
 */
export async function locateContainerdImage(typed: string, settings: SourceSettings, opts: ContainerdLookupOptions = {}): Promise<LocatedContainerdImage> {
  const label = opts.label ?? `containerd:${typed}`;
  const namespace = resolveNamespace(settings);
  settings.signal?.throwIfAborted();
  const socket = selectContainerdSocket(settings.env, label, opts.fs);
  // The gRPC stack and the protos load only once there is a socket to talk to (~0.3 s).
  const { ContainerdClient } = await import('./client.js');
  const client = new ContainerdClient(socket, namespace, label, settings.signal);
  try {
    settings.onStage?.(`looking for containerd at ${client.url}`);
    let version: string;
    try {
      version = await client.version();
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      throw new ContainerdLookupError(e.kind, label, e.reason, `containerd at ${client.url}`, e.reason, { cause: e });
    }
    settings.onStage?.(`using containerd ${version} at ${client.url}, namespace ${namespace}`);
    const found = await findImage(client, typed);
    if (!found) throw await explainNotFound(client, typed, label);
    const name = sanitize(found.image.name).slice(0, 200);
    settings.onStage?.(found.how === 'as typed' ? `found ${name} in containerd` : `found ${sanitize(typed).slice(0, 200)} in containerd as ${name} (${found.how})`);
    return { client, image: found.image, typed, how: found.how, label, version };
  } catch (e) {
    client.close();
    throw e;
  }
}

/** Reads one layer through a verified blob: parsed as it streams, its digest checked before the contents count. */
async function readLayer(client: ContainerdClient, d: Descriptor, label: string, missing: () => SourceError, opts?: LayerReadOptions): Promise<LayerContents> {
  return readVerifiedLayer(client.verifiedBlob(d, label, missing), d, label, opts);
}

/**
 * Reads a located image: its target (an index is resolved to one manifest by `--platform`
 * exactly as for OCI layouts), the config, and a handle per layer that streams the compressed
 * blob from containerd's content store (`Content.Read`) and verifies it against its digest.
 * Every blob is checked to be present first: a missing one is SourceError('not-found') saying
 * the image is not fully pulled. `close` closes the connection.
 */
export async function openLocatedContainerdImage(located: LocatedContainerdImage, settings: SourceSettings): Promise<OpenedImage> {
  const { client, image, label } = located;
  try {
    return await readImage(client, image, label, settings);
  } catch (e) {
    client.close();
    throw e;
  }
}

function notPulled(label: string, what: string, fix: string): () => SourceError {
  return () => new SourceError('not-found', label, `${what} is not in containerd's content store: the image is not fully pulled (${fix})`);
}

async function readImage(client: ContainerdClient, image: ContainerdImage, label: string, settings: SourceSettings): Promise<OpenedImage> {
  const pullAgain = `pull it again, e.g. ctr -n ${client.namespace} images pull ${sanitize(image.name).slice(0, 200)}`;
  const readJson = async (d: Descriptor, what: string, cap: number, fix = pullAgain) =>
    parseJson(await client.readSmall(d, cap, `${label}: ${what}`, notPulled(label, what, fix)), `${label}: ${what}`);

  const target = image.target;
  const topWhat = `${isIndexMediaType(target.mediaType) ? 'index' : 'manifest'} ${shortDigest(target.digest)}`;
  const topRaw = await readJson(target, topWhat, MANIFEST_CAP);
  let chosen: { descriptor: Descriptor; manifest: ImageManifest; platform?: Platform };
  if (isIndexMediaType(target.mediaType) || looksLikeIndex(topRaw)) {
    settings.onStage?.(`${label}: choosing ${settings.platform ? formatPlatform(settings.platform) : 'the platform'} from the index`);
    chosen = await resolveToManifest(parseIndex(topRaw, `${label}: ${topWhat}`), settings.platform, label, (d) => {
      const p = d.platform ? formatPlatform(d.platform) : undefined;
      const what = `the ${p ? `${p} ` : ''}manifest ${shortDigest(d.digest)}`;
      // An index whose other platforms were never fetched (`ctr images pull` without --all-platforms).
      const fix = p ? `it was pulled for other platforms only; pull it with --platform ${p} or --all-platforms` : pullAgain;
      return readJson(d, what, MANIFEST_CAP, fix);
    });
  } else {
    const manifest = parseManifest(topRaw, `${label}: ${topWhat}`);
    chosen = { descriptor: target, manifest };
  }
  const { manifest } = chosen;
  const configWhat = `config ${shortDigest(manifest.config.digest)}`;
  const rawConfig = await readJson(manifest.config, configWhat, CONFIG_CAP);
  const config = parseImageConfig(rawConfig, `${label}: ${configWhat}`);
  checkLayerCount(label, 'the manifest', manifest.layers.length, config);

  // Every layer blob must be there before anything is read: a half-pulled image (or one whose
  // compressed layers containerd dropped after unpacking) is reported now, in one line.
  const sizes = await Promise.all(manifest.layers.map((d) => client.blobSize(d.digest)));
  const layers = manifest.layers.map((d, i): LayerHandle => {
    const layerLabel = `${label}: layer ${i} (${shortDigest(d.digest)})`;
    const missing = notPulled(label, `layer ${i} (${shortDigest(d.digest)})`, `${pullAgain}; a node that discards unpacked layers keeps no compressed blobs`);
    const stored = sizes[i];
    if (stored === undefined) throw missing();
    const size = d.size > 0 ? d.size : stored;
    const desc: Descriptor = { ...d, size };
    const descriptor: LayerDescriptor = { digest: d.digest, diffId: config.diffIds[i], mediaType: d.mediaType, compressedSize: size };
    return {
      descriptor,
      blob: { kind: 'stream', open: async () => client.verifiedBlob(desc, layerLabel, missing).toReadable(), length: size },
      read: (opts) => readLayer(client, desc, layerLabel, missing, opts),
    };
  });

  return {
    identity: {
      reference: `containerd:${image.name}`,
      source: 'containerd',
      platform: chosen.platform ?? configPlatform(config),
      digest: chosen.descriptor.digest,
      configDigest: manifest.config.digest,
    },
    config,
    rawConfig,
    layers,
    close: async () => client.close(),
  };
}

/**
 * Opens `NAME[:TAG|@DIGEST]` from containerd's image store through its gRPC API: the socket
 * from `CONTAINERD_ADDRESS`, else `/run/containerd/containerd.sock`, else the rootless one
 * under `XDG_RUNTIME_DIR`; the namespace from `settings.namespace`, `CONTAINERD_NAMESPACE`,
 * else `default`. See `locateContainerdImage` and `openLocatedContainerdImage` for what is thrown.
 */
export async function openContainerdImage(name: string, settings: SourceSettings, opts: ContainerdLookupOptions = {}): Promise<OpenedImage> {
  const located = await locateContainerdImage(name, settings, opts);
  return openLocatedContainerdImage(located, settings);
}

/** `containerd:NAME[:TAG|@DIGEST]`: containerd's image store (nerdctl, Kubernetes nodes, Docker's containerd store). */
export const containerdSource: ImageSource<'containerd'> = {
  transport: 'containerd',
  open: (ref, settings) => openContainerdImage(ref.name, settings),
};
