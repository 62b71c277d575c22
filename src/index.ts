/**
 * inspect-tui as a library: the same lifecycle and figures as the CLI, for other Node tools —
 * inspecting an image, comparing two, findings, path rules, packages and every report format.
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
import * as core from './core/index.js';
import type { Analysis, AnalysisSummary, IgnoredFigures, ImageComparison, PathMatcher, PathRules, RuleResult } from './core/index.js';
import * as packages from './packages/index.js';
import type { ImagePackages, PackageDiff, PackageSummary } from './packages/index.js';
import * as references from './reference/index.js';
import * as reports from './report/index.js';
import { loadComparison, loadImage, summarizePackages, type LoadEvent, type LoadOptions } from './load/index.js';
import type { ImageReference } from './reference/index.js';
import { comparisonPage, imageView, layerSources, packageProvenance, readPageClient, renderHtmlReport, REPORT_FORMATS, reportFormat, type CiOutcome, type ExportV1, type PageImage, type ReportFormat } from './report/index.js';
import type { ImageSources } from './provenance/index.js';
import type { SourceSettings } from './sources/index.js';
import { UsageError } from './errors/index.js';
import type { DiffRuleResult } from './core/index.js';

export type { Analysis, AnalysisSummary, LayerSummary, InefficientFile, Reclaimable, ChangeCounts, ImageIdentity, ImageConfig, LayerEntry, Platform } from './core/index.js';
export type { FileTree, FileEvent, ChangeCode } from './core/index.js';
export { Change } from './core/index.js';
export type { Finding, FindingKind, FindingsOptions } from './core/index.js';
export type { RuleName, RuleResult, RuleSettings } from './core/index.js';
export type { ExportV1, DiveExport } from './report/index.js';
export { SourceError, UsageError, BugError } from './errors/index.js';
export type { SourceErrorKind } from './errors/index.js';
export type { LoadEvent } from './load/index.js';
export type { ImageReference } from './reference/index.js';
export type { ImageSources, LayerSource, SourceLocation, InstructionRef, StageRef } from './provenance/index.js';
export type { ImageComparison, AlignedLayer, PathDiff, PathChange, ChangedAspect, ComparisonTotals, Side } from './core/index.js';
export type { DiffRuleSettings, DiffRuleResult, DiffRuleName, GrowthLimit } from './core/index.js';
export type { DiffExportV1 } from './report/index.js';
export type { PathRules, PathRuleResult, PathRuleName, Offender, IgnoredFigures, PathMatcher } from './core/index.js';
export type { Package, PackageRef, PackageChange, PackageManager, LayerPackages, ImagePackages, PackageFileKind, PackageSummary, PackageWarning, PackageDiff, PackageChangeKind, ChangedOwners } from './packages/index.js';
export type { ReportFormat } from './report/index.js';
export { DEFAULT_RULES } from './core/index.js';
export { PACKAGE_MANAGERS } from './packages/index.js';

// The functions of the inner folders, bound here with the library's documentation and examples.

/**
 * dive's rules (lowestEfficiency, highestWastedBytes, highestUserWastedPercent) on an analysis
 * or its summary, with dive's comparisons: the verdict `--ci` prints. A rule set to `disabled` is `skip`.
 *
 * @example
 * const results = evaluateRules(await inspectImage('img.tar'), { ...DEFAULT_RULES, highestWastedBytes: 20_000_000 });
 * const passed = results.every((r) => r.status !== 'fail');
 */
export const evaluateRules: typeof core.evaluateRules = core.evaluateRules;

/**
 * Which steps wasted what, and the package caches and build leftovers kept: each finding with its
 * bytes, the layers (and commands) involved, the paths (the first few) and how to fix it.
 *
 * @example
 * for (const f of findFindings(analysis, { owners: analysis.packages })) console.log(f.kind, f.bytes, f.owners, f.advice);
 */
