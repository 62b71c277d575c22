/**
 * inspect-tui as a library: the same lifecycle and figures as the CLI, for other Node tools.
 *
 * ```js
 * import { inspectImage, toJsonExport } from 'inspect-tui';
 * const a = await inspectImage('docker-archive:./img.tar');
 * console.log(a.efficiency, a.wastedBytes, a.packages?.packages.length, toJsonExport(a).summary);
 * ```
 *
 * Nothing here prints, exits or loads the inspector's UI.
 */
import { existsSync } from 'node:fs';
import { createCaches, defaultCacheDir } from './cache/index.js';
import type { Analysis, AnalysisSummary, IgnoredFigures, RuleResult } from './core/index.js';
import { loadImage, type LoadEvent } from './load/index.js';
import type { ImagePackages, PackageSummary } from './packages/index.js';
import { toExportV1, type ExportV1 } from './report/json-export.js';
import { parsePlatform } from './reference/platform.js';
import { parseReference, type ImageReference } from './reference/reference.js';
import type { SourceSettings } from './sources/settings.js';

export type { Analysis, AnalysisSummary, LayerSummary, InefficientFile, Reclaimable, ChangeCounts, ImageIdentity, ImageConfig, LayerEntry, Platform } from './core/index.js';
export type { FileTree, FileEvent, ChangeCode } from './core/index.js';
export { Change } from './core/index.js';
export { evaluateRules, DEFAULT_RULES } from './core/index.js';
export { findFindings } from './core/index.js';
export type { Finding, FindingKind, FindingsOptions } from './core/index.js';
export type { RuleName, RuleResult, RuleSettings } from './core/index.js';
export { toDiveExport } from './report/json-export.js';
export type { ExportV1, DiveExport } from './report/json-export.js';
export { SourceError, UsageError, BugError } from './errors/index.js';
export type { SourceErrorKind } from './errors/index.js';
export type { LoadEvent } from './load/index.js';
export { comparePackages, compareVersions } from './packages/index.js';
export type { ImagePackages, LayerPackages, Package, PackageChange, PackageDiff, PackageManager, PackageRef, PackageSummary, PackageWarning } from './packages/index.js';
export type { ImageReference } from './reference/reference.js';
export { parseReference, formatReference } from './reference/reference.js';
export { parsePlatform, formatPlatform } from './reference/platform.js';

/** Options of `inspectImage`; every one is optional. */
export type InspectOptions = {
  /** `os/arch[/variant]` to pick from a multi-platform image. @default the host's, then linux/amd64 */
  readonly platform?: string;
  /** Where a bare name is looked up (dive's `--source`). @default a file, then the daemon, then the registry */
  readonly source?: SourceSettings['forceSource'];
  /**
   * The analysis cache directory, `true` for the default (`$XDG_CACHE_HOME/inspect-tui`), or
   * `false` to neither read nor write a cache. @default true
   */
  readonly cache?: boolean | string;
  /** Registry credentials and TLS, as the CLI's `--username`/`--password-stdin`/`--ca-cert`/`--insecure`. */
  readonly registry?: Partial<SourceSettings['registry']>;
  /** The environment sources read (DOCKER_HOST, DOCKER_CONFIG, XDG_*). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What the reference `-` reads. */
  readonly stdin?: SourceSettings['stdin'];
  /** Cancels the inspection: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Progress: stages, the opened image, bytes per layer. */
  readonly onEvent?: (event: LoadEvent) => void;
  /**
   * Check every layer's bytes against its digest, diffID and size before resolving; `false`
   * skips that (as `--no-verify`), and then nothing is written to the cache. @default true
   */
  readonly verify?: boolean;
  /** The containerd namespace for `containerd:` images (as `--namespace`). @default $CONTAINERD_NAMESPACE, else default */
  readonly namespace?: string;
  /** Read the package databases (`packages` of the result); `false` skips it, as `--no-packages`. @default true */
  readonly packages?: boolean;
};

/**
 * What `inspectImage` resolves to: the analysis and, beside it, what the image's package
 * databases say (`packages`: the final filesystem's packages, each layer's changes, who owns a
 * path at any layer; undefined with `packages: false`).
 */
export type InspectedImage = Analysis & { readonly packages: ImagePackages | undefined };

/**
 * The versioned JSON export (what `--json` writes; with the rules, what `--ci --json` writes) of
 * an inspected image: its packages are taken from it unless `opts.packages` says otherwise.
 */
export function toJsonExport(a: AnalysisSummary & { readonly packages?: PackageSummary }, rules?: readonly RuleResult[], opts: { ignored?: IgnoredFigures; packages?: PackageSummary } = {}): ExportV1 {
  const packages = opts.packages ?? a.packages;
  return toExportV1(a, rules, { ...opts, packages });
}

/** The analysis with its packages beside it: a new value, the analysis's own findings still derived on first use. */
function withPackages(analysis: Analysis, packages: ImagePackages | undefined): InspectedImage {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(analysis) as (keyof Analysis)[]) if (k !== 'findings') out[k] = analysis[k];
  Object.defineProperty(out, 'findings', { enumerable: true, get: () => analysis.findings });
  out.packages = packages;
  return out as InspectedImage;
}

/**
 * Reads and analyses one image, from any source the CLI reads (`docker-archive:PATH`,
 * `oci:DIR`, `oci-archive:PATH`, `docker-daemon:NAME`, `docker://NAME`, or a bare path or
 * name), and resolves to the analysis: the same figures as `inspect-tui --json` (pass it to
 * `toJsonExport` for that JSON, or to `evaluateRules` for the CI verdict), plus the merged
 * filesystems (`tree`) and the packages (`packages`). The image is closed before the promise resolves.
 *
 * Rejects with SourceError (the image cannot be read: `kind`, `subject`, `reason`; a layer whose
 * bytes contradict its digest is `digest-mismatch`) or UsageError (a malformed reference or option).
 */
export async function inspectImage(reference: string | ImageReference, options: InspectOptions = {}): Promise<InspectedImage> {
  const env = options.env ?? process.env;
  const ref = typeof reference === 'string' ? parseReference(reference, existsSync) : reference;
  const cacheDir = options.cache === false ? undefined : typeof options.cache === 'string' ? options.cache : defaultCacheDir(env);
  const settings: SourceSettings = {
    platform: options.platform === undefined ? undefined : parsePlatform(options.platform),
    forceSource: options.source,
    registry: { caCertFiles: [], insecure: false, ...options.registry },
    env,
    stdin: options.stdin,
    verify: options.verify,
    namespace: options.namespace,
    packages: options.packages,
  };
  const loaded = await loadImage(ref, { settings, caches: cacheDir === undefined ? undefined : createCaches(cacheDir), signal: options.signal, onEvent: options.onEvent });
  try {
    await loaded.verified;
  } finally {
    await loaded.close();
  }
  return withPackages(loaded.analysis, loaded.packages);
}
