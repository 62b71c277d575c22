import type { ImageConfig, LayerDescriptor } from '../../core/index.js';
import { SourceError } from '../../errors/index.js';
import { formatReference } from '../../reference/index.js';
import type { ImageProvenance, ImageSource, OpenedImage } from '../image-source.js';
import { openArchiveBundle } from '../oci/archive-file.js';
import { readVerifiedBlob, type Bundle } from '../oci/bundle.js';
import { readProvenance, REFERENCE_TYPE } from '../oci/attestation.js';
import { isIndexMediaType, looksLikeIndex, parseIndex, parseManifest, type Descriptor, type ImageManifest } from '../oci/manifest.js';
import { checkLayerCount, configPlatform, parseImageConfig, parseJson, sha256Digest } from '../oci/config.js';
import { createLayerHandle, shortDigest } from '../oci/layer-handle.js';
import { CONFIG_CAP, MANIFEST_CAP } from '../oci/limits.js';
import { digestAlgorithm, digestOf } from '../../archive/index.js';

type ManifestItem = { Config: string; RepoTags: string[]; Layers: string[]; LayerSources?: Record<string, { mediaType?: string; size?: number; digest?: string }> };

function readManifest(raw: unknown, where: string): ManifestItem[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new SourceError('corrupt', where, `lists no images`);
  return raw.map((m, i) => {
    const o = m as Partial<ManifestItem> | null;
    if (!o || typeof o.Config !== 'string' || !Array.isArray(o.Layers) || o.Layers.some((l) => typeof l !== 'string')) {
      throw new SourceError('corrupt', where, `image ${i} has no Config or Layers`);
    }
    return { Config: o.Config, RepoTags: Array.isArray(o.RepoTags) ? o.RepoTags.filter((t) => typeof t === 'string') : [], Layers: o.Layers, LayerSources: o.LayerSources };
  });
}

/** `app` → also `app:latest`, `docker.io/library/app:latest`; used to match RepoTags leniently. */
function tagForms(tag: string): string[] {
  const forms = new Set([tag]);
  const lastSlash = tag.lastIndexOf('/');
  const hasTag = tag.lastIndexOf(':') > lastSlash;
  const withTag = hasTag ? tag : `${tag}:latest`;
  forms.add(withTag);
  const first = withTag.split('/')[0]!;
  const hasHost = withTag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) {
    forms.add(`docker.io/${withTag.includes('/') ? '' : 'library/'}${withTag}`);
    forms.add(`localhost/${withTag}`);
  }
  for (const f of [...forms]) if (f.startsWith('docker.io/library/')) forms.add(f.slice('docker.io/library/'.length));
  return [...forms];
}

function pickImage(items: ManifestItem[], ref: string | undefined, label: string): ManifestItem {
  const tags = items.flatMap((m) => m.RepoTags);
  const list = tags.length ? tags.join(', ') : '(untagged)';
  if (ref === undefined) {
    if (items.length === 1) return items[0]!;
    throw new SourceError('not-found', label, `holds ${items.length} images; name one as docker-archive:${label}:TAG or :@N (tags: ${list})`);
  }
  const at = /^@(\d+)$/.exec(ref);
  if (at) {
    const item = items[Number(at[1])];
    if (!item) throw new SourceError('not-found', label, `has no image @${at[1]} (it holds ${items.length})`);
    return item;
  }
  const forms = tagForms(ref);
  const hits = items.filter((m) => m.RepoTags.some((t) => forms.includes(t)));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new SourceError('not-found', label, `tag "${ref}" is ambiguous (tags: ${list})`);
  throw new SourceError('not-found', label, `has no image tagged "${ref}" (tags: ${list})`);
}

