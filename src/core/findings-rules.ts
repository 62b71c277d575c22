import type { Finding, FindingKind } from './findings.js';

/**
 * `highestFindingBytes`: fail when the findings' bytes exceed a threshold — all findings
 * together, or per kind. Off unless configured.
 */
export type FindingRuleSettings = { readonly total?: number; readonly perKind?: Readonly<Partial<Record<FindingKind, number>>> };

export type FindingRuleResult = {
  readonly name: 'highestFindingBytes';
  /** `total`, or the kind the threshold is for. */
  readonly scope: 'total' | FindingKind;
  readonly status: 'pass' | 'fail';
  readonly threshold: number;
  readonly actual: number;
  readonly message: string;
};

/** One result per configured threshold (none when the rule is off). */
export function evaluateFindingRules(findings: readonly Finding[], settings: FindingRuleSettings): FindingRuleResult[] {
  const out: FindingRuleResult[] = [];
  const check = (scope: 'total' | FindingKind, threshold: number, actual: number) => {
    const fail = actual > threshold;
    out.push({
      name: 'highestFindingBytes',
      scope,
      status: fail ? 'fail' : 'pass',
      threshold,
      actual,
      message: fail ? `${scope === 'total' ? 'the findings' : `the ${scope} findings`} hold ${actual} bytes (> threshold=${threshold})` : '',
    });
  };
  if (settings.total !== undefined) check('total', settings.total, findings.reduce((s, f) => s + f.bytes, 0));
  for (const [kind, t] of Object.entries(settings.perKind ?? {}) as [FindingKind, number][]) {
    check(kind, t, findings.filter((f) => f.kind === kind).reduce((s, f) => s + f.bytes, 0));
  }
  return out;
}
