import { SourceError } from '../../errors/index.js';
import { PROVENANCE_PREDICATE_TYPES } from '../../provenance/index.js';
import type { ImageProvenance } from '../image-source.js';
import { MANIFEST_CAP, PROVENANCE_CAP } from './limits.js';
import { parseManifest, type Descriptor, type ImageManifest } from './manifest.js';

/**
 * Attestations as BuildKit stores them (moby/buildkit docs/attestations/attestation-storage.md):
 * in the image index beside the image manifest, a descriptor annotated
 * `vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest: <the image
 * manifest's digest>` (platform `unknown/unknown`) points at a manifest whose layers are in-toto
 * statements (`application/vnd.in-toto+json`), each annotated with its `in-toto.io/predicate-type`.
 */
export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST = 'attestation-manifest';
export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE = 'in-toto.io/predicate-type';

/** The attestation manifest of the image manifest `manifestDigest` among an index's descriptors, if any. */
export function attestationOf(siblings: readonly Descriptor[], manifestDigest: string): Descriptor | undefined {
  return siblings.find((d) => d.annotations?.[REFERENCE_TYPE] === ATTESTATION_MANIFEST && d.annotations?.[REFERENCE_DIGEST] === manifestDigest);
}

/**
 * Reads a blob a descriptor names, whole: at most `cap` bytes (SourceError('limit-exceeded')
 * past it), checked against the descriptor's size and digest (SourceError('digest-mismatch')).
 * SourceError('not-found') when the source lacks it.
 */
export type BlobReader = (d: Descriptor, cap: number) => Promise<Buffer>;

/**
 * The provenance of an image manifest: its attestation manifest among `siblings`, in it the
 * in-toto layer whose predicate type is SLSA provenance, parsed. Undefined when any of that is
 * missing, too large or not JSON; a blob that contradicts its digest, or a read that fails
 * otherwise, rejects (see `OpenedImage.provenance`).
 *
 * @param readManifest reads a manifest blob (a registry asks for manifests by another path than blobs).
 */
export async function readProvenance(
  siblings: readonly Descriptor[],
  image: { readonly digest: string; readonly manifest: ImageManifest },
  readManifest: BlobReader,
  readBlob: BlobReader,
  what: string,
): Promise<ImageProvenance | undefined> {
  const att = attestationOf(siblings, image.digest);
  if (!att) return undefined;
  const raw = await optional(() => readManifest(att, MANIFEST_CAP));
  if (!raw) return undefined;
  let manifest: ImageManifest;
  try {
    manifest = parseManifest(JSON.parse(raw.toString('utf8')), `${what}: attestation ${att.digest}`);
  } catch {
    return undefined;
  }
  const layer = manifest.layers.find((l) => l.mediaType === IN_TOTO_MEDIA_TYPE && PROVENANCE_PREDICATE_TYPES.includes(l.annotations?.[PREDICATE_TYPE] ?? ''));
  if (!layer) return undefined;
  const bytes = await optional(() => readBlob(layer, PROVENANCE_CAP));
  if (!bytes) return undefined;
  let statement: unknown;
  try {
    statement = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return { statement, manifestDigest: image.digest, layerDigests: image.manifest.layers.map((l) => l.digest) };
}

/** What makes an attestation missing rather than wrong: absent, or past its cap. */
async function optional(read: () => Promise<Buffer>): Promise<Buffer | undefined> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof SourceError && (e.kind === 'not-found' || e.kind === 'limit-exceeded')) return undefined;
    throw e;
  }
}
