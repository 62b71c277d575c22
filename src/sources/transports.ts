import type { ImageReference } from '../reference/reference.js';
import { openDockerArchive, openOciArchive, openOciDir } from './files.js';
import type { OpenedImage } from './image-source.js';
import type { SourceSettings } from './settings.js';
import { formatReference } from '../reference/reference.js';
import { SourceError } from '../errors/index.js';
import { parsePlatform, platformMatches } from './platform.js';

/**
 * The explicit table from transport to adapter (no self-registration). Each adapter returns an
 * OpenedImage whose layers are in manifest order.
 */
export async function openImage(ref: ImageReference, settings: SourceSettings): Promise<OpenedImage> {
  const image = await openByTransport(ref, settings);
  // A source with one image ignores --platform while choosing; refuse rather than show the
  // wrong platform's image as the one asked for.
  const have = image.identity.platform;
  if (settings.platform !== undefined && have !== undefined && !platformMatches(parsePlatform(settings.platform), parsePlatform(have))) {
    await image.close();
    throw new SourceError('platform-mismatch', formatReference(ref), `a ${have} image, not ${settings.platform}`);
  }
  return image;
}

async function openByTransport(ref: ImageReference, settings: SourceSettings): Promise<OpenedImage> {
  switch (ref.transport) {
    case 'docker-archive':
      return openDockerArchive(ref.path, ref.ref, formatReference(ref), settings);
    case 'oci-archive':
      return openOciArchive(ref.path, ref.ref, formatReference(ref), settings);
    case 'oci':
      return openOciDir(ref.path, ref.ref, formatReference(ref), settings);
    // Network adapters load only when used: a run on a local file starts faster without them.
    case 'docker':
      return (await import('./registry/index.js')).openRegistryImage(ref.name, settings);
    case 'docker-daemon':
      return (await import('./docker-daemon/index.js')).openDaemonImage(ref.name, settings);
    case 'bare':
      return (await import('./resolve-bare.js')).openBare(ref.value, settings);
  }
}
