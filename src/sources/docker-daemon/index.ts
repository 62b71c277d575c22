import { SourceError } from '../errors.js';
import type { OpenedImage } from '../image-source.js';
import type { SourceSettings } from '../settings.js';

/** Opens `NAME[:TAG]` or an image ID from a Docker Engine API (Docker or Podman). */
export async function openDaemonImage(name: string, _settings: SourceSettings): Promise<OpenedImage> {
  throw new SourceError('daemon-unavailable', `docker-daemon:${name}: reading from a daemon is not available in this build`);
}
