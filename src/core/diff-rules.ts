import type { ImageComparison } from './compare-images.js';

/**
 * The CI gate on growth between two images (`inspect-tui diff --ci`, `.dive-ci` `diff:`). Each
 * rule is off unless given a threshold.
 */
export type DiffRuleName = 'highestSizeIncrease' | 'highestWastedIncrease' | 'lowestEfficiency';

/** A growth threshold: absolute bytes (`20MB`), or a fraction of OLD's figure (`0.05` = 5 %). */
export type GrowthLimit = { readonly bytes: number } | { readonly fraction: number };

export type DiffRuleSettings = {
  readonly highestSizeIncrease?: GrowthLimit;
  readonly highestWastedIncrease?: GrowthLimit;
  /** NEW's efficiency must not fall below this (0..1). */
  readonly lowestEfficiency?: number;
};

export type DiffRuleResult = {
  readonly name: DiffRuleName;
  readonly status: 'pass' | 'fail' | 'skip';
  /** The threshold in the rule's unit (bytes, or NEW's efficiency); null when skipped. */
  readonly threshold: number | null;
  /** The measured value in the same unit. */
  readonly actual: number;
  /** Why it failed or was skipped; empty when it passed. */
  readonly message: string;
};

/** A growth limit as bytes, given OLD's figure. */
function limitBytes(limit: GrowthLimit, old: number): number {
  return 'bytes' in limit ? limit.bytes : old * limit.fraction;
}

const describeLimit = (limit: GrowthLimit) => ('bytes' in limit ? `${limit.bytes} bytes` : `${limit.fraction * 100} % of OLD`);

/** Evaluates the growth rules, in name order. */
export function evaluateDiffRules(c: ImageComparison, settings: DiffRuleSettings): DiffRuleResult[] {
  const growth = (name: DiffRuleName, what: string, figure: { old: number; delta: number }, limit: GrowthLimit | undefined): DiffRuleResult => {
    if (!limit) return { name, status: 'skip', threshold: null, actual: figure.delta, message: 'rule disabled' };
    const t = limitBytes(limit, figure.old);
    if (figure.delta > t) return { name, status: 'fail', threshold: t, actual: figure.delta, message: `${what} grew by ${figure.delta} bytes, more than ${describeLimit(limit)} (${Math.round(t)} bytes)` };
    return { name, status: 'pass', threshold: t, actual: figure.delta, message: '' };
  };
  const eff = c.totals.efficiency.new;
  const lowest = settings.lowestEfficiency;
  return [
    growth('highestSizeIncrease', 'the image size', c.totals.sizeBytes, settings.highestSizeIncrease),
    growth('highestWastedIncrease', 'the wasted bytes', c.totals.wastedBytes, settings.highestWastedIncrease),
    lowest === undefined
      ? { name: 'lowestEfficiency', status: 'skip', threshold: null, actual: eff, message: 'rule disabled' }
      : eff < lowest
        ? { name: 'lowestEfficiency', status: 'fail', threshold: lowest, actual: eff, message: `NEW's efficiency is too low (efficiency=${eff} < threshold=${lowest})` }
        : { name: 'lowestEfficiency', status: 'pass', threshold: lowest, actual: eff, message: '' },
  ];
}