export const findFindings: typeof core.findFindings = core.findFindings;

/**
 * The figures of an analysis without its trees (what the per-image cache keeps and every report
 * renders): sizes, efficiency, waste, layers, inefficient files, reclaimable bytes, findings.
 *
 * @example
 * const { efficiency, wastedBytes, findings } = summarize(analysis);
 */
export const summarize: typeof core.summarize = core.summarize;

/**
 * The bottom layers that come from the base image, guessed from the history (the last layer
 * before the build's own steps), for findings that set the base's waste apart.
 *
 * @example
 * const base = guessBaseLayers(analysis); // 1 for an image built FROM a one-layer base
 */
export const guessBaseLayers: typeof core.guessBaseLayers = core.guessBaseLayers;

/**
 * The JSON export, schema version 1 (`inspect-tui/schema/export-v1.schema.json`): what
 * `--json FILE` writes, with the rule results when given. The packages are those of
 * `opts.packages`, else those beside the analysis (`inspectImage`'s `packages`); the Dockerfile
 * lines those of `opts.sources` (`inspectImageWithSources`).
 *
 * @example
 * const doc = toJsonExport(analysis, evaluateRules(analysis, DEFAULT_RULES));
 * writeFileSync('image.json', JSON.stringify(doc));
 */
export function toJsonExport(
  a: AnalysisSummary & { readonly packages?: PackageSummary },
  rules?: readonly RuleResult[],
  opts: { readonly ignored?: IgnoredFigures; readonly sources?: ImageSources | null; readonly packages?: PackageSummary } = {},
): ExportV1 {
  const pk = opts.packages ?? a.packages;
  return reports.toExportV1(a, rules, { ...opts, ...(pk ? { packages: pk } : {}) });
}

/**
 * dive's own JSON export, key for key (`--json-format dive`), for tools that already read it.
 *
 * @example
 * const dive = toDiveExport(analysis); // { layer: [...], image: { efficiencyScore, ... } }
 */
export const toDiveExport: typeof reports.toDiveExport = reports.toDiveExport;

/**
 * Parses an image argument as the CLI does (`docker-archive:PATH[:TAG]`, `oci:DIR`,
 * `docker://NAME`, `docker-daemon:NAME`, a bare path or name). Throws UsageError for an empty one.
 *
 * @example
 * parseReference('oci:./layout:v1'); // { transport: 'oci', path: './layout', ref: 'v1' }
 */
export const parseReference: typeof references.parseReference = references.parseReference;

/**
 * Writes an image reference the way `parseReference` reads it back.
 *
 * @example
 * formatReference({ transport: 'docker', name: 'alpine:3.20' }); // 'docker://alpine:3.20'
 */
export const formatReference: typeof references.formatReference = references.formatReference;

/**
 * Parses `os/arch[/variant]`. Throws UsageError naming the text for anything else.
 *
 * @example
 * parsePlatform('linux/arm64/v8'); // { os: 'linux', architecture: 'arm64', variant: 'v8' }
 */
export const parsePlatform: typeof references.parsePlatform = references.parsePlatform;

/**
 * Writes a platform as `os/arch[/variant]`.
 *
 * @example
 * formatPlatform({ os: 'linux', architecture: 'amd64' }); // 'linux/amd64'
 */
export const formatPlatform: typeof references.formatPlatform = references.formatPlatform;

/**
 * The gate of `inspect-tui diff`: growth of the size and of the wasted bytes (bytes, or a
 * fraction of OLD's), and NEW's efficiency. An absent rule is `skip`.
 *
 * @example
 * const results = evaluateDiffRules(comparison, { highestSizeIncrease: { fraction: 0.05 }, lowestEfficiency: 0.9 });
 */
export const evaluateDiffRules: typeof core.evaluateDiffRules = core.evaluateDiffRules;

