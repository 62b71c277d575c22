import type { Platform } from '../core/index.js';
import { UsageError } from '../errors/index.js';

export type { Platform };

/** `linux/arm64/v8` → Platform. Throws UsageError on a malformed string. Parsed once, at the CLI boundary. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new UsageError(`--platform "${s}" is not of the form os/arch[/variant] (for example linux/arm64)`, { subject: '--platform', reason: 'not of the form os/arch[/variant]' });
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** Platform → `os/arch[/variant]`: the one way a platform is written. */
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

/** True when `have` satisfies `wanted` (a wanted platform without a variant accepts any variant). */
export function platformMatches(wanted: Platform, have: Platform): boolean {
  if (wanted.os !== have.os || wanted.architecture !== have.architecture) return false;
  const wv = normalizeVariant(wanted);
  return wv === undefined || wv === normalizeVariant(have);
}
