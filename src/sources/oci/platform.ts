import { SourceError } from '../../errors/index.js';
import { formatPlatform, hostPlatform, platformMatches, type Platform } from '../../reference/index.js';

/**
 * Picks the entry for a platform from an index's manifests. With an explicit `wanted`, only an
 * exact match is accepted; by default the host's platform is tried, then linux/amd64. Entries
 * without a platform (attestations, `unknown/unknown`) are never chosen when others exist.
 * Throws SourceError('platform-mismatch') listing the platforms present when nothing matches.
 *
 * @param what names the image in the message, e.g. `oci-archive:./img.tar`.
 */
export function selectPlatform<T extends { platform?: Platform }>(entries: readonly T[], wanted: Platform | undefined, what: string): T {
  const candidates = entries.filter((e) => e.platform && e.platform.os !== 'unknown');
  const present = () => (candidates.length === 0 ? 'none' : candidates.map((e) => formatPlatform(e.platform!)).join(', '));
  if (wanted !== undefined) {
    const hit = candidates.find((e) => platformMatches(wanted, e.platform!));
    if (hit) return hit;
    throw new SourceError('platform-mismatch', what, `has no image for platform ${formatPlatform(wanted)} (present: ${present()})`);
  }
  if (candidates.length === 0 && entries.length > 0) return entries[0]!;
  for (const p of [hostPlatform(), { os: 'linux', architecture: 'amd64' }]) {
    const hit = candidates.find((e) => platformMatches(p, e.platform!));
    if (hit) return hit;
  }
  if (candidates.length === 1) return candidates[0]!;
  throw new SourceError('platform-mismatch', what, `has no image for ${formatPlatform(hostPlatform())} or linux/amd64; choose one with --platform (present: ${present()})`);
}
