import { SourceError } from '../errors.js';
import type { OpenedImage } from '../image-source.js';
import type { SourceSettings } from '../settings.js';

/**
 * Opens `NAME[:TAG|@DIGEST]` from a registry (OCI distribution API). Layers are streamed
 * (`LayerHandle.blob.kind === 'stream'`) and verified against their digests while read.
 */
export async function openRegistryImage(name: string, _settings: SourceSettings): Promise<OpenedImage> {
  throw new SourceError('unsupported-format', `docker://${name}: pulling from a registry is not available in this build`);
}
