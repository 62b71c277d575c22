import type { LayerDescriptor } from '../../core/index.js';
import { manifestReference, parseDockerReference, formatDockerReference, formatPlatform, type Platform } from '../../reference/index.js';
import { SourceError } from '../../errors/index.js';
import type { ImageSource, LayerHandle, OpenedImage } from '../image-source.js';
import { checkLayerCount, configPlatform, parseImageConfig, parseJson, sha256Digest } from '../oci/config.js';
import { shortDigest } from '../oci/layer-handle.js';
import { CONFIG_CAP, MANIFEST_CAP } from '../oci/limits.js';
import { MEDIA, checkBlobSize, isIndexMediaType, looksLikeIndex, parseIndex, parseManifest, resolveToManifest, type Descriptor } from '../oci/manifest.js';
import type { SourceSettings } from '../settings.js';
import { readProvenance } from '../oci/attestation.js';
import { VerifiedBlob, digestHasher, readVerifiedLayer } from './blob.js';
import { DEFAULT_TUNING, RegistryClient, type RegistryTuning } from './client.js';

const ACCEPT_MANIFESTS = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

function verifyDigest(data: Buffer, digest: string, what: string): void {
  const h = digestHasher(digest, what);
  const actual = `${digest.slice(0, digest.indexOf(':'))}:${h.update(data).digest('hex')}`;
  if (actual !== digest) throw new SourceError('digest-mismatch', what, `does not match its digest ${shortDigest(digest)}; refusing the image`);
}


/**
 * Opens `NAME[:TAG|@DIGEST]` from a registry (OCI distribution API). Layers are streamed
 * (`LayerHandle.blob.kind === 'stream'`) and verified against their digests while read.
 * Throws UsageError for a malformed reference and SourceError ('auth-required', 'not-found',
 * 'network', 'digest-mismatch', …) naming the reference otherwise. `close` releases connections.
 */
export async function openRegistryImage(name: string, settings: SourceSettings): Promise<OpenedImage> {
  return openRegistryImageTuned(name, settings, DEFAULT_TUNING);
}

/** `openRegistryImage` with explicit retry and timeout knobs (tests use short ones). */
export async function openRegistryImageTuned(name: string, settings: SourceSettings, tuning: RegistryTuning): Promise<OpenedImage> {
  const ref = parseDockerReference(name);
  const client = new RegistryClient(ref, settings, tuning);
  try {
    return await open(client, settings);
  } catch (e) {
    client.close();
    throw e;
  }
}

