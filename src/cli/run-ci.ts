import { statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { scanTarRegion } from '../archive/index.js';
import { type Analysis, type AnalysisSummary, evaluateFindingRules, evaluateLayerCount, evaluatePathRules, evaluateRules, type FindingRuleSettings, ownersByPath, type IgnoredFigures, type RuleResult, type RuleSettings, summarize, withoutIgnored } from '../core/index.js';
import { SourceError, UsageError } from '../errors/index.js';
import { plural, formatBytes, escapeControl, stringifyJson } from '../format/index.js';
import { loadImage, loadSummary, summarizePackages, type DockerfileCandidate, type ImageLines, type LoadEvent, type LoadedImage, type LoadedSummary, type LoadOptions } from '../load/index.js';
import { formatReference, isRemote, parseReference, type ImageReference } from '../reference/index.js';
import {
  formatCiReport,
  type CiOutcome,
  type ImageResult,
  reportFormat,
  imageView,
  layerSources,
  packageProvenance,
  type ImageView,
  type PageImage,
  toDiveExport,
  toExportV1,
} from '../report/index.js';
import { resolveRules, type Options } from './args.js';
import { compilePathRules, needsTree, parseCiFile, type PathRulesConfig, type ReportSpec } from './ci-config.js';
import { readConfigFile } from './config-file.js';
import { readDockerfiles } from './dockerfile.js';
import { configInputs, dockerfileInputs, existsIn, imageInputs, RULES_FILE } from './inputs.js';
import { checkOutputs, removeStale, writeFileAtomic, type OutputFile } from './output-file.js';
import { loadSettings } from './settings.js';

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
  /**
   * How to name an image argument in the reports and the JSON, when not as written: `build`
   * reads a temporary archive and names the image by its tag or ID.
   */
  readonly label?: (arg: string) => string | undefined;
};

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands globs in image arguments with fast-glob: a bare pattern, or the path of a file
 * transport (`docker-archive:dist/*.tar`, `oci:layouts/*`). An existing path is never treated
 * as a glob, and neither is a name for a daemon or a registry.
 */
