import type { ImageConfig, LayerDescriptor } from '../../core/index.js';
import { SourceError } from '../../errors/index.js';
import { formatReference } from '../../reference/reference.js';
import type { ImageSource, OpenedImage } from '../image-source.js';
import { openArchiveBundle } from '../oci/archive-file.js';
import type { Bundle } from '../oci/bundle.js';
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
    close: () => bundle.close(),
  };
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
