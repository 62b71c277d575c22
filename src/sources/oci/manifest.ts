import { SourceError } from '../../errors/index.js';
import type { Platform } from '../../reference/index.js';
import { isObj } from './json.js';
import { selectPlatform } from './platform.js';

/** An OCI content descriptor (also Docker's manifest-list entries); `size` is a positive integer. */
export type Descriptor = {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
};

export type ImageManifest = {
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
};

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';

export function isIndexMediaType(t: string | undefined): boolean {
  return t === MEDIA.ociIndex || t === MEDIA.dockerList;
}

function toDescriptor(v: unknown, where: string): Descriptor {
  if (!isObj(v) || typeof v.digest !== 'string' || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(v.digest)) {
    throw new SourceError('corrupt', where, `has a descriptor without a valid digest`);
  }
  // OCI descriptors: "size" is REQUIRED, an int64 of the blob's bytes; no blob an image
  // refers to (manifest, config, layer) is empty.
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size <= 0) {
    throw new SourceError('corrupt', where, `the descriptor of blob ${v.digest.slice(0, 80)} has size ${JSON.stringify(v.size) ?? 'missing'}, which no blob of an image can have`);
  }
  const p = isObj(v.platform) ? v.platform : undefined;
  return {
    mediaType: typeof v.mediaType === 'string' ? v.mediaType : undefined,
    digest: v.digest,
    size: v.size,
    platform: p && typeof p.os === 'string' && typeof p.architecture === 'string'
      ? { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) }
      : undefined,
    annotations: isObj(v.annotations) ? (v.annotations as Record<string, string>) : undefined,
  };
}

/** Reads an index (OCI index or Docker manifest list): its `manifests`. */
export function parseIndex(raw: unknown, where: string): Descriptor[] {
  if (!isObj(raw) || !Array.isArray(raw.manifests)) throw new SourceError('corrupt', where, `not an image index (no "manifests")`);
  return raw.manifests.map((m) => toDescriptor(m, where));
}

/** Reads an image manifest (OCI or Docker v2 schema 2). */
export function parseManifest(raw: unknown, where: string): ImageManifest {
  if (!isObj(raw) || !isObj(raw.config) || !Array.isArray(raw.layers)) {
    if (isObj(raw) && raw.schemaVersion === 1) throw new SourceError('unsupported-format', where, `a Docker schema 1 manifest, which is deprecated and not supported`);
    throw new SourceError('corrupt', where, `not an image manifest (no "config" or "layers")`);
  }
  return {
    mediaType: typeof raw.mediaType === 'string' ? raw.mediaType : undefined,
    config: toDescriptor(raw.config, where),
    layers: raw.layers.map((l) => toDescriptor(l, where)),
  };
}

/** True when a parsed JSON document is an index rather than a manifest. */
export function looksLikeIndex(raw: unknown): boolean {
  return isObj(raw) && (isIndexMediaType(raw.mediaType as string | undefined) || (Array.isArray(raw.manifests) && !Array.isArray(raw.layers)));
}

/**
 * Walks from a list of descriptors (an index's `manifests`) down to one image manifest:
 * nested indexes are followed, and among several platform-specific manifests one is chosen by
 * `platform` (see `selectPlatform`). Several untagged images without platforms are ambiguous.
 *
 * @param fetchJson reads the JSON a descriptor points at (blob file, registry GET…).
 * @returns the manifest, its descriptor, the platform it was chosen for, and the descriptors it
 *   was chosen among (`siblings`: where an index keeps the attestations of its images).
 */
export async function resolveToManifest(
  descs: readonly Descriptor[],
  platform: Platform | undefined,
  what: string,
  fetchJson: (d: Descriptor) => Promise<unknown>,
  depth = 0,
): Promise<{ descriptor: Descriptor; manifest: ImageManifest; platform?: Platform; siblings: readonly Descriptor[] }> {
  if (depth > 8) throw new SourceError('corrupt', what, `image indexes nest too deep`);
  if (descs.length === 0) throw new SourceError('not-found', what, `holds no images`);
  let chosen: Descriptor;
  if (descs.length === 1) chosen = descs[0]!;
  else if (descs.some((d) => d.platform)) chosen = selectPlatform(descs, platform, what);
  else {
    const refs = descs.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
    throw new SourceError('not-found', what, `holds ${descs.length} images; name one with :REF (refs: ${refs.length ? refs.join(', ') : 'none'})`);
  }
  const raw = await fetchJson(chosen);
  if (isIndexMediaType(chosen.mediaType) || looksLikeIndex(raw)) {
    return resolveToManifest(parseIndex(raw, `${what}: index ${chosen.digest}`), platform, what, fetchJson, depth + 1);
  }
  const manifest = parseManifest(raw, `${what}: manifest ${chosen.digest}`);
  return { descriptor: chosen, manifest, platform: chosen.platform, siblings: descs };
}

/**
 * Checks that a blob has the size its descriptor gives: SourceError('digest-mismatch') naming the
 * blob otherwise.
 */
export function checkBlobSize(d: Descriptor, actual: number, where: string): void {
  if (d.size !== actual) throw new SourceError('digest-mismatch', where, `blob ${d.digest.slice(0, 19)}… is ${actual} bytes but its descriptor says ${d.size}; refusing the image`);
}
