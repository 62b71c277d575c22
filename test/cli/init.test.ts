import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePathRules, parseCiFile } from '../../src/cli/ci-config.js';
import { FLAVOURS } from '../../src/cli/init.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

describe('inspect-tui init', () => {
  it.each(FLAVOURS)('--flavour %s writes a commented .dive-ci that the CI mode reads', (flavour) => {
    const dir = tmpDir();
    const r = runCli(['init', '--flavour', flavour], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote .dive-ci (${flavour}): run inspect-tui --ci IMAGE\n`);
    expect(readdirSync(dir)).toEqual(['.dive-ci']);
    const text = readFileSync(path.join(dir, '.dive-ci'), 'utf8');
    expect(text.match(/^\s*#/gm)!.length).toBeGreaterThan(10); // every key explained
    const cfg = parseCiFile(text, '.dive-ci');
    expect(cfg.rules).toEqual({ lowestEfficiency: 0.9, highestWastedBytes: 'disabled', highestUserWastedPercent: 0.1 });
    expect(cfg.paths.block).toContain('**/.git/**');
    expect(cfg.paths.maxLayerCount).toBe(30);
    compilePathRules(cfg.paths, '.dive-ci'); // every glob compiles
    // and a real run uses it: the example image breaks dive's rules, not the block list
    const ci = runCli(['--ci', '--quiet', path.join(ROOT, 'examples', 'example-image.tar')], { cwd: dir });
    expect(ci.code).toBe(1);
    expect(ci.stdout).toContain('  PASS: paths.block\n');
    expect(ci.stdout).toMatch(/ignored: \d+ paths/);
  });

  it('defaults to generic, refuses to overwrite without --force, replaces with it', () => {
    const dir = tmpDir();
    expect(runCli(['init'], { cwd: dir }).stdout).toContain('(generic)');
    writeFileSync(path.join(dir, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.5\n');
    const again = runCli(['init', '--flavour', 'go'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('inspect-tui: init: .dive-ci already exists (--force replaces it)\n');
    expect(readFileSync(path.join(dir, '.dive-ci'), 'utf8')).toBe('rules:\n  lowestEfficiency: 0.5\n');
    expect(runCli(['init', '--flavour', 'go', '--force'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(path.join(dir, '.dive-ci'), 'utf8')).toContain('--flavour go');
    expect(readdirSync(dir)).toEqual(['.dive-ci']);
  });

  it('an unknown flavour or flag is one line, exit 2', () => {
    const dir = tmpDir();
    const r = runCli(['init', '--flavour', 'rust'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('inspect-tui: init: --flavour "rust" is not one of node, python, java, go, generic\n');
    expect(runCli(['init', '--frobnicate'], { cwd: dir }).stderr).toBe('inspect-tui: init: unknown option --frobnicate (see inspect-tui init --help)\n');
    expect(readdirSync(dir)).toEqual([]);
  });
});
