import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareDpkgVersions, compareRpmVersions, compareVersions } from '../../src/packages/index.js';
import { hasTool, run } from '../helpers/packages.js';

// Each manager's order checked against the manager itself: `dpkg --compare-versions`, rpm's
// `rpm.vercmp` (rpm's Lua interface to rpmvercmp/EVR comparison) and Python's `packaging`.

/** A small deterministic generator, so a failure names the same pair on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = (r: () => number, s: string) => s[Math.floor(r() * s.length)]!;

/** Versions made of the characters each algorithm treats specially, in random runs. */
function versions(seed: number, n: number, alphabet: string, start: string): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = pick(r, start);
    const len = 1 + Math.floor(r() * 7);
    for (let k = 0; k < len; k++) v += pick(r, alphabet);
    out.push(v);
  }
  return out;
}

const sign = (n: number | undefined) => (n === undefined ? undefined : n < 0 ? -1 : n > 0 ? 1 : 0);

describe.skipIf(!hasTool('dpkg', ['--version']))('dpkg version order', () => {
  /** dpkg's answer; a version dpkg rejects (exit status 2) fails the test rather than count as an order. */
  const dpkgSays = (a: string, b: string) => {
    const ask = (op: string) => {
      const { status, stderr } = spawnSync('dpkg', ['--compare-versions', a, op, b], { encoding: 'utf8' });
      if (status !== 0 && status !== 1) throw new Error(`dpkg rejects ${a} or ${b}: ${stderr}`);
      return status === 0;
    };
    return ask('lt') ? -1 : ask('eq') ? 0 : 1;
  };

  it.each([
    // [a, b, order] — the rules the Debian policy manual spells out
    ['1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1], // a tilde sorts before the end
    ['1.0~rc1', '1.0~~', 1],
    ['1:0.1', '2.0', 1], // the epoch first
    ['1.0-1', '1.0-2', -1],
    ['1.0a', '1.0+', -1], // letters before non-letters
    ['1.001', '1.1', 0], // numbers compare as numbers
    ['2.0-1', '2.0', 1], // a revision makes it newer than none
  ])('%s vs %s is %i, as dpkg says', (a, b, order) => {
    expect(compareDpkgVersions(a, b)).toBe(order);
    expect(dpkgSays(a, b)).toBe(order);
  });

  it('agrees with dpkg --compare-versions on generated versions', () => {
    // Valid dpkg versions: an upstream part starting with a digit, and sometimes a revision.
    const up = versions(7, 60, '0123456789.~+ab', '0123456789');
    const rev = versions(8, 60, '0123456789.~+ab', '0123456789ab~');
    const vs = up.map((u, i) => (i % 3 === 0 ? u : `${i % 5 === 0 ? `${i % 4}:` : ''}${u}-${rev[i]}`));
    const pairs = vs.map((v, i) => [v, vs[(i * 7 + 3) % vs.length]!] as const).concat(vs.map((v) => [v, `${v}~`] as const));
    for (const [a, b] of pairs) expect(`${a} ${b} ${compareDpkgVersions(a, b)}`).toBe(`${a} ${b} ${dpkgSays(a, b)}`);
  });
});

describe.skipIf(!hasTool('rpm'))('rpm version order', () => {
  /** rpm.vercmp for every pair, in one rpm run. */
  const rpmSays = (pairs: readonly (readonly [string, string])[]): number[] => {
    const lua = pairs.map(([a, b]) => `rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)})`).join(' .. "\\n" .. ');
    return run('rpm', ['--eval', `%{lua: print(${lua})}`]).trim().split('\n').map(Number);
  };

  it('agrees with rpm on the documented cases and on generated versions', () => {
    const cases: [string, string][] = [
      ['1.0', '1.0'],
      ['1.0~rc1', '1.0'], // tilde: before everything, the end included
      ['1.0^git1', '1.0'], // caret: after the end, before anything else
      ['1.0^git1', '1.0.1'],
      ['1.0a', '1.0'],
      ['1.01', '1.1'],
      ['2:1.0-1', '1:9.0-1'],
      ['1.0-1.fc39', '1.0-1.fc40'],
      ['a', '1'], // numeric segments are newer than alphabetic ones
    ];
    const vs = versions(11, 80, '0123456789.~^-_ab', '0123456789a');
    const pairs = [...cases, ...vs.map((v, i) => [v, vs[(i * 5 + 1) % vs.length]!] as [string, string])];
    const expected = rpmSays(pairs);
    expect(pairs.map(([a, b]) => `${a} ${b} ${compareRpmVersions(a, b)}`)).toEqual(pairs.map(([a, b], i) => `${a} ${b} ${expected[i]}`));
  });
});

const PY = '/usr/bin/python3';
describe.skipIf(!existsSync(PY))('pip version order', () => {
  it('agrees with the packaging library pip itself uses', () => {
    const vs = ['1.0', '1.0.0', '1.0rc1', '1.0.post1', '1.0.dev3', '1!0.5', '2.0a1', '2.0b2', '1.0+local.1', '0.9.9', '1.0c1', '1.0-1'];
    const pairs = vs.flatMap((a) => vs.map((b) => [a, b] as const));
    const script = `import json,sys\nfrom pip._vendor.packaging.version import Version\nfor a,b in json.load(sys.stdin):\n  x,y=Version(a),Version(b)\n  print(-1 if x<y else 1 if x>y else 0)`;
    const out = spawnSync(PY, ['-c', script], { input: JSON.stringify(pairs), encoding: 'utf8' });
    const expected = out.stdout.trim().split('\n').map(Number);
    expect(expected).toHaveLength(pairs.length);
    expect(pairs.map(([a, b]) => `${a} ${b} ${sign(compareVersions('pip', a, b))}`)).toEqual(pairs.map(([a, b], i) => `${a} ${b} ${expected[i]}`));
  });
});

describe('version order across managers', () => {
  it.each([
    // [manager, a, b, order or undefined when the tool does not know]
    ['npm', '1.2.3', '1.10.0', -1],
    ['npm', '2.0.0-beta.1', '2.0.0', -1], // a prerelease before its release
    ['npm', '1.0.0+build.1', '1.0.0', 0], // build metadata has no precedence
    ['npm', 'not-a-version', '1.0.0', undefined],
    ['pip', 'garbage!', '1.0', undefined],
    ['apk', '1.36.1-r5', '1.36.1-r15', undefined], // apk's order is not implemented: no direction claimed
    ['dpkg', 'x:1.0', '1.0', undefined], // an epoch that is no number
    ['dpkg', '1.0', '1.0'.padEnd(300, '1'), undefined], // longer than any version kept
  ] as const)('%s: %s vs %s', (m, a, b, order) => {
    expect(sign(compareVersions(m, a, b))).toBe(order);
  });
});