/** Hex of a `blobs/sha256/<hex>` or `<hex>.tar` member name, when it has one. */
function digestFromName(name: string): string | undefined {
  const m = /(?:^|\/)blobs\/(sha256|sha512)\/([0-9a-f]{64,128})$/.exec(name);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/**
 * Opens a docker-save archive: legacy (`<id>/layer.tar`), Docker 25+ (manifest.json into
 * blobs/sha256), skopeo/podman (symlinked layer entries), kaniko (`*.tar.gz` layers). Layer
 * order is the manifest's `Layers` order.
 *
 * @param ref a RepoTag (`app:1`, `app` meaning `app:latest`) or `@N`; required when the archive holds several images.
 * @param reference how the user named it, for the identity (`docker-archive:./img.tar`).
 */
export async function openDockerArchiveBundle(bundle: Bundle, ref: string | undefined, reference: string, source = 'docker-archive'): Promise<OpenedImage> {
  const label = bundle.label;
  const items = readManifest(parseJson(await bundle.readSmall('manifest.json', MANIFEST_CAP), `${label}: manifest.json`), `${label}: manifest.json`);
  const item = pickImage(items, ref, label);
  if (!bundle.has(item.Config)) throw new SourceError('not-found', label, `manifest.json names config "${item.Config}", which the archive lacks`);
  const configBytes = await bundle.readSmall(item.Config, CONFIG_CAP);
  const rawConfig = parseJson(configBytes, `${label}: ${item.Config}`);
  const config: ImageConfig = parseImageConfig(rawConfig, `${label}: ${item.Config}`);
  checkLayerCount(label, 'manifest.json', item.Layers.length, config, true);
  const layers = item.Layers.map((name, i) => {
    if (!bundle.has(name)) throw new SourceError('not-found', label, `manifest.json names layer "${name}", which the archive lacks`);
    const member = bundle.layer(name);
    const src = item.LayerSources?.[config.diffIds[i] ?? ''];
    const descriptor: LayerDescriptor = {
      digest: src?.digest ?? digestFromName(name),
      diffId: config.diffIds[i],
      mediaType: src?.mediaType,
      compressedSize: member.size,
    };
    return createLayerHandle(descriptor, member, `${label}: layer ${i} (${shortDigest(descriptor.diffId) || name})`);
  });
  // The config's name is its digest (`<hex>.json`, or a blob path): bytes that contradict it
  // would let a changed config vouch for changed layers.
  const named = digestFromName(item.Config) ?? (/^[0-9a-f]{64}\.json$/.test(item.Config) ? `sha256:${item.Config.slice(0, 64)}` : undefined);
  if (named !== undefined && digestOf(digestAlgorithm(named, `${label}: ${item.Config}`), configBytes) !== named) {
    throw new SourceError('digest-mismatch', label, `config "${item.Config}" does not match the digest its name gives; refusing the image`);
  }
  const configDigest = named ?? sha256Digest(configBytes);
  return {
    identity: { reference, source, platform: configPlatform(config), configDigest },
    config,
    rawConfig,
    layers,
    ...(bundle.has('index.json') ? { provenance: () => dockerSaveProvenance(bundle, configDigest) } : {}),
    close: () => bundle.close(),
  };
}

/** Manifests and indexes a Docker 25+ save's index.json is searched through at most. */
const MAX_VISITS = 256;

/**
 * The provenance of a Docker 25+ `docker save` (an OCI layout beside manifest.json): the image
 * manifest is the one under index.json whose config is this image's, and its attestation sits
 * beside it. A layout that does not say is an image without provenance (see `OpenedImage.provenance`).
 */
async function dockerSaveProvenance(bundle: Bundle, configDigest: string): Promise<ImageProvenance | undefined> {
  const label = bundle.label;
  const read = (d: Descriptor, cap: number) => readVerifiedBlob(bundle, d, cap);
  let visits = 0;
  const find = async (list: readonly Descriptor[], depth: number): Promise<{ siblings: readonly Descriptor[]; digest: string; manifest: ImageManifest } | undefined> => {
    for (const d of list) {
      if (d.annotations?.[REFERENCE_TYPE] !== undefined || depth > 8 || ++visits > MAX_VISITS) continue;
      let raw: unknown;
      try {
        raw = JSON.parse((await read(d, MANIFEST_CAP)).toString('utf8'));
      } catch (e) {
        if (e instanceof SourceError && e.kind === 'digest-mismatch') throw e;
        continue; // absent (a platform the save left out), too large, or not JSON
      }
      if (isIndexMediaType(d.mediaType) || looksLikeIndex(raw)) {
        let inner: Descriptor[];
        try {
          inner = parseIndex(raw, label);
        } catch {
          continue;
        }
        const hit = await find(inner, depth + 1);
        if (hit) return hit;
        continue;
      }
      try {
        const manifest = parseManifest(raw, label);
        if (manifest.config.digest === configDigest) return { siblings: list, digest: d.digest, manifest };
      } catch {
        continue;
      }
    }
    return undefined;
  };
  let top: Descriptor[];
  try {
    top = parseIndex(parseJson(await bundle.readSmall('index.json', MANIFEST_CAP), `${label}: index.json`), `${label}: index.json`);
  } catch {
    return undefined;
  }
  const image = await find(top, 0);
  return image && readProvenance(image.siblings, image, read, read, label);
}

/** `docker-archive:PATH[:TAG|:@N]`: a `docker save` tarball on disk, gzip-wrapped or not, or `-` for stdin. */
export const dockerArchiveSource: ImageSource<'docker-archive'> = {
  transport: 'docker-archive',
  async open(ref, settings) {
    const bundle = await openArchiveBundle(ref.path, settings);
    if (!bundle.has('manifest.json')) {
      const hint = bundle.has('index.json') ? ' (it is an OCI layout: use oci-archive:)' : '';
      throw new SourceError('unsupported-format', bundle.label, `not a docker-save archive: manifest.json is missing${hint}`);
    }
    return openDockerArchiveBundle(bundle, ref.ref, formatReference(ref));
  },
};
