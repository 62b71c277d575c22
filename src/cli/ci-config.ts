import { compilePathGlob, type DiffRuleSettings, type FindingKind, type FindingRuleSettings, type PathMatcher, type PathRules, type RuleName, type RuleSettings } from '../core/index.js';
import { parseDiffSection } from './diff-config.js';
import { createRequire } from 'node:module';
import { parseBytes } from '../format/index.js';
import { UsageError } from '../errors/index.js';
import { REPORT_FORMATS, reportFormat, type ReportFormat } from '../report/index.js';

/**
 * The CI configuration file (`.dive-ci`, or `--ci-config FILE`): dive's `rules:` unchanged, and
 * inspect-tui's `paths:`. Every key is checked; an unknown one anywhere is an error naming it.
 */

export const RULE_NAMES: readonly RuleName[] = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent'];

const PATH_KEYS = ['ignore', 'block', 'denyWaste', 'maxFileSize', 'maxLayerCount'] as const;
type PathKey = (typeof PATH_KEYS)[number];

/** `paths:` as written (globs kept for the reports), and compiled. */
export type PathRulesConfig = {
  readonly ignore?: readonly string[];
  readonly block?: readonly string[];
  readonly denyWaste?: readonly string[];
  readonly maxFileSize?: number;
  readonly maxLayerCount?: number;
};

export type CiConfig = {
  readonly rules: Partial<RuleSettings>;
  readonly paths: PathRulesConfig;
  /** The gate of `inspect-tui diff`. */
  readonly diff: DiffRuleSettings;
  /** `rules.highestFindingBytes`: a size for all findings, or one per finding kind. */
  readonly findings: FindingRuleSettings;
};

/** Parses one rule value: a fraction or, for highestWastedBytes, a size; `disabled` turns it off. */
/** A size for `highestFindingBytes` (20MB, 1.5GiB, or bytes). Throws UsageError naming `where`. */
export function parseFindingBytes(raw: unknown, where: string): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseBytes(raw) : undefined;
  if (n === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`${where} "${String(raw)}" is not a size (for example 20MB)`);
  return n;
}

const FINDING_KINDS: readonly FindingKind[] = ['deleted-later', 'overwritten', 'metadata-only', 'duplicate-content', 'package-cache', 'build-leftovers', 'base-image'];

/** `rules.highestFindingBytes`: a size (all findings), `disabled`, or a mapping from finding kind to size. */
function parseFindingRule(v: unknown, file: string): FindingRuleSettings {
  if (v === 'disabled' || v === false || v === null) return {};
  if (!isMapping(v)) return { total: parseFindingBytes(v, `${file}: rules.highestFindingBytes`) };
  const perKind: Partial<Record<FindingKind, number>> = {};
  let total: number | undefined;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'total') total = parseFindingBytes(x, `${file}: rules.highestFindingBytes.total`);
    else if ((FINDING_KINDS as string[]).includes(k)) perKind[k as FindingKind] = parseFindingBytes(x, `${file}: rules.highestFindingBytes.${k}`);
    else throw new UsageError(`${file}: unknown key "rules.highestFindingBytes.${k}" (known: total, ${FINDING_KINDS.join(', ')})`);
  }
  return { ...(total !== undefined ? { total } : {}), perKind };
}

