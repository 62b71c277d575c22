import type { AnalysisSummary as Analysis } from '../analyze.js';
import type { Offender, PathRuleName } from '../path-rules.js';

/** dive's CI rule names, as in `.dive-ci`. */
export type RuleName = 'lowestEfficiency' | 'highestWastedBytes' | 'highestUserWastedPercent';

/** A rule's threshold, validated at the boundary: a number, or disabled. */
export type RuleSettings = Readonly<Record<RuleName, number | 'disabled'>>;

/** dive's defaults: lowestEfficiency 0.9, highestWastedBytes disabled, highestUserWastedPercent 0.1. */
export const DEFAULT_RULES: RuleSettings = { lowestEfficiency: 0.9, highestWastedBytes: 'disabled', highestUserWastedPercent: 0.1 };

/**
 * One rule's outcome: dive's rules (always all three, in dive's order) and, after them, the path
 * rules that were configured (`evaluatePathRules`).
 */
export type RuleResult = {
  readonly name: RuleName | PathRuleName | 'highestFindingBytes';
  readonly status: 'pass' | 'fail' | 'skip';
  readonly threshold: number | null;
  readonly actual: number | null;
  /** Why it failed or was skipped; empty when it passed. */
  readonly message: string;
  /** Path rules: every offending path (renderers show the first few and a count). */
  readonly offenders?: readonly Offender[];
};

type Rule = {
  readonly name: RuleName;
  readonly describe: string;
  readonly actual: (a: Analysis) => number | null;
  /** True when the actual value violates the threshold. */
  readonly violates: (actual: number, threshold: number) => boolean;
  readonly failure: (actual: number, threshold: number) => string;
};

/** The rules, in dive's report order (sorted by name). Comparisons are dive's, exactly. */
export const RULES: readonly Rule[] = [
  {
    name: 'highestUserWastedPercent',
    describe: 'fail when wasted bytes exceed this fraction of the bytes the user layers add',
    actual: (a) => a.userWastedPercent,
    violates: (actual, t) => t < actual,
    failure: (actual, t) => `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${actual} > threshold=${t})`,
  },
  {
    name: 'highestWastedBytes',
    describe: 'fail when wasted bytes exceed this size (accepts units: 20MB, 1.5GiB)',
    actual: (a) => a.wastedBytes,
    violates: (actual, t) => actual > t,
    failure: (actual, t) => `too many bytes wasted (wasted-bytes=${actual} > threshold=${t})`,
  },
  {
    name: 'lowestEfficiency',
    describe: 'fail when the efficiency score is below this value (0..1)',
    actual: (a) => a.efficiency,
    violates: (actual, t) => t > actual,
    failure: (actual, t) => `image efficiency is too low (efficiency=${actual} < threshold=${t})`,
  },
];

/** Evaluates every rule against an analysis. A rule whose figure is undefined (no user bytes) passes, as in dive. */
export function evaluateRules(a: Analysis, settings: RuleSettings): RuleResult[] {
  return RULES.map((r) => {
    const t = settings[r.name];
    const actual = r.actual(a);
    if (t === 'disabled') return { name: r.name, status: 'skip', threshold: null, actual, message: 'rule disabled' };
    if (actual !== null && r.violates(actual, t)) return { name: r.name, status: 'fail', threshold: t, actual, message: r.failure(actual, t) };
    return { name: r.name, status: 'pass', threshold: t, actual, message: '' };
  });
}
