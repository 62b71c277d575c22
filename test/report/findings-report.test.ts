import { describe, expect, it } from 'vitest';
import { evaluateFindingRules } from '../../src/core/findings-rules.js';
import { findFindings } from '../../src/core/findings.js';
import { findingsMarkdown, findingsToJson, formatFindingsSection } from '../../src/report/findings-report.js';
import { buildAnalysis, dir, file, whiteout } from '../helpers/build-analysis.js';

const a = buildAnalysis([
  { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/conf', 1000)] },
  { command: 'apt-get update', entries: [dir('var'), file('var/lib/apt/lists/main', 4000), dir('tmp'), file('tmp/x\x1b[2Jevil', 20000)] },
  { command: 'rm /tmp/*', entries: [whiteout('tmp/x\x1b[2Jevil')] },
]);
const f = findFindings(a, { baseLayers: 0 });

describe('findings in reports', () => {
  it('the CI section lists the largest findings with layers, commands, paths and the fix, escaped', () => {
    const text = formatFindingsSection(f).join('\n');
    // "reclaimable" is what findings add up to; "wasted" stays dive's figure
    expect(text).toMatch(/^Findings:\n {2}20 kB reclaimable, 4\.0 kB of caches and leftovers kept/);
    expect(text).not.toMatch(/wasted/);
    expect(text).toMatch(/20 kB {2}deleted in a later layer {2}L1 → L2\n +L1: RUN apt-get update\n +L2: RUN rm \/tmp\/\*\n +\/tmp\/x\\x1b\[2Jevil\n +fix: delete these files in the same RUN/);
    expect(text).toMatch(/4\.0 kB {2}package manager cache kept \(apt\) {2}L1/);
    expect(text).not.toContain('\x1b');
  });

  it('the JSON carries every field; the Markdown is a table', () => {
    const json = findingsToJson(f);
    expect(json[0]).toEqual({ kind: 'deleted-later', bytes: 20000, survives: false, layers: [{ index: 1, command: 'RUN apt-get update' }, { index: 2, command: 'RUN rm /tmp/*' }], paths: [{ path: '/tmp/x\x1b[2Jevil', bytes: 20000 }], pathCount: 1, advice: expect.any(String), manager: null, owners: [], fromBase: false });
    const md = findingsMarkdown(f, (s) => s.replace(/\|/g, '\\|'));
    expect(md[0]).toBe('| bytes | finding | layers | largest paths | owners | fix |');
    expect(md).toHaveLength(2 + f.length);
  });

  it('highestFindingBytes fails per kind or in total, and is off unless set', () => {
    expect(evaluateFindingRules(f, {})).toEqual([]);
    const r = evaluateFindingRules(f, { total: 30000, perKind: { 'package-cache': 1000 } });
    expect(r.map((x) => [x.scope, x.status, x.actual])).toEqual([
      ['total', 'pass', 24000],
      ['package-cache', 'fail', 4000],
    ]);
    expect(r[1]!.message).toMatch(/package-cache findings hold 4000 bytes \(> threshold=1000\)/);
  });
});
