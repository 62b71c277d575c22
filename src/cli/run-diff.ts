import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createCaches, defaultCacheDir } from '../cache/index.js';
import { type DiffRuleSettings, evaluateDiffRules, type GrowthLimit, type ImageComparison } from '../core/index.js';
import { UsageError } from '../errors/index.js';
import { loadComparison, type LoadedComparison, type LoadOptions } from '../load/index.js';
import { parsePlatform, type Platform } from '../reference/platform.js';
import { parseReference, type ImageReference } from '../reference/reference.js';
import { formatDiffReport, toDiffExport } from '../report/diff-report.js';
import { parseCli, type Options } from './args.js';
import { parseCiFile } from './ci-config.js';
import { parseGrowthLimit } from './diff-config.js';
import { removeStale, writeFileAtomic } from './output-file.js';
import type { CiIo } from './run-ci.js';
import { createSourceSettings } from './settings.js';

export const DIFF_USAGE = `Usage: inspect-tui diff [options] OLD NEW

Compares two images (any two image arguments, from any mix of sources): the layers aligned by
diffID, every path added, removed or modified, and the totals with their deltas. In a terminal
it opens the comparison; with --ci, --json or no terminal it prints a summary.

Options (beside the image options of inspect-tui --help: --platform, --source, --no-cache…):
  --ci                              print the summary and apply the rules below (exit 1 if one fails)
  --json FILE                       write the comparison as JSON (- for stdout)
  --highestSizeIncrease LIMIT       fail when the size grows by more than LIMIT: bytes (20MB) or a fraction of OLD (0.05)
  --highestWastedIncrease LIMIT     fail when the wasted bytes grow by more than LIMIT (bytes or a fraction)
  --lowestEfficiency N              fail when NEW's efficiency is below N
  --old-platform P, --new-platform P  pick one side's platform (default: --platform, else each image's default)
`;

const GROWTH_FLAGS = ['highestSizeIncrease', 'highestWastedIncrease'] as const;


/** What `inspect-tui diff` was asked: the two images, their options, the gate. */
export type DiffOptions = {
  readonly old: string;
  readonly new: string;
  /** The shared image options (platform, credentials, cache…), parsed by the main parser. */
  readonly options: Options;
  readonly ci: boolean;
  readonly json?: string;
  readonly rules: DiffRuleSettings;
  /** A platform for one side only (`--old-platform`, `--new-platform`). */
  readonly platforms: { readonly old?: Platform; readonly new?: Platform };
  readonly help: boolean;
};

/** Parses `diff`'s arguments (after the word `diff`). Throws UsageError with one line. */
export function parseDiffCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DiffOptions {
  const rest: string[] = [];
  const growth: { -readonly [K in (typeof GROWTH_FLAGS)[number]]?: GrowthLimit } = {};
  const platforms: { old?: Platform; new?: Platform } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(highestSizeIncrease|highestWastedIncrease|old-platform|new-platform)(?:=(.*))?$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    if (m[1] === 'old-platform') platforms.old = parsePlatform(value);
    else if (m[1] === 'new-platform') platforms.new = parsePlatform(value);
    else growth[m[1] as (typeof GROWTH_FLAGS)[number]] = parseGrowthLimit(value, `--${m[1]}`);
  }
  if (rest.includes('-h') || rest.includes('--help')) return { old: '', new: '', options: parseCli(['--help'], env), ci: false, rules: {}, platforms, help: true };
  const ci = rest.includes('--ci') || env.CI === 'true';
  // The main parser knows every image option; it takes two images only in CI mode, so ask it so.
  const options = parseCli(rest.includes('--ci') ? rest : [...rest, '--ci'], env);
  if (options.images.length !== 2) throw new UsageError(`diff compares two images: inspect-tui diff OLD NEW (got ${options.images.length})`);
  if (options.images.includes('-')) throw new UsageError('diff cannot read an image from stdin (-): name both images');
  const eff = options.ruleOverrides.lowestEfficiency;
  return {
    old: options.images[0]!,
    new: options.images[1]!,
    options,
    ci,
    json: options.json,
    rules: { ...growth, ...(typeof eff === 'number' ? { lowestEfficiency: eff } : {}) },
    platforms,
    help: false,
  };
}