/**
 * The comparison as JSON (`inspect-tui/schema/diff-v1.schema.json`): what `diff --json FILE`
 * writes, with the packages that differ when given (`compareImages`' `packages`).
 *
 * @example
 * const { comparison, packages } = await compareImages('v1.tar', 'v2.tar');
 * writeFileSync('diff.json', JSON.stringify(toDiffExport(comparison, undefined, { packages })));
 */
export const toDiffExport: typeof reports.toDiffExport = reports.toDiffExport;

/**
 * The path rules (`compilePathRules(...).rules`) on an analysis: `block`, `denyWaste` and
 * `maxFileSize` with their offending paths, sizes and layers.
 *
 * @example
 * const [block] = evaluatePathRules(analysis, compilePathRules({ block: ['**\/.git/**'] }).rules);
 * if (block.status === 'fail') console.log(block.offenders.map((o) => o.path));
 */
export const evaluatePathRules: typeof core.evaluatePathRules = core.evaluatePathRules;

/**
 * The analysis without the paths an ignore list matches (and their whiteouts), every figure
 * computed again, and what was left out.
 *
 * @example
 * const { analysis: rest, ignored } = withoutIgnored(analysis, compilePathRules({ ignore: ['/usr/share/doc/**'] }).ignore!);
 */
export const withoutIgnored: typeof core.withoutIgnored = core.withoutIgnored;

/**
 * The `maxLayerCount` rule on a number of layers.
 *
 * @example
 * evaluateLayerCount(analysis.layers.length, 30).status; // 'pass' or 'fail'
 */
export const evaluateLayerCount: typeof core.evaluateLayerCount = core.evaluateLayerCount;

/**
 * One path glob compiled as `paths:` globs are (picomatch syntax, matched directory by directory).
 *
 * @example
 * compilePathGlob('**\/*.pem')('/etc/ssl/key.pem'); // true
 */
export const compilePathGlob: typeof core.compilePathGlob = core.compilePathGlob;

/**
 * Compares two versions as the package manager does (dpkg's epochs and `~`, rpm's rpmvercmp,
 * PEP 440 for pip, semver for npm): negative, 0 or positive; undefined when one cannot be read.
 *
 * @example
 * compareVersions('dpkg', '1.0~rc1', '1.0'); // -1
 */
export const compareVersions: typeof packages.compareVersions = packages.compareVersions;

/**
 * Which package database a path of an image is (`var/lib/dpkg/status` → `dpkg-status`), or undefined.
 *
 * @example
 * packageFileKind('lib/apk/db/installed'); // 'apk-installed'
 */
export const packageFileKind: typeof packages.packageFileKind = packages.packageFileKind;

/**
 * The packages that differ between two package lists (OLD's and NEW's `packages`): added,
 * removed, upgraded or downgraded by each manager's version order, or the same version whose
 * files changed (`changed` names, per side, the packages owning a path that differs; empty sets
 * when unknown). `compareImages` gives this list for two images as `packages`.
 *
 * @example
 * const diff = comparePackages(a.packages!.packages, b.packages!.packages, { old: new Set(), new: new Set() });
 * diff.filter((d) => d.change === 'upgraded').map((d) => `${d.name} ${d.old!.version} → ${d.new!.version}`);
 */
export const comparePackages: typeof packages.comparePackages = packages.comparePackages;

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

/** A Dockerfile to locate an image's layers with: its text, and its path as results should name it (relative). */
export type DockerfileText = { readonly text: string; readonly file: string };

/**
 * What `inspectImage` resolves to: the analysis and, beside it, what the image's package
 * databases say (`packages`: the final filesystem's packages, each layer's changes, who owns a
 * path at any layer; undefined with `packages: false`).
 */
export type AnalysisWithPackages = Analysis & { readonly packages: ImagePackages | undefined };