async function open(client: RegistryClient, settings: SourceSettings): Promise<OpenedImage> {
  const { ref, what } = client;
  await client.connect();
  const repo = `/v2/${ref.path}`;
  const fetchManifest = async (reference: string, label: string, cap = MANIFEST_CAP) => {
    const { data, res } = await client.getSmall(`${repo}/manifests/${reference}`, { Accept: ACCEPT_MANIFESTS }, cap, label);
    const contentType = res.header('content-type')?.split(';')[0]?.trim();
    return { data, contentType, headerDigest: res.header('docker-content-digest') };
  };

  const top = await fetchManifest(manifestReference(ref), ref.digest ? `manifest ${shortDigest(ref.digest)}` : `tag "${ref.tag}"`);
  if (ref.digest) verifyDigest(top.data, ref.digest, `${what}: the manifest`);
  else if (top.headerDigest?.startsWith('sha256:') && sha256Digest(top.data) !== top.headerDigest) {
    throw new SourceError('digest-mismatch', what, `the manifest does not match the digest the registry gives for it (${shortDigest(top.headerDigest)}); refusing the image`);
  }
  const topDigest = ref.digest ?? sha256Digest(top.data);
  const topRaw = parseJson(top.data, `${what}: manifest`);

  let chosen: { descriptor: Descriptor; manifest: ReturnType<typeof parseManifest>; platform?: Platform; siblings: readonly Descriptor[] };
  if (isIndexMediaType(top.contentType) || looksLikeIndex(topRaw)) {
    settings.onStage?.(`${what}: choosing ${settings.platform ? formatPlatform(settings.platform) : 'the platform'} from the index`);
    chosen = await resolveToManifest(parseIndex(topRaw, `${what}: index`), settings.platform, what, async (d) => {
      const m = await fetchManifest(d.digest, `manifest ${shortDigest(d.digest)}`);
      checkBlobSize(d, m.data.length, `${what}: manifest ${shortDigest(d.digest)}`);
      verifyDigest(m.data, d.digest, `${what}: manifest ${shortDigest(d.digest)}`);
      return parseJson(m.data, `${what}: manifest ${shortDigest(d.digest)}`);
    });
  } else {
    const manifest = parseManifest(topRaw, `${what}: manifest`);
    chosen = { descriptor: { digest: topDigest, size: top.data.length, mediaType: manifest.mediaType }, manifest, siblings: [] };
  }
  const { manifest } = chosen;

  const configLabel = `config ${shortDigest(manifest.config.digest)}`;
  const { data: configBytes } = await client.getSmall(`${repo}/blobs/${manifest.config.digest}`, {}, CONFIG_CAP, configLabel);
  checkBlobSize(manifest.config, configBytes.length, `${what}: the ${configLabel}`);
  verifyDigest(configBytes, manifest.config.digest, `${what}: the ${configLabel}`);
  const rawConfig = parseJson(configBytes, `${what}: ${configLabel}`);
  const config = parseImageConfig(rawConfig, `${what}: ${configLabel}`);
  checkLayerCount(what, 'the manifest', manifest.layers.length, config);

  const layers = manifest.layers.map((d, i): LayerHandle => {
    const label = `${what}: layer ${i} (${shortDigest(d.digest)})`;
    const descriptor: LayerDescriptor = { digest: d.digest, diffId: config.diffIds[i], mediaType: d.mediaType, compressedSize: d.size };
    const blobOf = (signal?: AbortSignal) =>
      new VerifiedBlob({
        digest: d.digest,
        size: d.size > 0 ? d.size : undefined,
        label,
        idleMs: client.tuning.idleMs,
        maxResumes: client.tuning.maxResumes,
        backoff: client.tuning,
        signal,
        fetch: (from) => client.get(`${repo}/blobs/${d.digest}`, from > 0 ? { Range: `bytes=${from}-` } : {}, `layer ${i} (${shortDigest(d.digest)})`, from > 0 ? [416] : [], signal),
      });
    return {
      descriptor,
      blob: { kind: 'stream', open: async () => blobOf().toReadable(), length: d.size > 0 ? d.size : undefined },
      // The download checks the blob against its digest as it goes, and stops at once on abort.
      read: (opts) => {
        const signal = opts?.signal ?? settings.signal;
        return readVerifiedLayer(blobOf(signal), d, label, { ...opts, signal });
      },
    };
  });

  const platform = chosen.platform ?? configPlatform(config);
  return {
    identity: {
      reference: `docker://${formatDockerReference(ref)}`,
      source: 'docker',
      platform,
      digest: chosen.descriptor.digest,
      configDigest: manifest.config.digest,
    },
    config,
    rawConfig,
    layers,
    provenance: () =>
      readProvenance(
        chosen.siblings,
        { digest: chosen.descriptor.digest, manifest },
        async (d, cap) => {
          const m = await fetchManifest(d.digest, `attestation ${shortDigest(d.digest)}`, cap);
          checkBlobSize(d, m.data.length, `${what}: attestation ${shortDigest(d.digest)}`);
          verifyDigest(m.data, d.digest, `${what}: attestation ${shortDigest(d.digest)}`);
          return m.data;
        },
        async (d, cap) => {
          const { data } = await client.getSmall(`${repo}/blobs/${d.digest}`, {}, cap, `provenance ${shortDigest(d.digest)}`);
          checkBlobSize(d, data.length, `${what}: provenance ${shortDigest(d.digest)}`);
          verifyDigest(data, d.digest, `${what}: provenance ${shortDigest(d.digest)}`);
          return data;
        },
        what,
      ),
    close: async () => client.close(),
  };
}

/** `docker://NAME[:TAG|@DIGEST]`: a registry, pulled directly (see `openRegistryImage`). */
export const registrySource: ImageSource<'docker'> = {
  transport: 'docker',
  open: (ref, settings) => openRegistryImage(ref.name, settings),
};
