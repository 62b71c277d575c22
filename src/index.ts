/**
 * inspect-tui as a library: the same lifecycle and figures as the CLI, for other Node tools —
 * inspecting an image, comparing two, findings, path rules, packages and every report format.
 *
 * ```js
 * import { inspectImage, toJsonExport } from 'inspect-tui';
 * const a = await inspectImage('docker-archive:./img.tar');
 * console.log(a.efficiency, a.wastedBytes, toJsonExport(a).summary);
 * ```
 *
 * Nothing here prints, exits or loads the inspector's UI.
 */
import { existsSync } from 'node:fs';
import { createCaches, defaultCacheDir } from './cache/index.js';
import { compilePathGlob, summarize, type Analysis, type ImageComparison, type PathMatcher, type PathRules, type RuleResult } from './core/index.js';
import { loadComparison, loadImage, type LoadEvent, type LoadOptions } from './load/index.js';
import { parsePlatform } from './reference/platform.js';
import { parseReference, type ImageReference } from './reference/reference.js';
import type { CiOutcome } from './report/ci-result.js';
import { REPORT_FORMATS, reportFormat, type ReportFormat } from './report/formats.js';
import { comparisonPage, imageView, readPageClient, renderHtmlReport, type PageImage } from './report/html/index.js';
import type { SourceSettings } from './sources/settings.js';
import { UsageError } from './errors/index.js';
import type { DiffRuleResult } from './core/index.js';

export type { Analysis, AnalysisSummary, LayerSummary, InefficientFile, Reclaimable, ChangeCounts, ImageIdentity, ImageConfig, LayerEntry, Platform } from './core/index.js';
export type { FileTree, FileEvent, ChangeCode } from './core/index.js';
export { Change } from './core/index.js';
export { evaluateRules, DEFAULT_RULES } from './core/index.js';
export { findFindings } from './core/index.js';
export type { Finding, FindingKind, FindingsOptions } from './core/index.js';
export type { RuleName, RuleResult, RuleSettings } from './core/index.js';
export { toExportV1 as toJsonExport, toDiveExport } from './report/json-export.js';
export type { ExportV1, DiveExport } from './report/json-export.js';
export { SourceError, UsageError, BugError } from './errors/index.js';
export type { SourceErrorKind } from './errors/index.js';
export type { LoadEvent } from './load/index.js';
export type { ImageReference } from './reference/reference.js';
export { parseReference, formatReference } from './reference/reference.js';
export { parsePlatform, formatPlatform } from './reference/platform.js';
export { summarize, guessBaseLayers } from './core/index.js';
export type { ImageComparison, AlignedLayer, PathDiff, PathChange, ChangedAspect, ComparisonTotals, Side } from './core/index.js';
export { evaluateDiffRules } from './core/index.js';
export type { DiffRuleSettings, DiffRuleResult, DiffRuleName, GrowthLimit } from './core/index.js';
export { toDiffExport } from './report/diff-report.js';
export type { DiffExportV1 } from './report/diff-report.js';
export { evaluatePathRules, evaluateLayerCount, withoutIgnored, compilePathGlob } from './core/index.js';
export type { PathRules, PathRuleResult, PathRuleName, Offender, IgnoredFigures, PathMatcher } from './core/index.js';
export { compareVersions, packageFileKind, PACKAGE_MANAGERS } from './packages/index.js';
export type { Package, PackageRef, PackageChange, PackageManager, LayerPackages, ImagePackages, PackageFileKind } from './packages/index.js';
export type { ReportFormat } from './report/formats.js';

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
};

/**
 * Reads and analyses one image, from any source the CLI reads (`docker-archive:PATH`,
 * `oci:DIR`, `oci-archive:PATH`, `docker-daemon:NAME`, `docker://NAME`, or a bare path or
 * name), and resolves to the analysis: the same figures as `inspect-tui --json` (pass it to
 * `toJsonExport` for that JSON, or to `evaluateRules` for the CI verdict), plus the merged
 * filesystems (`tree`). The image is closed before the promise resolves.
 *
 * Rejects with SourceError (the image cannot be read: `kind`, `subject`, `reason`; a layer whose
 * bytes contradict its digest is `digest-mismatch`) or UsageError (a malformed reference or option).
 *
 * @example
 * const a = await inspectImage('docker-archive:./img.tar', { platform: 'linux/amd64' });
 * console.log(a.efficiency, a.wastedBytes);
 * const failed = evaluateRules(a, DEFAULT_RULES).filter((r) => r.status === 'fail');
 * const findings = findFindings(a); // which layer wasted what, and how to fix it
 */
