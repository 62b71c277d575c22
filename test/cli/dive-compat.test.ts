import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSPECT_OPTIONS } from '../../src/cli/args.js';
import { DIFF_OPTIONS } from '../../src/cli/diff-args.js';
import { INIT_OPTIONS } from '../../src/cli/init.js';
import { editDistance, suggestOption } from '../../src/cli/options.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

/** Every quote character of a message comes in pairs. */
function balanced(line: string): boolean {
  return [...line].filter((c) => c === "'").length % 2 === 0 && [...line].filter((c) => c === '"').length % 2 === 0;
}

describe('an unknown option', () => {
  it.each([
    // one letter missing
    [['--jsn', 'x.tar'], 'inspect-tui: unknown option --jsn; did you mean --json? (see --help)'],
    // dive's camelCase written in lower case
    [['--lowestefficiency', '0.5', 'x.tar'], 'inspect-tui: unknown option --lowestefficiency; did you mean --lowestEfficiency? (see --help)'],
    // two letters swapped
    [['--qiuet', 'x.tar'], 'inspect-tui: unknown option --qiuet; did you mean --quiet? (see --help)'],
    // a unique prefix
    [['--json-f', 'dive', 'x.tar'], 'inspect-tui: unknown option --json-f; did you mean --json-format? (see --help)'],
    // diff's own table: its options, not the inspector's
    [['diff', '--old-platfrom', 'linux/arm64', 'a.tar', 'b.tar'], 'inspect-tui: diff: unknown option --old-platfrom; did you mean --old-platform? (see inspect-tui diff --help)'],
    // nothing near: no guess
    [['--frobnicate', 'x.tar'], 'inspect-tui: unknown option --frobnicate (see --help)'],
    // a value written to a switch, and a missing value, in our words
    [['--ci=yes', 'x.tar'], 'inspect-tui: --ci takes no value (see --help)'],
    [['x.tar', '--json'], 'inspect-tui: --json needs a value: FILE (see --help)'],
  ])('%j: one line with balanced quotes, exit 2', (argv, line) => {
    const r = runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
    expect(balanced(r.stderr)).toBe(true);
  });

  it('suggests from the command\'s own table, never a hidden spelling, and only when near', () => {
    expect(suggestOption('--flavuor', INIT_OPTIONS)).toBe('--flavour');
    expect(suggestOption('--flavor', INIT_OPTIONS.filter((o) => o.name !== 'flavor'))).toBe('--flavour');
    expect(suggestOption('--report-format', INSPECT_OPTIONS)).toBeUndefined();
    expect(suggestOption('--highestSizeIncrease', INSPECT_OPTIONS)).toBeUndefined();
    expect(suggestOption('--highestSizeIncraese', DIFF_OPTIONS)).toBe('--highestSizeIncrease');
    expect(suggestOption('-x', INSPECT_OPTIONS)).toBeUndefined();
  });

  it.each([
    ['json', 'json', 0],
    ['jsn', 'json', 1],
    ['qiuet', 'quiet', 1], // a swap costs one
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('editDistance(%s, %s) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("dive's flags", () => {
  it('-j FILE is --json FILE', () => {
    const dir = tmpDir();
    const a = runCli(['--ci', '--quiet', '-j', path.join(dir, 'a.json'), EXAMPLE]);
    const b = runCli(['--ci', '--quiet', '--json', path.join(dir, 'b.json'), EXAMPLE]);
    expect(a.code).toBe(1); // the example breaks dive's default rules
    expect(b.code).toBe(1);
    const doc = JSON.parse(readFileSync(path.join(dir, 'a.json'), 'utf8')) as { summary: { wastedBytes: number } };
    expect(doc.summary.wastedBytes).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'b.json'), 'utf8'));
  });

  it('--ignore-errors: an unreadable image of several is reported and skipped; the verdict is the readable ones\'', () => {
    const dir = tmpDir();
    copyFileSync(EXAMPLE, path.join(dir, 'a-good.tar'));
    writeFileSync(path.join(dir, 'b-broken.tar'), 'not a tar at all, but long enough to be looked at'.repeat(20));
    const pass = ['--lowestEfficiency', 'disabled', '--highestUserWastedPercent', 'disabled'];
    const args = ['--ci', '--quiet', ...pass, '--report', 'junit=out.xml', '*.tar'];

    // without it, the unreadable image makes the run exit 2, after the readable one was reported
    const strict = runCli(args, { cwd: dir });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toContain('a-good.tar');
    // the unreadable image is named once, then counted (it used to be named twice)
    expect(strict.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^inspect-tui: b-broken\.tar: /), 'inspect-tui: 1 of 2 images could not be read (named above)']);

    const lenient = runCli(['--ignore-errors', ...args], { cwd: dir });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('a-good.tar');
    // still named: on stderr, once, and as an error in the report
    expect(lenient.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^inspect-tui: b-broken\.tar: /)]);
    expect(readFileSync(path.join(dir, 'out.xml'), 'utf8')).toMatch(/<error[^>]*>[^<]*b-broken\.tar|b-broken\.tar[\s\S]*<error/);

    // the readable image's own verdict still counts: dive's default rules fail it
    expect(runCli(['--ignore-errors', '--ci', '--quiet', '*.tar'], { cwd: dir }).code).toBe(1);
  });

  it('--ignore-errors does not make an unreadable image pass: with none readable, exit 2', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'a.tar'), 'x'.repeat(2000));
    writeFileSync(path.join(dir, 'b.tar'), 'y'.repeat(2000));
    const r = runCli(['--ignore-errors', '--ci', '--quiet', '*.tar'], { cwd: dir });
    expect(r.code).toBe(2);
    const one = runCli(['--ignore-errors', '--ci', '--quiet', 'a.tar'], { cwd: dir });
    expect(one.code).toBe(2);
    expect(one.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
