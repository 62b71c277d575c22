import { SourceError } from '../errors/index.js';
import { formatPlatform, platformMatches, formatReference, type ImageReference, type Transport } from '../reference/index.js';
import { dockerArchiveSource } from './docker-archive/index.js';
import type { ImageSource, OpenedImage } from './image-source.js';
import { ociArchiveSource } from './oci-archive/index.js';
import { ociLayoutSource } from './oci-layout/index.js';
import type { SourceSettings } from './settings.js';

/**
 * The explicit table from transport to source (no self-registration). Local-file sources are
 * values here; the network ones load on first use, so a run on a local file starts without
 * them. Every entry resolves to a value that satisfies `ImageSource` for its transport.
 */
export const SOURCES: { readonly [T in Transport]: () => Promise<ImageSource<T>> } = {
  'docker-archive': async () => dockerArchiveSource,
  'oci-archive': async () => ociArchiveSource,
  oci: async () => ociLayoutSource,
  docker: async () => (await import('./registry/index.js')).registrySource,
  'docker-daemon': async () => (await import('./docker-daemon/index.js')).daemonSource,
  containerd: async () => (await import('./containerd/index.js')).containerdSource,
  bare: async () => (await import('./bare/index.js')).bareSource,
};

/** The source for a transport. */
export function sourceFor<T extends Transport>(transport: T): Promise<ImageSource<T>> {
  return (SOURCES[transport] as () => Promise<ImageSource<T>>)();
}

/**
 * Opens an image through the source its reference names. The layers of the result are in
 * manifest order. Throws SourceError('platform-mismatch') when a single-platform image is not
 * the platform asked for (rather than showing the wrong platform's image as the one asked for).
 */
export async function openImage(ref: ImageReference, settings: SourceSettings): Promise<OpenedImage> {
  settings.signal?.throwIfAborted();
  const source = await sourceFor(ref.transport);
  const image = await (source.open as (r: ImageReference, s: SourceSettings) => Promise<OpenedImage>)(ref, settings);
  const have = image.identity.platform;
  if (settings.platform !== undefined && have !== undefined && !platformMatches(settings.platform, have)) {
    await image.close();
    throw new SourceError('platform-mismatch', formatReference(ref), `a ${formatPlatform(have)} image, not ${formatPlatform(settings.platform)}`);
  }
  return image;
}

/**
 * The image names a transport can list (a daemon's tagged images; none for the others), for
 * completing a name as it is typed. `settings.signal` bounds the wait; a transport that cannot
 * list, or a daemon that does not answer, gives none.
 */
export async function imageNames(transport: Transport, settings: SourceSettings): Promise<readonly string[]> {
  const source = await sourceFor(transport);
  return source.names ? source.names(settings).catch(() => []) : [];
}