/** What `inspectImageWithSources` resolves to: the analysis (with its packages) and, beside it, the Dockerfile line of each layer. */
export type InspectedImage = {
  readonly analysis: AnalysisWithPackages;
  /**
   * Which Dockerfile line made each layer: from the image's BuildKit provenance when it carries
   * usable provenance, else from `dockerfile` when its instructions match the image's history;
   * null when neither locates the layers. Pass it to `toJsonExport(summary, rules, { sources })`.
   */
  readonly sources: ImageSources | null;
  /** Why the given Dockerfile gave no lines, one clause each (text from the file: escape it before printing). */
  readonly warnings: readonly string[];
};

/** The analysis with its packages beside it: a new value, its findings (with their owners) derived on first use. */
function withPackages(analysis: Analysis, pk: ImagePackages | undefined): AnalysisWithPackages {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(analysis) as (keyof Analysis)[]) if (k !== 'findings') out[k] = analysis[k];
  const findings = () => (pk ? analysis.tree.memo('findings.owned', () => core.findFindings(analysis, { owners: pk })) : analysis.findings);
  Object.defineProperty(out, 'findings', { enumerable: true, get: findings });
  out.packages = pk;
  return out as AnalysisWithPackages;
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
 *
 * @example
 * const a = await inspectImage('docker-archive:./img.tar', { platform: 'linux/amd64' });
 * console.log(a.efficiency, a.wastedBytes);
 * const failed = evaluateRules(a, DEFAULT_RULES).filter((r) => r.status === 'fail');
 * const findings = findFindings(a); // which layer wasted what, and how to fix it
 */
export async function inspectImage(reference: string | ImageReference, options: InspectOptions = {}): Promise<AnalysisWithPackages> {
  return (await inspectImageWithSources(reference, options)).analysis;
}

/**
 * `inspectImage`, and the Dockerfile line of each layer beside the analysis: `dockerfile` (as
 * `--dockerfile`: it may match the history on keywords alone), or the image's own BuildKit
 * provenance, which wins. A layer no instruction matches has no line, never a wrong one.
 *
 * @example
 * const { analysis, sources } = await inspectImageWithSources('img.tar', { dockerfile: { text: readFileSync('Dockerfile', 'utf8'), file: 'Dockerfile' } });
 * sources?.layers.forEach((l) => console.log(l.layer, l.source?.line));
 */
