import { UsageError, SourceError } from '../errors/index.js';

/** An OCI platform, as in an image index's `platform` field. */
export type Platform = { readonly os: string; readonly architecture: string; readonly variant?: string };

/** `linux/arm64/v8` → Platform. Throws UsageError on a malformed string. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new UsageError(`--platform "${s}" is not of the form os/arch[/variant] (for example linux/arm64)`);
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** Node's `process.arch` → OCI architecture names (GOARCH). */
const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The host's platform as images name it; images are linux whatever the host OS. */
export function hostPlatform(arch: string = process.arch): Platform {
  return { os: 'linux', architecture: ARCH[arch] ?? arch };
}

/** Variant rules from containerd's platform matcher: arm64 means v8 when absent. */
function normalizeVariant(p: Platform): string | undefined {
  if (p.architecture === 'arm64' && (p.variant === undefined || p.variant === 'v8')) return undefined;
  return p.variant;
}

export function platformMatches(wanted: Platform, have: Platform): boolean {
  if (wanted.os !== have.os || wanted.architecture !== have.architecture) return false;
  const wv = normalizeVariant(wanted);
  return wv === undefined || wv === normalizeVariant(have);
}

/**
 * Picks the entry for a platform from an index's manifests. With an explicit `wanted`, only an
 * exact match is accepted; by default the host's platform is tried, then linux/amd64. Entries
 * without a platform (attestations, `unknown/unknown`) are never chosen when others exist.
 * Throws SourceError('platform-mismatch') listing the platforms present when nothing matches.
 *
 * @param what names the image in the message, e.g. `oci-archive:./img.tar`.
 */
export function selectPlatform<T extends { platform?: Platform }>(
  entries: readonly T[],
  wanted: string | undefined,
  what: string,
): T {
  const candidates = entries.filter((e) => e.platform && e.platform.os !== 'unknown');
  const present = () =>
    candidates.length === 0 ? 'none' : candidates.map((e) => formatPlatform(e.platform!)).join(', ');
  if (wanted !== undefined) {
    const w = parsePlatform(wanted);
    const hit = candidates.find((e) => platformMatches(w, e.platform!));
    if (hit) return hit;
    throw new SourceError('platform-mismatch', what, `has no image for platform ${wanted} (present: ${present()})`);
  }
  if (candidates.length === 0 && entries.length > 0) return entries[0]!;
  for (const p of [hostPlatform(), { os: 'linux', architecture: 'amd64' }]) {
    const hit = candidates.find((e) => platformMatches(p, e.platform!));
    if (hit) return hit;
  }
  if (candidates.length === 1) return candidates[0]!;
  throw new SourceError('platform-mismatch', what, `has no image for ${formatPlatform(hostPlatform())} or linux/amd64; choose one with --platform (present: ${present()})`,
  );
}
