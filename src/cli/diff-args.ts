import type { DiffRuleSettings, GrowthLimit } from '../core/index.js';
import { UsageError } from '../errors/index.js';
import { parsePlatform, type Platform, parseReference, readsStdin } from '../reference/index.js';
import { GENERAL_OPTIONS, IMAGE_OPTIONS, INSPECTOR_OPTIONS, parseImageOptions, type ImageOptions } from './args.js';
import { reportFormat } from '../report/index.js';
import { parseReportSpecs, parseRuleValue, type ReportSpec } from './ci-config.js';
import { parseGrowthLimit } from './diff-config.js';
import { flagOf, listOf, parseOptions, stringOf, type OptionSpec } from './options.js';

/** What `inspect-tui diff` was asked: the two images, their options, the gate. */
export type DiffOptions = {
  readonly old: string;
  readonly new: string;
  /** How both images are read (platform, credentials, cache…) and the inspector's display. */
  readonly options: ImageOptions;
  readonly ci: boolean;
  readonly json?: string;
  /** `--report FORMAT=FILE`: only the formats whose row in the report table is marked `comparison` (html). */
  readonly reports: readonly ReportSpec[];
  /** The gate given by flags (over the `diff:` block of the rules file). */
  readonly rules: DiffRuleSettings;
  /** A platform for one side only (`--old-platform`, `--new-platform`). */
  readonly platforms: { readonly old?: Platform; readonly new?: Platform };
  readonly help: boolean;
};

/** `diff`'s own options: the gate, its outputs, a platform per side. */
export const DIFF_GATE_OPTIONS: readonly OptionSpec[] = [
  { name: 'ci', description: 'print the summary and apply the rules below (exit 1 if one fails)' },
  { name: 'json', value: { label: 'FILE', kind: 'file' }, description: 'write the comparison as JSON (- for stdout; the summary then goes to stderr)' },
  { name: 'report', value: { label: 'FORMAT=FILE', kind: 'report' }, repeatable: true, description: 'write the comparison as a report: html=FILE, a self-contained page (implies --ci)' },
  { name: 'ci-config', value: { label: 'FILE', kind: 'file' }, description: 'the rules file whose diff: block is the gate (default: .dive-ci in the working directory)' },
  { name: 'highestSizeIncrease', value: { label: 'LIMIT', kind: 'limit' }, description: 'fail when the size grows by more than LIMIT: bytes (20MB) or a fraction of OLD (0.05)' },
  { name: 'highestWastedIncrease', value: { label: 'LIMIT', kind: 'limit' }, description: 'fail when the wasted bytes grow by more than LIMIT (bytes or a fraction)' },
  { name: 'lowestEfficiency', value: { label: 'N', kind: 'number' }, description: "fail when NEW's efficiency is below N" },
  { name: 'old-platform', value: { label: 'OS/ARCH[/VARIANT]', kind: 'platform' }, description: "OLD's platform (default: --platform, else the image's default)" },
  { name: 'new-platform', value: { label: 'OS/ARCH[/VARIANT]', kind: 'platform' }, description: "NEW's platform (default: --platform, else the image's default)" },
];

/** `inspect-tui diff`'s option table. */
export const DIFF_OPTIONS: readonly OptionSpec[] = [...DIFF_GATE_OPTIONS, ...IMAGE_OPTIONS, ...INSPECTOR_OPTIONS, ...GENERAL_OPTIONS];

const GROWTH_FLAGS = ['highestSizeIncrease', 'highestWastedIncrease'] as const;

/** Parses `diff`'s arguments (after the word `diff`) from `DIFF_OPTIONS`. Throws UsageError with one line. */
export function parseDiffCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DiffOptions {
  const { values: v, operands } = parseOptions(argv, DIFF_OPTIONS, 'diff: ', 'see inspect-tui diff --help');
  const platforms: { old?: Platform; new?: Platform } = {};
  const oldPlatform = stringOf(v, 'old-platform');
  const newPlatform = stringOf(v, 'new-platform');
  if (oldPlatform !== undefined) platforms.old = parsePlatform(oldPlatform);
  if (newPlatform !== undefined) platforms.new = parsePlatform(newPlatform);
  const growth: { -readonly [K in (typeof GROWTH_FLAGS)[number]]?: GrowthLimit } = {};
  for (const name of GROWTH_FLAGS) {
    const raw = stringOf(v, name);
    if (raw !== undefined) growth[name] = parseGrowthLimit(raw, `--${name}`);
  }
  const effRaw = stringOf(v, 'lowestEfficiency');
  const eff = effRaw === undefined ? undefined : parseRuleValue('lowestEfficiency', effRaw, '--lowestEfficiency');
  const options = parseImageOptions(v);
  if (flagOf(v, 'help')) return { old: '', new: '', options, ci: false, reports: [], rules: {}, platforms, help: true };
  const reports = parseReportSpecs(listOf(v, 'report'), env);
  const other = reports.find((r) => !reportFormat(r.format)?.comparison || !r.file);
  if (other) throw new UsageError(`diff: --report ${other.format}${other.file ? `=${other.file}` : ''}: diff writes only the html report (--report html=FILE)`);
  if (operands.length !== 2) throw new UsageError(`diff compares two images: inspect-tui diff OLD NEW (got ${operands.length})`);
  if (operands.some((a) => readsStdin(parseReference(a)))) throw new UsageError('diff cannot read an image from stdin (-): name both images');
  return {
    old: operands[0]!,
    new: operands[1]!,
    options,
    // As for one image, a report asks for a verdict.
    ci: flagOf(v, 'ci') || env.CI === 'true' || reports.length > 0,
    json: stringOf(v, 'json'),
    reports,
    rules: { ...growth, ...(typeof eff === 'number' ? { lowestEfficiency: eff } : {}) },
    platforms,
    help: false,
  };
}