export async function inspectImageWithSources(reference: string | ImageReference, options: InspectOptions & { readonly dockerfile?: DockerfileText } = {}): Promise<InspectedImage> {
  const ref = typeof reference === 'string' ? parseReference(reference, existsSync) : reference;
  const dockerfiles = options.dockerfile ? [{ text: options.dockerfile.text, file: options.dockerfile.file, how: 'given' as const }] : [];
  const loaded = await loadImage(ref, { ...loadOptionsOf(options), dockerfiles });
  try {
    await loaded.verified;
  } finally {
    await loaded.close();
  }
  return { analysis: withPackages(loaded.analysis, loaded.packages), sources: loaded.lines.sources, warnings: loaded.lines.warnings };
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
    packages: options.packages,
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

/** Two analysed images (each with its packages) and how NEW differs from OLD. */
export type Comparison = {
  readonly old: AnalysisWithPackages;
  readonly new: AnalysisWithPackages;
  /** The layers aligned by diffID, every path added, removed or modified, the totals with their deltas. */
  readonly comparison: ImageComparison;
  /**
   * The packages that differ (as `diff --json` lists them: added, removed, upgraded, downgraded,
   * or the same version with other files); undefined when either image's databases were not read.
   */
  readonly packages: readonly PackageDiff[] | undefined;
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
  return { old: withPackages(loaded.old.analysis, loaded.old.packages), new: withPackages(loaded.new.analysis, loaded.new.packages), comparison: loaded.comparison, packages: loaded.packages };
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
export type ReportImage =
  | {
      readonly analysis: Analysis;
      readonly rules?: readonly RuleResult[];
      /** The Dockerfile lines of its layers (`inspectImageWithSources`): results are located on them. */
      readonly sources?: ImageSources | null;
      /**
       * What its package databases say, for the reports that list packages (Markdown's largest
       * packages, the text report's count) and, when they are the `ImagePackages` read with this
       * analysis, the findings' owners. @default the `packages` beside the analysis, as
       * `inspectImage` resolves it
       */
      readonly packages?: ImagePackages | PackageSummary;
    }
  | { readonly reference: string; readonly error: string };

/** Every format `renderReport` writes, as `--report FORMAT` names them. */
export const REPORT_FORMAT_NAMES: readonly ReportFormat[] = REPORT_FORMATS.map((f) => f.name);

/**
 * Renders one report of one or more images in a format of `--report` (`REPORT_FORMAT_NAMES`:
 * markdown, junit, sarif, github, codequality, html): the same text the CLI writes for the same
 * images and rule results. An image's packages (its `packages`, else those `inspectImage` put
 * beside the analysis) give the Markdown's largest packages and the HTML page's packages and
 * file owners. Pure apart from reading the HTML page's script from the package.
 *
 * @example
 * const a = await inspectImage('docker-archive:img.tar');
 * const sarif = renderReport('sarif', [{ analysis: a, rules: evaluateRules(a, DEFAULT_RULES) }], { version: '1.0.0' });
 * const page = renderReport('html', [{ analysis: a }]); // one self-contained page
 */
export function renderReport(format: ReportFormat, images: readonly ReportImage[], options: { readonly version?: string; readonly cwd?: string } = {}): string {
  const row = reportFormat(format);
  if (!row) throw new UsageError(`no report format "${format}" (formats: ${REPORT_FORMAT_NAMES.join(', ')})`);
  const outcomes: CiOutcome[] = [];
  const pages: PageImage[] = [];
  for (const img of images) {
    if ('analysis' in img) {
      const pk = img.packages ?? (img.analysis as Partial<AnalysisWithPackages>).packages;
      // Packages given apart from the analysis (read with its tree) give the findings their owners.
      const summary = summarize(img.analysis, img.packages && 'ownerAt' in img.packages ? { owners: img.packages } : undefined);
      outcomes.push({
        kind: 'analysed',
        summary,
        ...(img.rules ? { rules: img.rules } : {}),
        ...(img.sources ? { sources: img.sources } : {}),
        ...(pk ? { packages: summarizePackages(pk) } : {}),
      });
      const provenance = { ...(pk ? packageProvenance(img.analysis.tree, pk) : {}), ...layerSources(img.sources, summary.layers.length) };
      if (row.needsTree) pages.push(imageView(img.analysis, summary, { ...(img.rules ? { rules: img.rules } : {}), provenance }));
    } else {
      outcomes.push({ kind: 'unreadable', reference: img.reference, message: img.error });
      pages.push({ kind: 'unreadable', reference: img.reference, message: img.error });
    }
  }
  return row.render(outcomes, { version: options.version ?? '0.0.0', cwd: options.cwd ?? process.cwd(), pages });
}

/**
 * The comparison as the self-contained HTML page `inspect-tui diff --report html=FILE` writes:
 * a treemap of the size changes, the largest changes, the aligned layers, changed paths and the
 * packages that differ (`c.packages`).
 *
 * @example
 * const c = await compareImages('old.tar', 'new.tar');
 * writeFileSync('diff.html', renderComparisonReport(c, { rules: evaluateDiffRules(c.comparison, { lowestEfficiency: 0.9 }) }));
 */
export function renderComparisonReport(c: Comparison, options: { readonly rules?: readonly DiffRuleResult[]; readonly version?: string } = {}): string {
  const page = comparisonPage(c.comparison, { rules: options.rules, tool: `inspect-tui ${options.version ?? ''}`.trim(), ...(c.packages ? { packageChanges: c.packages } : {}) });
  return renderHtmlReport(page, readPageClient());
}