/** The `diff:` block of `--ci-config FILE`, else of `.dive-ci` in the working directory when there is one. */
async function readDiffConfig(d: DiffOptions, cwd: string): Promise<DiffRuleSettings> {
  const file = d.options.ciConfig ?? '.dive-ci';
  const full = path.resolve(cwd, file);
  if (!existsSync(full)) {
    if (d.options.ciConfig !== undefined) throw new UsageError(`${d.options.ciConfig}: no such file`);
    return {};
  }
  return parseCiFile(await readFile(full, 'utf8'), file).diff;
}

/** Load options for one side: its own settings (platform default, credentials), shared caches. */
export function diffLoadOptions(d: DiffOptions, io: Pick<CiIo, 'env' | 'password' | 'stderr'>, onStage?: (m: string) => void): { old: LoadOptions; new: LoadOptions } {
  const caches = d.options.noCache ? undefined : createCaches(defaultCacheDir(io.env));
  const settings = createSourceSettings(d.options, io.env, undefined, io.password, { onStage });
  const side = (p: Platform | undefined) => ({ settings: p ? { ...settings, platform: p } : settings, caches });
  return { old: side(d.platforms.old), new: side(d.platforms.new) };
}

/** Both references, parsed against the working directory. */
export function diffReferences(d: DiffOptions, cwd: string): { old: ImageReference; new: ImageReference } {
  const exists = (p: string) => existsSync(path.resolve(cwd, p));
  return { old: parseReference(d.old, exists), new: parseReference(d.new, exists) };
}

/**
 * `inspect-tui diff` without the inspector: compare, print the summary (with the rules when
 * `--ci` or rules are given), write the JSON when asked.
 *
 * @returns 0, or 1 when a rule failed. Errors reading either image propagate, naming OLD or NEW.
 */
export async function runDiffHeadless(d: DiffOptions, io: CiIo): Promise<number> {
  const say = (line: string) => {
    if (!d.options.quiet) io.stderr.write(`${line}\n`);
  };
  const refs = diffReferences(d, io.cwd);
  const remote = (r: ImageReference) => r.transport === 'docker' || r.transport === 'docker-daemon' || (r.transport === 'bare' && !existsSync(path.resolve(io.cwd, r.value)));
  // The gate's configuration is checked before any image is read.
  const rules: DiffRuleSettings = { ...(await readDiffConfig(d, io.cwd)), ...d.rules };
  // A report from an earlier run must not stay behind looking like this run's (as in CI mode).
  const jsonFile = d.json !== undefined && d.json !== '-' ? path.resolve(io.cwd, d.json) : undefined;
  if (jsonFile) removeStale(jsonFile, `--json ${d.json}`);
  let loaded: LoadedComparison | undefined;
  let c: ImageComparison;
  let packages: LoadedComparison['packages'];
  try {
    loaded = await loadComparison(refs.old, refs.new, diffLoadOptions(d, io, remote(refs.old) || remote(refs.new) ? say : undefined));
    // The verdict waits for every layer of both images to match its digest.
    await loaded.verified;
    c = loaded.comparison;
    packages = loaded.packages;
  } finally {
    await loaded?.close().catch(() => undefined);
  }
  const gate = d.ci || Object.keys(rules).length > 0;
  const results = gate ? evaluateDiffRules(c, rules) : undefined;
  const human = d.json === '-' ? io.stderr : io.stdout;
  human.write(formatDiffReport(c, results, { packages }));
  if (d.json !== undefined) {
    const text = `${JSON.stringify(toDiffExport(c, results, { packages }), null, 2)}\n`;
    if (jsonFile) await writeFileAtomic(jsonFile, text, `--json ${d.json}`);
    else io.stdout.write(text);
  }
  return results?.some((r) => r.status === 'fail') ? 1 : 0;
}
