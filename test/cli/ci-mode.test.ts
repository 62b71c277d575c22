import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, NO_FIXTURES, ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

describe('--ci on the example image', () => {
  it('prints the report and exits 1 because its waste breaks the default rules', () => {
    const r = runCli(['--ci', EXAMPLE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Analysis:$/m);
    expect(r.stdout).toMatch(/^ {2}efficiency: \d+\.\d{4} %$/m);
    expect(r.stdout).toMatch(/^Count {2}Wasted Space {2}File Path$/m);
    expect(r.stdout).toMatch(/^\s+3\s+90 kB\s+\/usr\/bin\/app$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('FAIL [pass:0 fail:2 skip:1]');
  });

  it('exits 0 when the thresholds allow it, and CI=true alone selects the mode', () => {
    const r = runCli(['--lowestEfficiency=0.5', '--highestUserWastedPercent', 'disabled', EXAMPLE], { env: { CI: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('PASS [pass:1 fail:0 skip:2]');
  });

  it('reads .dive-ci from the working directory, --ci-config over it, flags over both', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 1MB\n');
    expect(runCli(['--ci', EXAMPLE], { cwd: dir }).code).toBe(0);
    writeFileSync(path.join(dir, 'strict.yaml'), 'rules:\n  highestWastedBytes: 1kB\n');
    const strict = runCli(['--ci', '--ci-config', 'strict.yaml', EXAMPLE], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/FAIL: highestWastedBytes: too many bytes wasted \(wasted-bytes=\d+ > threshold=1000\)/);
    expect(runCli(['--ci', '--highestWastedBytes', 'disabled', '--lowestEfficiency', '0.1', '--highestUserWastedPercent', '5', EXAMPLE], { cwd: dir }).code).toBe(0);
  });

  it('writes JSON to stdout with the report on stderr, or to the one file asked for', () => {
    const r = runCli(['--ci', '--json', '-', '--quiet', EXAMPLE]);
    const j = JSON.parse(r.stdout);
    expect(j.schemaVersion).toBe(1);
    expect(j.summary.layerCount).toBe(5);
    expect(j.rules.map((x: { name: string; status: string }) => `${x.name}:${x.status}`)).toEqual([
      'highestUserWastedPercent:fail', 'highestWastedBytes:skip', 'lowestEfficiency:fail',
    ]);
    expect(j.layers[4].changes).toEqual({ added: 0, modified: 1, removed: 0, unmodified: 0 });
    expect(j.inefficientFiles[0]).toEqual({ path: '/usr/bin/app', count: 3, wastedBytes: 90000 });
    expect(r.stderr).toMatch(/^Analysis:$/m);

    const dir = tmpDir();
    const out = runCli(['--ci', '--json', 'report.json', '--json-format', 'dive', EXAMPLE], { cwd: dir });
    expect(out.code).toBe(1);
    expect(readdirSync(dir)).toEqual(['report.json']);
    const dive = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(Object.keys(dive)).toEqual(['layer', 'image']);
    expect(dive.image.fileReference[0]).toEqual({ count: 3, sizeBytes: 90000, file: '/usr/bin/app' });
  });

  it('expands globs and reports each image in turn, exit 1 if any fails', () => {
    const dir = tmpDir();
    mkdirSync(path.join(dir, 'dist'));
    copyFileSync(EXAMPLE, path.join(dir, 'dist', 'a.tar'));
    copyFileSync(EXAMPLE, path.join(dir, 'dist', 'b.tar'));
    const r = runCli(['--ci', 'dist/*.tar'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/^Image: /gm)).toHaveLength(2);
    expect(r.stdout).toContain('docker-archive:dist/a.tar');
    expect(r.stdout).toContain('docker-archive:dist/b.tar');
    const none = runCli(['--ci', 'nothing/*.tar'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('inspect-tui: nothing/*.tar: no files match\n');
  });

  it('reads an archive from stdin', () => {
    const r = runCli(['--ci', '--quiet', '-'], { input: readFileSync(EXAMPLE) });
    expect(r.stdout).toMatch(/^Image: docker-archive:-$/m);
    expect(r.code).toBe(1);
  });
});

describe.skipIf(!FIXTURES)(`--ci on dive's test image${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  it("prints dive's figures and fails highestUserWastedPercent as dive does", () => {
    const r = runCli(['--ci', path.join(FIXTURES!, 'dive', 'test-docker-image.tar')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  efficiency: 98.4421 %\n  wastedBytes: 32025 bytes (32 kB)\n  userWastedPercent: 48.3491 %\n');
    expect(r.stdout).toContain('    2         13 kB  /root/saved.txt');
    expect(r.stdout).toContain('  PASS: lowestEfficiency\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('FAIL [pass:1 fail:1 skip:1]');
  });

  it('passes with thresholds dive users would set for it', () => {
    const r = runCli(['--ci', '--highestUserWastedPercent', '0.5', '--highestWastedBytes', '33kB', path.join(FIXTURES!, 'dive', 'test-docker-image.tar')]);
    expect(r.code).toBe(0);
  });

  it('edge with --platform through the CLI and JSON summaries that agree across formats', () => {
    const img = (f: string) => path.join(FIXTURES!, 'images', f);
    const a = JSON.parse(runCli(['--ci', '--json', '-', '--quiet', img('edge.docker-archive.tar')]).stdout);
    const b = JSON.parse(runCli(['--ci', '--json', '-', '--quiet', `oci-archive:${img('edge.oci-zstd.tar')}`]).stdout);
    expect(b.summary).toEqual(a.summary);
    const arm = JSON.parse(runCli(['--ci', '--json', '-', '--quiet', '--platform', 'linux/arm64', img('multiarch.oci-archive.tar')]).stdout);
    expect(arm.image.platform).toMatch(/^linux\/arm64/);
    expect(existsSync(img('edge.oci-zstd.tar'))).toBe(true);
  });
});
