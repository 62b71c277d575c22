import { type Analysis, type AnalysisSummary, evaluateFindingRules, evaluateLayerCount, evaluatePathRules, evaluateRules, type FindingRuleSettings, type IgnoredFigures, type RuleResult, type RuleSettings, summarize, withoutIgnored } from '../core/index.js';
import { existsSync, statSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { scanTarRegion } from '../archive/index.js';
import { createCaches, defaultCacheDir } from '../cache/index.js';
import { UsageError } from '../errors/index.js';
import { formatBytes } from '../format/bytes.js';
import { escapeControl, stringifyJson } from '../format/escape.js';
import { loadImage, loadSummary, summarizePackages, type LoadEvent, type LoadedImage, type LoadedSummary, type LoadOptions } from '../load/index.js';
import { parseReference, type ImageReference } from '../reference/reference.js';
import { formatCiReport } from '../report/ci-report.js';
import type { CiOutcome, ImageResult } from '../report/ci-result.js';
import { formatCodeQuality } from '../report/codequality.js';
import { formatGithubCommands } from '../report/github.js';
import { toDiveExport, toExportV1 } from '../report/json-export.js';
import { formatJUnit } from '../report/junit.js';
import { formatMarkdown } from '../report/markdown.js';
import { formatSarif } from '../report/sarif.js';
import { resolveRules, type Options } from './args.js';
import { compilePathRules, needsTree, parseCiFile, type PathRulesConfig, type ReportSpec } from './ci-config.js';
import { removeStale, writeFileAtomic } from './output-file.js';
import { createSourceSettings } from './settings.js';

/** The process pieces the headless mode uses, injected so tests can run it in-process. */
export type CiIo = {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin?: Readable;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly password?: string;
  /** The tool's version, for the reports that name it (SARIF). */
  readonly version?: string;
};

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands globs in image arguments with fast-glob: a bare pattern, or the path part of a
 * file transport (`docker-archive:dist/*.tar`). An existing path is never treated as a glob.
 */
export async function expandImages(args: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const m = /^(docker-archive:|oci-archive:|oci:)?(.*)$/.exec(arg)!;
    const prefix = m[1] ?? '';
    const p = m[2]!;
    if (!GLOB_CHARS.test(p) || existsSync(path.resolve(cwd, p)) || (prefix === '' && /^[a-z0-9.-]+:\/\//.test(arg))) {
      out.push(arg);
      continue;
    }
    const { default: fg } = await import('fast-glob');
    const hits = await fg(p, { cwd, onlyFiles: prefix !== 'oci:', onlyDirectories: prefix === 'oci:', dot: false });
    if (hits.length === 0) throw new UsageError(`${arg}: no files match`);
    for (const h of hits.sort()) out.push(`${prefix}${h}`);
  }
  return out;
}

/** The CI configuration of a run: dive's rules resolved, the path rules as written and compiled. */
type RunConfig = { rules: RuleSettings; paths: PathRulesConfig; compiled: ReturnType<typeof compilePathRules>; findings: FindingRuleSettings };

/**
 * dive's rules (defaults ← file ← flags) and the path rules of the CI configuration file, their
 * globs compiled: a bad one is reported before any image is read.
 */
async function loadConfig(opts: Options, io: CiIo): Promise<RunConfig> {
  const file = opts.ciConfig ?? '.dive-ci';
  const full = path.resolve(io.cwd, file);
  let cfg = { rules: {}, paths: {}, diff: {}, findings: {} } as ReturnType<typeof parseCiFile>;
  if (existsSync(full)) cfg = parseCiFile(await readFile(full, 'utf8'), file);
  else if (opts.ciConfig !== undefined) throw new UsageError(`${opts.ciConfig}: no such file`);
  const findings = opts.findingTotal !== undefined ? { ...cfg.findings, total: opts.findingTotal } : cfg.findings;
  return { rules: resolveRules(cfg.rules, opts.ruleOverrides), paths: cfg.paths, compiled: compilePathRules(cfg.paths, file), findings };
}

/** Load options for one reference: quiet progress lines for remote sources only. */
function loadOptions(ref: ImageReference, opts: Options, io: CiIo, useResultCache: boolean): LoadOptions {
  const say = (line: string) => {
    if (!opts.quiet) io.stderr.write(`${escapeControl(line)}\n`);
  };
  // Progress lines only where reading takes a while and the source is worth naming: a
  // registry or a daemon. Local files stay silent so errors stay one line.
  const mayBeRemote = ref.transport === 'docker' || ref.transport === 'docker-daemon' || (ref.transport === 'bare' && !existsSync(path.resolve(io.cwd, ref.value)));
  const settings = createSourceSettings(opts, io.env, io.stdin, io.password, { onStage: mayBeRemote ? say : undefined });
  let remote = false;
  let layerCount = 0;
  const caches = opts.noCache ? undefined : createCaches(defaultCacheDir(io.env));
  return {
    settings,
    caches: caches && !useResultCache ? { ...caches, results: undefined } : caches,
    onEvent: (e: LoadEvent) => {
      if (e.type === 'opened') {
        remote = e.identity.source === 'docker' || e.identity.source === 'docker-daemon';
        layerCount = e.layerCount;
      } else if (e.type === 'layer-read' && remote) {
        const d = e.descriptor;
        say(`layer ${e.layer + 1}/${layerCount} ${d.digest ?? d.diffId ?? ''} ${formatBytes(e.bytes)} read`);
      }
    },
  };
}

/** Opens, reads and analyzes one image (or finds its figures and packages in the result cache). */
export async function analyzeReference(ref: ImageReference, opts: Options, io: CiIo): Promise<LoadedSummary> {
  return loadSummary(ref, loadOptions(ref, opts, io, true));
}

/**
 * dive's layer IDs for a `docker save` archive on disk: the first component of each layer's
 * member name (`<id>/layer.tar`), found by the offset its bytes start at. Undefined where the
 * layer is not a member of one archive file.
 */
async function diveLayerIds(loaded: LoadedImage): Promise<(string | undefined)[] | undefined> {
  if (loaded.analysis.identity.source !== 'docker-archive') return undefined;
  const regions = loaded.layers.map((l) => (l.blob?.kind === 'file-region' ? l.blob : undefined));
  const file = regions[0]?.file;
  if (!file || regions.some((r) => r?.file !== file)) return undefined;
  const names = new Map<number, string>();
  await scanTarRegion(file, 0, statSync(file).size, file, (h, bodyStart) => {
    if (!names.has(bodyStart)) names.set(bodyStart, h.name);
  });
  return regions.map((r) => names.get(r!.offset)?.split('/')[0]);
}

/** One image through the rules: figures (with the ignore list applied), rule results, and what the exports need. */
async function evaluateImage(
  ref: ImageReference,
  opts: Options,
  io: CiIo,
  config: RunConfig | undefined,
): Promise<{ result: ImageResult; dive?: unknown }> {
  const paths = config?.paths ?? {};
  const wantDive = opts.jsonFormat === 'dive' && opts.json !== undefined;
  // Path rules that look at paths need the merged filesystems, which the result cache does not
  // keep: those runs load the image (the per-layer cache still answers) and skip the result cache.
  // A base given by hand changes the findings, which the result cache keeps with the guessed one.
  if (!needsTree(paths) && !wantDive && opts.baseLayers === undefined) {
    const { summary, packages } = await analyzeReference(ref, opts, io);
    const rules = config
      ? [...evaluateRules(summary, config.rules), ...(paths.maxLayerCount !== undefined ? [evaluateLayerCount(summary.layers.length, paths.maxLayerCount)] : []), ...findingRules(summary, config)]
      : undefined;
    return { result: { kind: 'analysed', summary, rules, packages } };
  }
  const loaded = await loadImage(ref, loadOptions(ref, opts, io, false));
  try {
    const compiled = config?.compiled ?? { rules: {} };
    let analysis: Analysis = loaded.analysis;
    let ignored: IgnoredFigures | undefined;
    if (compiled.ignore) ({ analysis, ignored } = withoutIgnored(analysis, compiled.ignore));
    const summary = summarize(analysis, opts.baseLayers !== undefined ? { baseLayers: opts.baseLayers } : undefined);
    const rules: RuleResult[] | undefined = config ? [...evaluateRules(analysis, config.rules), ...evaluatePathRules(analysis, compiled.rules), ...findingRules(summary, config)] : undefined;
    const dive = wantDive ? toDiveExport(analysis, { layerIds: await diveLayerIds(loaded) }) : undefined;
    // Only the figures are kept past this image: a glob of large images must not hold every tree.
    return { result: { kind: 'analysed', summary, ignored, rules, packages: loaded.packages && summarizePackages(loaded.packages) }, dive };
  } finally {
    await loaded.close();
  }
}

/** `highestFindingBytes` as rule results, one per configured threshold (none when off). */
function findingRules(summary: AnalysisSummary, config: RunConfig): RuleResult[] {
  return evaluateFindingRules(summary.findings, config.findings).map((r) => ({ name: r.name, status: r.status, threshold: r.threshold, actual: r.actual, message: r.message }));
}

/** The report files and where each goes (resolved against the working directory). */
function reportTargets(reports: readonly ReportSpec[], cwd: string): { spec: ReportSpec; file: string; flag: string }[] {
  return reports.filter((r) => r.file).map((r) => ({ spec: r, file: path.resolve(cwd, r.file!), flag: `--report ${r.format}=${r.file}` }));
}

/**
 * Headless mode: for each image, analyze, evaluate the rules (dive's and the path rules), print
 * dive's report (stdout, or stderr when the JSON goes to stdout), then write the JSON export and
 * every `--report` from the same results. Files asked for are replaced atomically; the old ones
 * are removed first, so a failed run leaves none that looks current.
 *
 * @returns the exit code: 0 all passed, 1 a rule failed. Errors reading an image propagate
 * (main maps them to 2) — with several images, after the others were reported (and the
 * reports name the unreadable ones).
 */
export async function runCi(opts: Options, io: CiIo): Promise<number> {
  if (opts.json === '-' && opts.reports.some((r) => r.format === 'github')) throw new UsageError('--report github and --json - both write to stdout; give --json a file');
  const config = opts.ci ? await loadConfig(opts, io) : undefined;
  const targets = reportTargets(opts.reports, io.cwd);
  const jsonFile = opts.json !== undefined && opts.json !== '-' ? path.resolve(io.cwd, opts.json) : undefined;
  if (jsonFile && targets.some((t) => t.file === jsonFile)) throw new UsageError(`--json ${opts.json}: also named by a --report`);
  if (jsonFile) removeStale(jsonFile, `--json ${opts.json}`);
  for (const t of targets) removeStale(t.file, t.flag);

  const images = await expandImages(opts.images, io.cwd);
  const human = opts.json === '-' ? io.stderr : io.stdout;
  const exports: unknown[] = [];
  const outcomes: CiOutcome[] = [];
  let failed = false;
  let firstError: unknown;
  for (const arg of images) {
    try {
      const ref = parseReference(arg, (p) => existsSync(path.resolve(io.cwd, p)));
      const { result, dive } = await evaluateImage(ref, opts, io, config);
      outcomes.push(result);
      if (result.rules) {
        if (images.length > 1) human.write('\n');
        human.write(formatCiReport(result.summary, result.rules, { ignored: result.ignored, packages: result.packages }));
        if (result.rules.some((r) => r.status === 'fail')) failed = true;
      }
      exports.push(dive ?? toExportV1(result.summary, result.rules, { ignored: result.ignored, packages: result.packages }));
    } catch (e) {
      if (images.length === 1) throw e;
      firstError ??= e;
      const message = (e as Error).message;
      outcomes.push({ kind: 'unreadable', reference: arg, message });
      io.stderr.write(`inspect-tui: ${escapeControl(message)}\n`);
    }
  }

  if (opts.json !== undefined && exports.length > 0) {
    const text = `${stringifyJson(exports.length === 1 && images.length === 1 ? exports[0] : exports)}\n`;
    if (jsonFile) await writeFileAtomic(jsonFile, text, `--json ${opts.json}`);
    else io.stdout.write(text);
  }
  for (const r of opts.reports) {
    const text = renderReport(r, outcomes, io.version ?? '0.0.0');
    const target = targets.find((t) => t.spec === r);
    if (target) await writeFileAtomic(target.file, text, target.flag);
    else if (r.format === 'github') io.stdout.write(text);
    if (r.format === 'markdown' && io.env.GITHUB_STEP_SUMMARY) {
      await appendFile(io.env.GITHUB_STEP_SUMMARY, text).catch((e: Error) => {
        throw new UsageError(`GITHUB_STEP_SUMMARY ${io.env.GITHUB_STEP_SUMMARY}: cannot append the summary (${e.message})`, { cause: e });
      });
    }
  }
  if (firstError) throw firstError;
  return failed ? 1 : 0;
}

function renderReport(r: ReportSpec, outcomes: readonly CiOutcome[], version: string): string {
  switch (r.format) {
    case 'markdown':
      return formatMarkdown(outcomes);
    case 'junit':
      return formatJUnit(outcomes);
    case 'sarif':
      return formatSarif(outcomes, { version });
    case 'codequality':
      return formatCodeQuality(outcomes);
    case 'github':
      return formatGithubCommands(outcomes);
  }
}