export async function inspectImage(reference: string | ImageReference, options: InspectOptions = {}): Promise<Analysis> {
  const ref = typeof reference === 'string' ? parseReference(reference, existsSync) : reference;
  const loaded = await loadImage(ref, loadOptionsOf(options));
  try {
    await loaded.verified;
  } finally {
    await loaded.close();
  }
  return loaded.analysis;
}

/** The lifecycle's options from the library's. */
function loadOptionsOf(options: InspectOptions, platform = options.platform): LoadOptions {
  const env = options.env ?? process.env;
  const cacheDir = options.cache === false ? undefined : typeof options.cache === 'string' ? options.cache : defaultCacheDir(env);
  const settings: SourceSettings = {
    platform: platform === undefined ? undefined : parsePlatform(platform),
    forceSource: options.source,
    registry: { caCertFiles: [], insecure: false, ...options.registry },
    env,
    stdin: options.stdin,
    verify: options.verify,
    namespace: options.namespace,
  };
  return { settings, caches: cacheDir === undefined ? undefined : createCaches(cacheDir), signal: options.signal, onEvent: options.onEvent };
}

/** Options of `compareImages`: those of `inspectImage` for both images, and a platform for one side. */
export type CompareOptions = InspectOptions & {
  /** OLD's platform. @default `platform` */
  readonly oldPlatform?: string;
  /** NEW's platform. @default `platform` */
  readonly newPlatform?: string;
};

/** Two analysed images and how NEW differs from OLD. */
export type Comparison = {
  readonly old: Analysis;
  readonly new: Analysis;
  /** The layers aligned by diffID, every path added, removed or modified, the totals with their deltas. */
  readonly comparison: ImageComparison;
};

/**
 * Compares two images, from any sources (`inspect-tui diff OLD NEW`): both are read and
 * analysed, layers are aligned by diffID, and bodies are hashed where sizes alone cannot tell
 * whether a path changed. Both images are verified and closed before the promise resolves.
 * Rejects as `inspectImage` does, naming `OLD` or `NEW` first in the error's subject.
 *
 * @example
 * const { comparison } = await compareImages('docker-archive:v1.tar', 'docker-archive:v2.tar');
 * console.log(comparison.totals.sizeBytes.delta); // bytes NEW adds
 * const verdict = evaluateDiffRules(comparison, { highestSizeIncrease: { bytes: 20e6 } });
 */
export async function compareImages(oldRef: string | ImageReference, newRef: string | ImageReference, options: CompareOptions = {}): Promise<Comparison> {
  const ref = (r: string | ImageReference) => (typeof r === 'string' ? parseReference(r, existsSync) : r);
  const loaded = await loadComparison(ref(oldRef), ref(newRef), { old: loadOptionsOf(options, options.oldPlatform ?? options.platform), new: loadOptionsOf(options, options.newPlatform ?? options.platform) });
  try {
    await loaded.verified;
  } finally {
    await loaded.close();
  }
  return { old: loaded.old.analysis, new: loaded.new.analysis, comparison: loaded.comparison };
}

/** Path rules as `.dive-ci` writes them under `paths:`: globs over absolute paths, sizes in bytes. */
export type PathRulesConfig = {
  /** Left out of every figure and rule (see `withoutIgnored`). */
  readonly ignore?: readonly string[];
  /** Fail when a matching path is in the final filesystem. */
  readonly block?: readonly string[];
  /** Fail when wasted bytes fall under a matching path. */
  readonly denyWaste?: readonly string[];
  /** Fail when a final file is larger (bytes). */
  readonly maxFileSize?: number;
  /** Fail when the image has more layers. */
  readonly maxLayerCount?: number;
};

