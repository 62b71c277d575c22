import path from 'node:path';
import { evaluateDiffRules, type DiffRuleSettings, type ImageComparison } from '../core/index.js';
import { escapeControl, stringifyJson } from '../format/index.js';
import { loadComparison, type LoadedComparison, type LoadOptions } from '../load/index.js';
import { isRemote, parseReference, type ImageReference } from '../reference/index.js';
import { formatDiffReport, toDiffExport, comparisonPage, layerSources, readPageClient, renderHtmlReport, type ReportProvenance } from '../report/index.js';
import { parseCiFile } from './ci-config.js';
import { readConfigFile } from './config-file.js';
import type { DiffOptions } from './diff-args.js';
import { configInputs, existsIn, imageInputs, RULES_FILE } from './inputs.js';
import { checkOutputs, removeStale, writeFileAtomic } from './output-file.js';
import type { CiIo } from './run-ci.js';
import { loadSettings, withPlatform, type LoadContext } from './settings.js';

/** The `diff:` block of `--ci-config FILE`, else of `.dive-ci` in the working directory when there is one. */
async function readDiffConfig(d: DiffOptions, cwd: string): Promise<DiffRuleSettings> {
  const file = d.options.ciConfig ?? RULES_FILE;
  const text = await readConfigFile(path.resolve(cwd, file), file, d.options.ciConfig === undefined);
  return text === undefined ? {} : parseCiFile(text, file).diff;
}

/** Load options for each side: the same settings and caches, each side's own platform when one was given. */
export function diffLoadOptions(d: DiffOptions, ctx: LoadContext): { old: LoadOptions; new: LoadOptions } {
  const load = loadSettings(d.options, ctx);
  return { old: withPlatform(load, d.platforms.old), new: withPlatform(load, d.platforms.new) };
}

/** Both references, parsed against the working directory. */
export function diffReferences(d: DiffOptions, cwd: string): { old: ImageReference; new: ImageReference } {
  return { old: parseReference(d.old, existsIn(cwd)), new: parseReference(d.new, existsIn(cwd)) };
}

/**
 * `inspect-tui diff` without the inspector: compare, print the summary (with the rules when
 * `--ci` or rules are given), write the JSON when asked.
 *
 * @returns 0, or 1 when a rule failed. Errors reading either image propagate, naming OLD or NEW.
 */
export async function runDiffHeadless(d: DiffOptions, io: CiIo): Promise<number> {
  const say = (line: string) => {
    if (!d.options.quiet) io.stderr.write(`${escapeControl(line)}\n`);
  };
  const refs = diffReferences(d, io.cwd);
  const jsonFile = d.json !== undefined && d.json !== '-' ? path.resolve(io.cwd, d.json) : undefined;
  const reports = d.reports.map((r) => ({ spec: r, file: path.resolve(io.cwd, r.file!), flag: `--report ${r.format}=${r.file}` }));
  // Before anything is removed, read or pulled: no output may be an image, a config file or another output.
  const sides = ['OLD', 'NEW'];
  const outputs = [...(jsonFile ? [{ path: jsonFile, flag: `--json ${d.json}` }] : []), ...reports.map((r) => ({ path: r.file, flag: r.flag }))];
  checkOutputs(outputs, [...imageInputs([d.old, d.new], io.cwd, (a, i) => `${sides[i]} ${a}`), ...configInputs(d.options)], io.cwd);
  // The gate's configuration is checked before any image is read.
  const rules: DiffRuleSettings = { ...(await readDiffConfig(d, io.cwd)), ...d.rules };
  // A report from an earlier run must not stay behind looking like this run's (as in CI mode).
  if (jsonFile) removeStale(jsonFile, `--json ${d.json}`);
  for (const r of reports) removeStale(r.file, r.flag);
  const remote = isRemote(refs.old, existsIn(io.cwd)) || isRemote(refs.new, existsIn(io.cwd));
  let loaded: LoadedComparison | undefined;
  let c: ImageComparison;
  let packages: LoadedComparison['packages'];
  let provenance: { old: ReportProvenance; new: ReportProvenance } | undefined;
  try {
    loaded = await loadComparison(refs.old, refs.new, diffLoadOptions(d, { env: io.env, password: io.password, onStage: remote ? say : undefined }));
    // The verdict waits for every layer of both images to match its digest.
    await loaded.verified;
    c = loaded.comparison;
    packages = loaded.packages;
    // Lines only from the images' own build provenance: diff takes no Dockerfile.
    provenance = { old: layerSources(loaded.old.lines.sources, loaded.old.analysis.layers.length), new: layerSources(loaded.new.lines.sources, loaded.new.analysis.layers.length) };
  } finally {
    await loaded?.close().catch(() => undefined);
  }
  const gate = d.ci || Object.keys(rules).length > 0;
  const results = gate ? evaluateDiffRules(c, rules) : undefined;
  const human = d.json === '-' ? io.stderr : io.stdout;
  human.write(formatDiffReport(c, results, { packages }));
  // Every report diff writes is a page of the comparison (the table's rows marked `comparison`).
  for (const r of reports) {
    const page = comparisonPage(c, { rules: results, tool: `inspect-tui ${io.version ?? ''}`.trim(), provenance, ...(packages ? { packageChanges: packages } : {}) });
    await writeFileAtomic(r.file, renderHtmlReport(page, readPageClient()), r.flag);
  }
  if (d.json !== undefined) {
    // Paths from the images are in the JSON: written so that no byte of it acts on a terminal.
    const text = `${stringifyJson(toDiffExport(c, results, { packages }))}\n`;
    if (jsonFile) await writeFileAtomic(jsonFile, text, `--json ${d.json}`);
    else io.stdout.write(text);
  }
  return results?.some((r) => r.status === 'fail') ? 1 : 0;
}