export async function expandImages(args: readonly string[], cwd: string): Promise<string[]> {
  const exists = existsIn(cwd);
  const out: string[] = [];
  for (const arg of args) {
    let ref: ImageReference;
    try {
      ref = parseReference(arg, exists);
    } catch {
      out.push(arg); // reported when it is opened
      continue;
    }
    const onDisk = ref.transport === 'docker-archive' || ref.transport === 'oci-archive' || ref.transport === 'oci' ? ref : undefined;
    const pattern = ref.transport === 'bare' ? ref.value : onDisk?.path;
    if (pattern === undefined || !GLOB_CHARS.test(pattern) || exists(pattern) || (ref.transport === 'bare' && /^[a-z0-9.-]+:\/\//.test(arg))) {
      out.push(arg);
      continue;
    }
    const { default: fg } = await import('fast-glob');
    const dirs = ref.transport === 'oci';
    const hits = await fg(pattern, { cwd, onlyFiles: !dirs, onlyDirectories: dirs, dot: false });
    if (hits.length === 0) throw new UsageError(`${arg}: no files match`);
    for (const h of hits.sort()) out.push(onDisk ? formatReference({ ...onDisk, path: h }) : h);
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
  const file = opts.ciConfig ?? RULES_FILE;
  const text = await readConfigFile(path.resolve(io.cwd, file), file, opts.ciConfig === undefined);
  const cfg = text === undefined ? { rules: {}, paths: {}, diff: {}, findings: {} } : parseCiFile(text, file);
  const findings = opts.findingTotal !== undefined ? { ...cfg.findings, total: opts.findingTotal } : cfg.findings;
  return { rules: resolveRules(cfg.rules, opts.ruleOverrides), paths: cfg.paths, compiled: compilePathRules(cfg.paths, file), findings };
}

/** Load options for one reference: quiet progress lines for remote sources only; the Dockerfiles to locate its layers with. */
function loadOptions(ref: ImageReference, opts: Options, io: CiIo, useResultCache: boolean, dockerfiles: readonly DockerfileCandidate[]): LoadOptions {
  const say = (line: string) => {
    if (!opts.quiet) io.stderr.write(`${escapeControl(line)}\n`);
  };
  let remote = false;
  let layerCount = 0;
  const onEvent = (e: LoadEvent) => {
    if (e.type === 'opened') {
      remote = e.identity.source === 'docker' || e.identity.source === 'docker-daemon';
      layerCount = e.layerCount;
    } else if (e.type === 'layer-read' && remote) {
      const d = e.descriptor;
      say(`layer ${e.layer + 1}/${layerCount} ${d.digest ?? d.diffId ?? ''} ${formatBytes(e.bytes)} read`);
    }
  };
  // Progress lines only where reading takes a while and the source is worth naming: a
  // registry or a daemon. Local files stay silent so errors stay one line.
  const onStage = isRemote(ref, existsIn(io.cwd)) ? say : undefined;
  return { ...loadSettings(opts, { env: io.env, stdin: io.stdin, password: io.password, onStage, onEvent }, useResultCache), dockerfiles };
}

/** Opens, reads and analyzes one image (or finds its figures and packages in the result cache), and finds its Dockerfile lines. */
export async function analyzeReference(ref: ImageReference, opts: Options, io: CiIo, dockerfiles: readonly DockerfileCandidate[] = []): Promise<LoadedSummary> {
  return loadSummary(ref, loadOptions(ref, opts, io, true, dockerfiles));
}

/** Says why a Dockerfile the user named gave no lines: one warning line each, escaped. */
function warnLines(lines: ImageLines, io: CiIo): void {
  for (const w of lines.warnings) io.stderr.write(`inspect-tui: warning: ${escapeControl(w)}\n`);
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
  dockerfiles: readonly DockerfileCandidate[],
  label: string | undefined,
): Promise<{ result: ImageResult; dive?: unknown; html?: ImageView }> {
  const named = <T extends { readonly identity: AnalysisSummary['identity'] }>(x: T): T => (label === undefined ? x : { ...x, identity: { ...x.identity, reference: label } });
  const paths = config?.paths ?? {};
  const wantDive = opts.jsonFormat === 'dive' && opts.json !== undefined;
  // Path rules that look at paths need the merged filesystems, which the result cache does not
  // keep: those runs load the image (the per-layer cache still answers) and skip the result cache.
  // A base given by hand changes the findings, which the result cache keeps with the guessed one.
  // The HTML report draws the final filesystem: it needs the trees too.
  const wantHtml = opts.reports.some((r) => reportFormat(r.format)?.needsTree);
  if (!needsTree(paths) && !wantDive && !wantHtml && opts.baseLayers === undefined) {
    const analysed = await analyzeReference(ref, opts, io, dockerfiles);
    const summary = named(analysed.summary);
    const { lines, packages } = analysed;
    warnLines(lines, io);
    const rules = config
      ? [...evaluateRules(summary, config.rules), ...(paths.maxLayerCount !== undefined ? [evaluateLayerCount(summary.layers.length, paths.maxLayerCount)] : []), ...findingRules(summary, config)]
      : undefined;
    return { result: { kind: 'analysed', summary, rules, sources: lines.sources, packages } };
  }
  const loaded = await loadImage(ref, loadOptions(ref, opts, io, false, dockerfiles));
  warnLines(loaded.lines, io);
  try {
    const compiled = config?.compiled ?? { rules: {} };
    let analysis: Analysis = named(loaded.analysis);
    let ignored: IgnoredFigures | undefined;
    if (compiled.ignore) ({ analysis, ignored } = withoutIgnored(analysis, compiled.ignore));
    // The findings' owners: the packages were read with the loaded tree, which the ignore list may have rebuilt.
    const owners = loaded.packages && ownersByPath(loaded.packages, loaded.analysis.tree, analysis.tree);
    const summary = summarize(analysis, { ...(opts.baseLayers !== undefined ? { baseLayers: opts.baseLayers } : {}), ...(owners ? { owners } : {}) });
    const rules: RuleResult[] | undefined = config ? [...evaluateRules(analysis, config.rules), ...evaluatePathRules(analysis, compiled.rules), ...findingRules(summary, config)] : undefined;
    const dive = wantDive ? toDiveExport(analysis, { layerIds: await diveLayerIds(loaded) }) : undefined;
    // The owners are looked up by path in the tree the packages were read with.
    const provenance = { ...(loaded.packages ? packageProvenance(loaded.analysis.tree, loaded.packages) : {}), ...layerSources(loaded.lines.sources, summary.layers.length) };
    const html = wantHtml ? imageView(analysis, summary, { rules, ignored, provenance }) : undefined;
    // Only the figures (and the HTML report's bounded page data) are kept past this image: a glob of large images must not hold every tree.
    return { result: { kind: 'analysed', summary, ignored, rules, sources: loaded.lines.sources, packages: loaded.packages && summarizePackages(loaded.packages) }, dive, html };
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

/** Every file the run writes: the JSON, each report, the step summary a Markdown report is appended to. */
function outputsOf(opts: Options, io: CiIo): OutputFile[] {
  const summary = io.env.GITHUB_STEP_SUMMARY;
  return [
    ...(opts.json !== undefined && opts.json !== '-' ? [{ path: opts.json, flag: `--json ${opts.json}` }] : []),
    ...reportTargets(opts.reports, io.cwd).map((t) => ({ path: t.file, flag: t.flag })),
    ...(summary && opts.reports.some((r) => reportFormat(r.format)?.destination === 'file-or-step-summary') ? [{ path: summary, flag: `GITHUB_STEP_SUMMARY ${summary}` }] : []),
  ];
}

/**
 * Headless mode: for each image, analyze, evaluate the rules (dive's and the path rules), print
 * dive's report (stdout, or stderr when the JSON goes to stdout), then write the JSON export and
 * every `--report` from the same results. Files asked for are replaced atomically; the old ones
 * are removed first, so a failed run leaves none that looks current.
 *
 * @returns the exit code: 0 all passed, 1 a rule failed. Errors reading an image propagate
 * (main maps them to 2) — with several images, after the others were reported (and the
 * reports name the unreadable ones); with `ignoreErrors`, only when no image could be read.
 */
export async function runCi(opts: Options, io: CiIo): Promise<number> {
  const toStdout = opts.reports.find((r) => reportFormat(r.format)?.destination === 'stdout');
  if (opts.json === '-' && toStdout) throw new UsageError(`--report ${toStdout.format} and --json - both write to stdout; give --json a file`);
  // Globs are expanded first, so that the files they name are checked as inputs below; a glob
  // that matches nothing is reported once the stale outputs are gone, as any failed run is.
  let images: string[] = [];
  let unmatched: unknown;
  try {
    images = await expandImages(opts.images, io.cwd);
  } catch (e) {
    unmatched = e;
  }
  // Before anything is removed, read or pulled: no output may be an input or another output.
  checkOutputs(outputsOf(opts, io), [...imageInputs(unmatched ? opts.images : images, io.cwd), ...configInputs(opts), ...dockerfileInputs(opts.dockerfile)], io.cwd);
  const config = opts.ci ? await loadConfig(opts, io) : undefined;
  const dockerfiles = await readDockerfiles(opts.dockerfile, io.cwd);
  const targets = reportTargets(opts.reports, io.cwd);
  const jsonFile = opts.json !== undefined && opts.json !== '-' ? path.resolve(io.cwd, opts.json) : undefined;
  if (jsonFile) removeStale(jsonFile, `--json ${opts.json}`);
  for (const t of targets) removeStale(t.file, t.flag);
  if (unmatched) throw unmatched;

  const human = opts.json === '-' ? io.stderr : io.stdout;
  const exports: unknown[] = [];
  const outcomes: CiOutcome[] = [];
  const pages: PageImage[] = [];
  let failed = false;
  let firstError: unknown;
  for (const arg of images) {
    try {
      const ref = parseReference(arg, existsIn(io.cwd));
      const { result, dive, html } = await evaluateImage(ref, opts, io, config, dockerfiles, io.label?.(arg));
      outcomes.push(result);
      if (html) pages.push(html);
      if (result.rules) {
        if (images.length > 1) human.write('\n');
        human.write(formatCiReport(result.summary, result.rules, { ignored: result.ignored, packages: result.packages }));
        if (result.rules.some((r) => r.status === 'fail')) failed = true;
      }
      exports.push(dive ?? toExportV1(result.summary, result.rules, { ignored: result.ignored, sources: result.sources ?? null, packages: result.packages }));
    } catch (e) {
      if (images.length === 1) throw e;
      firstError ??= e;
      const message = (e as Error).message;
      const reference = io.label?.(arg) ?? arg;
      outcomes.push({ kind: 'unreadable', reference, message });
      pages.push({ kind: 'unreadable', reference, message });
      io.stderr.write(`inspect-tui: ${escapeControl(message)}\n`);
    }
  }

  if (opts.json !== undefined && exports.length > 0) {
    const text = `${stringifyJson(exports.length === 1 && images.length === 1 ? exports[0] : exports)}\n`;
    if (jsonFile) await writeFileAtomic(jsonFile, text, `--json ${opts.json}`);
    else io.stdout.write(text);
  }
  for (const r of opts.reports) {
    const row = reportFormat(r.format)!;
    const text = row.render(outcomes, { version: io.version ?? '0.0.0', cwd: io.cwd, pages });
    const target = targets.find((t) => t.spec === r);
    if (target) await writeFileAtomic(target.file, text, target.flag);
    else if (row.destination === 'stdout') io.stdout.write(text);
    if (row.destination === 'file-or-step-summary' && io.env.GITHUB_STEP_SUMMARY) {
      await appendFile(io.env.GITHUB_STEP_SUMMARY, text).catch((e: Error) => {
        throw new UsageError(`GITHUB_STEP_SUMMARY ${io.env.GITHUB_STEP_SUMMARY}: cannot append the summary (${e.message})`, { cause: e });
      });
    }
  }
  // --ignore-errors: the unreadable images were reported above and in the reports; the verdict is
  // the readable ones', unless there were none.
  if (firstError && (!opts.ignoreErrors || exports.length === 0)) {
    // Each unreadable image was named on stderr above: end with the count, not the first one again.
    const unreadable = outcomes.filter((o) => o.kind === 'unreadable').length;
    if (!(firstError instanceof SourceError)) throw firstError;
    throw new SourceError(firstError.kind, '', `${unreadable} of ${plural(images.length, 'image')} could not be read (named above)`, { cause: firstError });
  }
  return failed ? 1 : 0;
}
