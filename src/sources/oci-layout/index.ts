import type { LayerDescriptor } from '../../core/index.js';
import { SourceError } from '../../errors/index.js';
import { type Platform, formatReference } from '../../reference/index.js';
import type { ImageSource, OpenedImage } from '../image-source.js';
import { statOrFail } from '../oci/archive-file.js';
import { blobPath, openDirBundle, readVerifiedBlob, type Bundle } from '../oci/bundle.js';
import { checkLayerCount, configPlatform, parseImageConfig, parseJson } from '../oci/config.js';
import { createLayerHandle, shortDigest } from '../oci/layer-handle.js';
import { CONFIG_CAP, MANIFEST_CAP } from '../oci/limits.js';
import { readProvenance } from '../oci/attestation.js';
import { checkBlobSize, parseIndex, REF_NAME, resolveToManifest, type Descriptor } from '../oci/manifest.js';

/** How to pick an image from a layout, and how to name it. */
export type LayoutSelection = {
  /** Matched against `org.opencontainers.image.ref.name`, also as the part after a `:`. */
  readonly ref?: string;
  readonly platform?: Platform;
  /** How the user named it, for the identity (`oci:./dir:tag`). */
  readonly reference: string;
  /** The transport that found the layout (`oci`, `oci-archive`, `bare`…), for the identity. */
  readonly source: string;
};

export { blobPath } from '../oci/bundle.js';

/**
 * Opens an OCI image layout held in a bundle (a directory or an oci-archive tar):
 * index.json → (nested) index → manifest, chosen by `sel.ref` and `sel.platform`.
 */
export async function openOciLayoutBundle(bundle: Bundle, sel: LayoutSelection): Promise<OpenedImage> {
  const { ref, platform, reference, source } = sel;
  const label = bundle.label;
  if (!bundle.has('index.json')) throw new SourceError('unsupported-format', label, `not an OCI image layout (no index.json)`);
  const verify = (d: Descriptor, cap: number) => readVerifiedBlob(bundle, d, cap);

  const index = parseIndex(parseJson(await bundle.readSmall('index.json', MANIFEST_CAP), `${label}: index.json`), `${label}: index.json`);
  let top = index;
  if (ref !== undefined) {
    const hits = top.filter((d) => {
      const n = d.annotations?.[REF_NAME];
      return n === ref || (n !== undefined && n.includes(':') && n.slice(n.lastIndexOf(':') + 1) === ref);
    });
    if (hits.length === 0) {
      const names = top.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
      throw new SourceError('not-found', label, `has no image named "${ref}" (refs: ${names.length ? names.join(', ') : 'none'})`);
    }
    top = hits;
  }
  const { descriptor, manifest, platform: chosenPlatform, siblings } = await resolveToManifest(top, platform, label, async (d) =>
    parseJson(await verify(d, MANIFEST_CAP), `${label}: ${blobPath(d.digest)}`),
  );
  const configBytes = await verify(manifest.config, CONFIG_CAP);
  const rawConfig = parseJson(configBytes, `${label}: config ${manifest.config.digest}`);
  const config = parseImageConfig(rawConfig, `${label}: config ${manifest.config.digest}`);
  checkLayerCount(label, 'the manifest', manifest.layers.length, config);
  const layers = manifest.layers.map((d, i) => {
    const p = blobPath(d.digest);
    if (!bundle.has(p)) throw new SourceError('not-found', label, `the manifest names layer ${d.digest}, which the layout lacks`);
    const member = bundle.layer(p);
    checkBlobSize(d, member.size, `${label}: layer ${i}`);
    const descriptor: LayerDescriptor = { digest: d.digest, diffId: config.diffIds[i], mediaType: d.mediaType, compressedSize: d.size };
    return createLayerHandle(descriptor, member, `${label}: layer ${i} (${shortDigest(d.digest)})`);
  });
  const plat = chosenPlatform ?? configPlatform(config);
  return {
    identity: { reference, source, platform: plat, digest: descriptor.digest, configDigest: manifest.config.digest },
    config,
    rawConfig,
    layers,
    // Chosen from index.json itself: its attestations are there too, whatever the ref picked.
    provenance: () => readProvenance(siblings === top ? index : siblings, { digest: descriptor.digest, manifest }, verify, verify, label),
    close: () => bundle.close(),
  };
}

/** `oci:DIR[:REF]`: an OCI image layout directory. */
export const ociLayoutSource: ImageSource<'oci'> = {
  transport: 'oci',
  async open(ref, settings) {
    const s = await statOrFail(ref.path);
    if (!s.isDirectory()) throw new SourceError('unsupported-format', ref.path, `not a directory (use oci-archive:${ref.path} for a tar of an OCI layout)`);
    return openOciLayoutBundle(await openDirBundle(ref.path), { ref: ref.ref, platform: settings.platform, reference: formatReference(ref), source: 'oci' });
  },
};