export function parseRuleValue(name: RuleName, raw: unknown, where: string): number | 'disabled' {
  if (raw === 'disabled' || raw === 'off' || raw === false) return 'disabled';
  if (name === 'highestWastedBytes') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseBytes(raw) : undefined;
    if (n === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`${where}: ${name} "${String(raw)}" is not a size (for example 20MB) or "disabled"`);
    return n;
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${where}: ${name} "${String(raw)}" is not a number or "disabled"`);
  return n;
}

const isMapping = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown) => JSON.stringify(x) ?? String(x);

/**
 * Checks a glob for `paths:` with picomatch (`dot: true`: `**` crosses hidden directories) and
 * compiles it to match directory by directory (`compilePathGlob`). Globs match absolute paths,
 * so one must start with `/` or `**`; one picomatch compiles to "never matches" (an unclosed
 * brace, a reversed range), or one that cannot be matched directory by directory, is refused.
 */
export function compileGlob(pattern: unknown, where: string): PathMatcher {
  if (typeof pattern !== 'string' || pattern === '') throw new UsageError(`${where}: ${show(pattern)} is not a glob (a non-empty string)`);
  if (!pattern.startsWith('/') && !pattern.startsWith('**')) throw new UsageError(`${where}: "${pattern}" is not an absolute glob (start it with / or **)`);
  const picomatch = createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
  let re: RegExp;
  try {
    re = picomatch.makeRe(pattern, { dot: true });
  } catch (e) {
    throw new UsageError(`${where}: "${pattern}" is not a valid glob (${(e as Error).message})`, { cause: e });
  }
  if (re.source === '$^') throw new UsageError(`${where}: "${pattern}" is not a valid glob (it can never match)`);
  try {
    return compilePathGlob(pattern);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(`${where}: "${pattern}" is not supported: ${e.reason}`, { cause: e });
  }
}

/** One matcher for a list of globs: true when any matches. */
export function compileGlobs(patterns: readonly string[], where: string): PathMatcher {
  const ms = patterns.map((p, i) => compileGlob(p, `${where}[${i}]`));
  return ms.length === 1 ? ms[0]! : (p) => ms.some((m) => m(p));
}

function parsePaths(raw: unknown, file: string): PathRulesConfig {
  if (raw === undefined || raw === null) return {};
  if (!isMapping(raw)) throw new UsageError(`${file}: "paths" must be a mapping (ignore, block, denyWaste, maxFileSize, maxLayerCount)`);
  const out: { -readonly [K in PathKey]?: PathRulesConfig[K] } = {};
  for (const [k, v] of Object.entries(raw)) {
    const where = `${file}: paths.${k}`;
    switch (k as PathKey) {
      case 'ignore':
      case 'block':
      case 'denyWaste': {
        const list = typeof v === 'string' ? [v] : v;
        if (!Array.isArray(list)) throw new UsageError(`${where} must be a list of globs, not ${show(v)}`);
        list.forEach((p, i) => compileGlob(p, `${where}[${i}]`));
        out[k as 'ignore'] = list as string[];
        break;
      }
      case 'maxFileSize': {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? parseBytes(v) : undefined;
        if (n === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`${where}: ${show(v)} is not a size (for example 100MB)`);
        out.maxFileSize = n;
        break;
      }
      case 'maxLayerCount':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`${where}: ${show(v)} is not a whole number of layers (1 or more)`);
        out.maxLayerCount = v;
        break;
      default:
        throw new UsageError(`${file}: unknown key "paths.${k}" (known: ${PATH_KEYS.join(', ')})`);
    }
  }
  return out;
}

/** The first line of a YAML error or warning, without the colon that introduces its code frame. */
const firstLine = (m: string) => m.split('\n')[0]!.replace(/:$/, '');

/**
 * Parses YAML text as plain data. An error or a warning (an unknown tag such as `!!js/function`,
 * a key that is a collection) is one UsageError naming the file: nothing the library would
 * print as a process warning, with its code frame, reaches the terminal.
 */
function parseYamlText(text: string, file: string): unknown {
  // Loaded only when there is a rules file to read (keeps the common path's startup lean).
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  // 'error': the library reports warnings to us (doc.warnings), never to the process.
  const doc = parseDocument(text, { logLevel: 'error' });
  const error = doc.errors[0];
  if (error) throw new UsageError(`${file}: not valid YAML (${firstLine(error.message)})`, { cause: error });
  const warning = doc.warnings[0];
  if (warning) throw new UsageError(`${file}: not accepted (${firstLine(warning.message)})`, { cause: warning });
  try {
    return doc.toJS() as unknown;
  } catch (e) {
    // Aliases past the library's count (a "billion laughs" file) are refused here.
    throw new UsageError(`${file}: not accepted (${firstLine((e as Error).message)})`, { cause: e });
  }
}

/** Reads a `.dive-ci` file: `rules:` (dive's camelCase keys) and `paths:`. Throws UsageError naming the file and key. */
export function parseCiFile(text: string, file: string): CiConfig {
  const doc = parseYamlText(text, file);
  if (doc === null || doc === undefined) return { rules: {}, paths: {}, diff: {}, findings: {} };
  if (!isMapping(doc)) throw new UsageError(`${file}: must be a mapping with "rules", "paths" and "diff"`);
  for (const k of Object.keys(doc)) {
    if (k !== 'rules' && k !== 'paths' && k !== 'diff') throw new UsageError(`${file}: unknown key "${k}" (known: rules, paths, diff)`);
  }
  const rules = doc.rules;
  const out: Partial<Record<RuleName, number | 'disabled'>> = {};
  let findings: FindingRuleSettings = {};
  if (rules !== undefined && rules !== null) {
    if (!isMapping(rules)) throw new UsageError(`${file}: "rules" must be a mapping`);
    for (const [k, v] of Object.entries(rules)) {
      if (k === 'highestFindingBytes') {
        findings = parseFindingRule(v, file);
        continue;
      }
      if (!(RULE_NAMES as string[]).includes(k)) throw new UsageError(`${file}: unknown rule "${k}" (known: ${RULE_NAMES.join(', ')})`);
      out[k as RuleName] = parseRuleValue(k as RuleName, v, file);
    }
  }
  return { rules: out, paths: parsePaths(doc.paths, file), diff: parseDiffSection(doc.diff, file), findings };
}

/** The path rules of a config, compiled; `ignore` separately (it changes the figures, it is no verdict). */
export function compilePathRules(cfg: PathRulesConfig, file: string): { ignore?: PathMatcher; rules: PathRules } {
  const globs = (k: 'ignore' | 'block' | 'denyWaste') => {
    const list = cfg[k];
    return list && list.length > 0 ? compileGlobs(list, `${file}: paths.${k}`) : undefined;
  };
  return {
    ignore: globs('ignore'),
    rules: { block: globs('block'), denyWaste: globs('denyWaste'), maxFileSize: cfg.maxFileSize, maxLayerCount: cfg.maxLayerCount },
  };
}

/** True when a path rule needs the merged filesystems (so the result cache, which holds figures only, cannot answer). */
export function needsTree(cfg: PathRulesConfig): boolean {
  return (cfg.ignore?.length ?? 0) > 0 || (cfg.block?.length ?? 0) > 0 || (cfg.denyWaste?.length ?? 0) > 0 || cfg.maxFileSize !== undefined;
}

/** One `--report FORMAT[=FILE]`: where each format may go is said by its row in `REPORT_FORMATS`. */
export type ReportSpec = { readonly format: ReportFormat; readonly file?: string };

/** Parses the `--report` values against the table of formats; one line naming the value for anything wrong. */
export function parseReportSpecs(raw: readonly string[], env: Readonly<Record<string, string | undefined>>): ReportSpec[] {
  const out: ReportSpec[] = [];
  const files = new Set<string>();
  for (const r of raw) {
    const eq = r.indexOf('=');
    const name = eq < 0 ? r : r.slice(0, eq);
    const file = eq < 0 ? undefined : r.slice(eq + 1);
    const row = reportFormat(name);
    if (!row) throw new UsageError(`--report ${r}: unknown format "${name}" (known: ${REPORT_FORMATS.map((f) => f.name).join(', ')})`);
    const format = row.name as ReportFormat;
    if (row.destination === 'stdout') {
      if (file !== undefined) throw new UsageError(`--report ${r}: ${format} writes to stdout and takes no file`);
    } else if (file === undefined || file === '') {
      if (row.destination !== 'file-or-step-summary' || !env.GITHUB_STEP_SUMMARY) throw new UsageError(`--report ${r}: needs a file (${format}=FILE)`);
    }
    if (file) {
      if (files.has(file)) throw new UsageError(`--report ${r}: ${file} is named by another report`);
      files.add(file);
    }
    if (out.some((o) => o.format === format)) throw new UsageError(`--report ${r}: ${format} is asked for twice`);
    out.push({ format, file: file || undefined });
  }
  return out;
}
