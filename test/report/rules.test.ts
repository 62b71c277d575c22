import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, evaluateRules } from '../../src/core/rules/rules.js';
import { parseCiConfig, parseCli, resolveRules } from '../../src/cli/args.js';
import { formatCiReport } from '../../src/report/ci-report.js';
import { analyze, file } from '../helpers/layers.js';

// contributions: base [1000], a [100, 100] → efficiency 1100/1200, wasted 200, userWastedPercent 1
const a = analyze([[file('base', 1000)], [file('a', 100)], [file('a', 100, { content: 'x' })]]);

describe('CI rules', () => {
  it('uses dive defaults and comparisons', () => {
    const r = evaluateRules(a, DEFAULT_RULES);
    expect(r.map((x) => [x.name, x.status])).toEqual([
      ['highestUserWastedPercent', 'fail'],
      ['highestWastedBytes', 'skip'],
      ['lowestEfficiency', 'pass'],
    ]);
    expect(a.efficiency).toBe(1100 / 1200);
  });

  it('passes at exactly the threshold (strict comparisons, as dive)', () => {
    const r = evaluateRules(a, { lowestEfficiency: a.efficiency, highestWastedBytes: a.wastedBytes, highestUserWastedPercent: a.userWastedPercent! });
    expect(r.every((x) => x.status === 'pass')).toBe(true);
    const r2 = evaluateRules(a, { lowestEfficiency: 'disabled', highestWastedBytes: a.wastedBytes - 1, highestUserWastedPercent: 'disabled' });
    expect(r2.map((x) => x.status)).toEqual(['skip', 'fail', 'skip']);
  });

  it('reads .dive-ci YAML and lets flags override it', () => {
    const fromFile = parseCiConfig('rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n', '.dive-ci');
    expect(fromFile).toEqual({ lowestEfficiency: 0.95, highestWastedBytes: 20_000_000, highestUserWastedPercent: 'disabled' });
    const opts = parseCli(['--ci', '--lowestEfficiency', '0.5', 'x.tar'], {});
    expect(resolveRules(fromFile, opts.ruleOverrides)).toEqual({ lowestEfficiency: 0.5, highestWastedBytes: 20_000_000, highestUserWastedPercent: 'disabled' });
  });

  it.each([
    ['rules:\n  lowestEfficiency: high\n', /lowestEfficiency "high" is not a number/],
    ['rules:\n  highestWastedBytes: lots\n', /highestWastedBytes "lots" is not a size/],
    ['rules:\n  fastest: 1\n', /unknown rule "fastest"/],
    ['rules: [1, 2\n', /not valid YAML/],
  ])('rejects a bad config %j', (text, msg) => expect(() => parseCiConfig(text, '.dive-ci')).toThrow(msg));

  it('prints the report with one final summary line', () => {
    const text = formatCiReport(a, evaluateRules(a, DEFAULT_RULES));
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('FAIL [pass:1 fail:1 skip:1]');
    expect(text).toContain('  efficiency: 91.6667 %');
    expect(text).toContain('  wastedBytes: 200 bytes (200 B)');
    expect(text).toContain('    2         200 B  /a');
    expect(text).toMatch(/FAIL: highestUserWastedPercent: too many bytes wasted/);
  });
});
