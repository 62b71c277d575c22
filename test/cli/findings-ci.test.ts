import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

describe('findings in CI mode', () => {
  it('the text report has a Findings section after the figures, and the JSON carries them', () => {
    const r = runCli(['--ci', '--quiet', EXAMPLE]);
    const text = r.stdout;
    expect(text.indexOf('Findings:')).toBeGreaterThan(text.indexOf('reclaimable:'));
    expect(text.indexOf('Findings:')).toBeLessThan(text.indexOf('Inefficient Files:'));
    // the copy's writer (L3) and the original's (L0) are blamed
    expect(text).toMatch(/48 kB {2}identical content at several paths {2}L0 → L3\n +L0: .*\n +L3: RUN rm -rf \/usr\/lib\/\* && cp \/bin\/busybox \/usr\/lib\/busybox\.bak/);
    expect(text).toMatch(/^Findings:\n {2}\S+ kB reclaimable, /m);
    const json = JSON.parse(runCli(['--ci', '--quiet', '--json', '-', EXAMPLE]).stdout) as { findings: { kind: string; bytes: number; survives: boolean }[]; summary: { reclaimable: { totalBytes: number } } };
    expect(json.findings.map((f) => f.kind)).toContain('deleted-later');
    expect(json.findings.filter((f) => !f.survives).reduce((s, f) => s + f.bytes, 0)).toBeLessThanOrEqual(json.summary.reclaimable.totalBytes);
  });

  it('highestFindingBytes fails the build when set, from the flag or .dive-ci; off by default', () => {
    const dir = tmpDir();
    const rules = (extra: string) => writeFileSync(path.join(dir, '.dive-ci'), `rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n${extra}`);
    rules('');
    expect(runCli(['--ci', '--quiet', EXAMPLE], { cwd: dir }).code).toBe(0);
    const flag = runCli(['--ci', '--quiet', '--highestFindingBytes', '50kB', EXAMPLE], { cwd: dir });
    expect(flag.code).toBe(1);
    expect(flag.stdout).toMatch(/FAIL: highestFindingBytes: the findings hold \d+ bytes \(> threshold=50000\)/);
    rules('  highestFindingBytes:\n    duplicate-content: 10kB\n');
    const perKind = runCli(['--ci', '--quiet', EXAMPLE], { cwd: dir });
    expect(perKind.code).toBe(1);
    expect(perKind.stdout).toMatch(/FAIL: highestFindingBytes: the duplicate-content findings hold 48000 bytes/);
  });

  it('--base-layers N reports waste inside the base apart', () => {
    const json = (args: string[]) => JSON.parse(runCli(['--ci', '--quiet', '--json', '-', ...args, EXAMPLE]).stdout) as { findings: { kind: string; bytes: number }[] };
    const none = json(['--base-layers', '0']);
    expect(none.findings.some((f) => f.kind === 'base-image')).toBe(false);
    // L0 wrote /usr/lib/libexample.so.1 and L3 deleted it: with four base layers that is the base's waste
    const four = json(['--base-layers', '4']);
    expect(four.findings.find((f) => f.kind === 'base-image')!.bytes).toBeGreaterThanOrEqual(24000);
    expect(runCli(['--ci', '--base-layers', 'some', EXAMPLE]).stderr).toMatch(/--base-layers "some" is not a number of layers/);
  });
});
