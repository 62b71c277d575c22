import type { ImageReference } from '../reference/reference.js';
import { openDockerArchive, openOciArchive, openOciDir } from './files.js';
import type { OpenedImage } from './image-source.js';
import { openDaemonImage } from './docker-daemon/index.js';
import { openRegistryImage } from './registry/index.js';
import { openBare } from './resolve-bare.js';
import type { SourceSettings } from './settings.js';
import { formatReference } from '../reference/reference.js';

/**
 * The explicit table from transport to adapter (no self-registration). Each adapter returns an
 * OpenedImage whose layers are in manifest order.
 */
export async function openImage(ref: ImageReference, settings: SourceSettings): Promise<OpenedImage> {
  switch (ref.transport) {
    case 'docker-archive':
      return openDockerArchive(ref.path, ref.ref, formatReference(ref), settings);
    case 'oci-archive':
      return openOciArchive(ref.path, ref.ref, formatReference(ref), settings);
    case 'oci':
      return openOciDir(ref.path, ref.ref, formatReference(ref), settings);
    case 'docker':
      return openRegistryImage(ref.name, settings);
    case 'docker-daemon':
      return openDaemonImage(ref.name, settings);
    case 'bare':
      return openBare(ref.value, settings);
  }
}