/** One matcher for a list of globs, each absolute and compiled as the CLI compiles `paths:` globs. */
function matcherOf(globs: readonly string[] | undefined, key: string): PathMatcher | undefined {
  if (!globs || globs.length === 0) return undefined;
  const ms = globs.map((g, i) => {
    if (typeof g !== 'string' || !(g.startsWith('/') || g.startsWith('**'))) throw new UsageError(`paths.${key}[${i}]: "${String(g)}" is not an absolute glob (start it with / or **)`);
    try {
      return compilePathGlob(g);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      throw new UsageError(`paths.${key}[${i}]: "${g}" is not supported: ${e.reason}`, { cause: e });
    }
  });
  return ms.length === 1 ? ms[0] : (p) => ms.some((m) => m(p));
}

/**
 * Compiles path rules as `.dive-ci` writes them under `paths:` (picomatch globs over absolute
 * paths, `**` crossing directories, matched directory by directory as the CLI matches them).
 * `ignore` is returned apart: it changes the figures (`withoutIgnored`), it is no verdict.
 * Throws UsageError naming the rule and the glob for one that is not absolute or cannot be
 * matched directory by directory.
 *
 * @example
 * const { ignore, rules } = compilePathRules({ block: ['**\/*.pem'], maxFileSize: 100_000_000 });
 * const results = evaluatePathRules(analysis, rules); // [{ name: 'paths.block', status, offenders }, …]
 */
export function compilePathRules(config: PathRulesConfig): { readonly ignore?: PathMatcher; readonly rules: PathRules } {
  const ignore = matcherOf(config.ignore, 'ignore');
  const rules: PathRules = { block: matcherOf(config.block, 'block'), denyWaste: matcherOf(config.denyWaste, 'denyWaste'), maxFileSize: config.maxFileSize, maxLayerCount: config.maxLayerCount };
  return ignore ? { ignore, rules } : { rules };
}

/** An image as a report shows it: analysed (with the rules evaluated on it, if any), or unreadable with the reason. */
export type ReportImage = { readonly analysis: Analysis; readonly rules?: readonly RuleResult[] } | { readonly reference: string; readonly error: string };

/** Every format `renderReport` writes, as `--report FORMAT` names them. */
export const REPORT_FORMAT_NAMES: readonly ReportFormat[] = REPORT_FORMATS.map((f) => f.name);

/**
 * Renders one report of one or more images in a format of `--report` (`REPORT_FORMAT_NAMES`:
 * markdown, junit, sarif, github, codequality, html): the same text the CLI writes for the same
 * images and rule results. Pure apart from reading the HTML page's script from the package.
 *
 * @example
 * const a = await inspectImage('docker-archive:img.tar');
 * const sarif = renderReport('sarif', [{ analysis: a, rules: evaluateRules(a, DEFAULT_RULES) }], { version: '1.0.0' });
 * const page = renderReport('html', [{ analysis: a }]); // one self-contained page
 */
export function renderReport(format: ReportFormat, images: readonly ReportImage[], options: { readonly version?: string } = {}): string {
  const row = reportFormat(format);
  if (!row) throw new UsageError(`no report format "${format}" (formats: ${REPORT_FORMAT_NAMES.join(', ')})`);
  const outcomes: CiOutcome[] = [];
  const pages: PageImage[] = [];
  for (const img of images) {
    if ('analysis' in img) {
      const summary = summarize(img.analysis);
      outcomes.push({ kind: 'analysed', summary, ...(img.rules ? { rules: img.rules } : {}) });
      if (row.needsTree) pages.push(imageView(img.analysis, summary, img.rules ? { rules: img.rules } : {}));
    } else {
      outcomes.push({ kind: 'unreadable', reference: img.reference, message: img.error });
      pages.push({ kind: 'unreadable', reference: img.reference, message: img.error });
    }
  }
  return row.render(outcomes, { version: options.version ?? '0.0.0', pages });
}

/**
 * The comparison as the self-contained HTML page `inspect-tui diff --report html=FILE` writes:
 * a treemap of the size changes, the largest changes, the aligned layers and changed paths.
 *
 * @example
 * const c = await compareImages('old.tar', 'new.tar');
 * writeFileSync('diff.html', renderComparisonReport(c, { rules: evaluateDiffRules(c.comparison, { lowestEfficiency: 0.9 }) }));
 */
export function renderComparisonReport(c: Comparison, options: { readonly rules?: readonly DiffRuleResult[]; readonly version?: string } = {}): string {
  return renderHtmlReport(comparisonPage(c.comparison, { rules: options.rules, tool: `inspect-tui ${options.version ?? ''}`.trim() }), readPageClient());
}
