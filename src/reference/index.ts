/**
 * What the user named: image references with their transport (`docker-archive:`, `registry:`…),
 * Docker-style names (registry, repository, tag, digest) and platforms (`linux/arm64/v8`).
 * Parsing and printing only, no I/O. The only module other folders import from `reference/`.
 */
export {
  parseDockerReference,
  formatDockerReference,
  registryHost,
  manifestReference,
  isLoopbackHost,
  DOCKER_HUB_AUTH_KEY,
  DOCKER_HUB_DOMAIN,
} from './docker-reference.js';
export type { DockerReference } from './docker-reference.js';
export { formatPlatform, parsePlatform, hostPlatform, platformMatches } from './platform.js';
export type { Platform } from './platform.js';
export { parseReference, formatReference, readsStdin, isRemote, fileOf, archiveFileOf, TRANSPORT_FORMS } from './reference.js';
export type { ImageReference, Transport } from './reference.js';
