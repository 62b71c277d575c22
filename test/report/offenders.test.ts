import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { evaluatePathRules } from '../../src/core/path-rules.js';
import { DEFAULT_RULES, evaluateRules } from '../../src/core/rules/rules.js';
import { formatCiReport } from '../../src/report/ci-report.js';
import type { CiOutcome } from '../../src/report/ci-result.js';
import { formatCodeQuality } from '../../src/report/codequality.js';
import { formatGithubCommands } from '../../src/report/github.js';
import { toExportV1 } from '../../src/report/json-export.js';
import { formatJUnit } from '../../src/report/junit.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatSarif } from '../../src/report/sarif.js';
import { analyze, dir, file } from '../helpers/layers.js';

/** 25 blocked files: every renderer names the first 20, in path order, then counts the rest. */
describe('offending paths: the first 20, then a count', () => {
  const names = Array.from({ length: 25 }, (_, i) => `secrets/k${String(i).padStart(2, '0')}.pem`);
  const a = analyze([[dir('secrets'), ...names.map((n) => file(n, 10))]]);
  const rules = [...evaluateRules(a, DEFAULT_RULES), ...evaluatePathRules(a, { block: picomatch('/secrets/*.pem', { dot: true }) })];
  const outcome: CiOutcome = { kind: 'analysed', summary: a, rules };
  const shown = names.slice(0, 20).map((n) => `/${n}`);

  it('the core keeps them all', () => {
    expect(rules.at(-1)!.offenders).toHaveLength(25);
  });

  it('text report', () => {
    const text = formatCiReport(a, rules);
    for (const p of shown) expect(text).toContain(`    ${p} (10 B, layer 0: ${a.layers[0]!.command})\n`);
    expect(text).not.toContain('/secrets/k20.pem');
    expect(text).toContain('    … and 5 more\n');
  });

  it('JUnit, Markdown and workflow commands', () => {
    for (const out of [formatJUnit([outcome], '/'), formatMarkdown([outcome]), formatGithubCommands([outcome], '/')]) {
      expect(out).toContain('k19.pem');
      expect(out).not.toContain('k20.pem');
      expect(out).toContain('… and 5 more');
    }
  });

  it('SARIF and Code Quality: one result per shown path, the rest noted', () => {
    const sarif = JSON.parse(formatSarif([outcome], { version: '0', cwd: '/' }));
    expect(sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'paths.block')).toHaveLength(1 + 20);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications[0].message.text).toMatch(/paths\.block: 5 more offending paths not listed$/);
    expect(JSON.parse(formatCodeQuality([outcome], '/')).filter((i: { check_name: string }) => i.check_name === 'inspect-tui/paths.block')).toHaveLength(21);
  });

  it('JSON export: the first 20 and the count', () => {
    const e = toExportV1(a, rules);
    const block = e.rules!.find((r) => r.name === 'paths.block')!;
    expect(block.offenders!.map((o) => o.path)).toEqual(shown);
    expect(block.offenderCount).toBe(25);
  });
});

describe('counts in the reports agree with their nouns', () => {
  it('one layer and one file are said in the singular', () => {
    const a = analyze([[file('only', 10)]]);
    const md = formatMarkdown([{ kind: 'analysed', summary: a, rules: evaluateRules(a, DEFAULT_RULES) }]);
    expect(md).toContain('(1 layer, 1 file)');
  });
});
