import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors/index.js';
import { compilePathRules, parseCiFile } from '../../src/cli/ci-config.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

describe('.dive-ci: dive\'s keys unchanged, paths: checked key by key', () => {
  it('reads a dive file as dive does, and paths: beside it', () => {
    const dive = 'rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n';
    expect(parseCiFile(dive, '.dive-ci')).toEqual({ rules: { lowestEfficiency: 0.95, highestWastedBytes: 20_000_000, highestUserWastedPercent: 'disabled' }, paths: {}, diff: {}, findings: {} });
    const both = parseCiFile(`${dive}paths:\n  ignore: '/var/lib/rpm/**'\n  block: ['**/.git/**', '**/*.pem']\n  denyWaste: []\n  maxFileSize: 100MB\n  maxLayerCount: 30\n`, '.dive-ci');
    expect(both.paths).toEqual({ ignore: ['/var/lib/rpm/**'], block: ['**/.git/**', '**/*.pem'], denyWaste: [], maxFileSize: 100_000_000, maxLayerCount: 30 });
    const { ignore, rules } = compilePathRules(both.paths, '.dive-ci');
    expect(ignore!('/var/lib/rpm/Packages')).toBe(true);
    expect(ignore!('/var/lib/rpmdb')).toBe(false);
    expect(rules.block!('/srv/app/.git/HEAD')).toBe(true);
    expect(rules.block!('/root/.ssh/key.pem')).toBe(true); // ** crosses hidden directories
    expect(rules.block!('/srv/app.pem.txt')).toBe(false);
    expect(rules.denyWaste).toBeUndefined(); // an empty list is no rule
  });

  it.each<[string, string]>([
    // an unknown key anywhere: at the top, under rules, under paths
    ['rule:\n  lowestEfficiency: 0.9\n', '.dive-ci: unknown key "rule" (known: rules, paths, diff)'],
    ['rules:\n  fastest: 1\n', '.dive-ci: unknown rule "fastest" (known: lowestEfficiency, highestWastedBytes, highestUserWastedPercent)'],
    ['paths:\n  ignored: ["/a"]\n', '.dive-ci: unknown key "paths.ignored" (known: ignore, block, denyWaste, maxFileSize, maxLayerCount)'],
    // wrong types
    ['paths: [1, 2]\n', '.dive-ci: "paths" must be a mapping (ignore, block, denyWaste, maxFileSize, maxLayerCount)'],
    ['paths:\n  block: 3\n', '.dive-ci: paths.block must be a list of globs, not 3'],
    ['paths:\n  block: ["/a", 7]\n', '.dive-ci: paths.block[1]: 7 is not a glob (a non-empty string)'],
    ['paths:\n  maxFileSize: huge\n', '.dive-ci: paths.maxFileSize: "huge" is not a size (for example 100MB)'],
    ['paths:\n  maxLayerCount: 2.5\n', '.dive-ci: paths.maxLayerCount: 2.5 is not a whole number of layers (1 or more)'],
    ['paths:\n  maxLayerCount: 0\n', '.dive-ci: paths.maxLayerCount: 0 is not a whole number of layers (1 or more)'],
    // globs that can never match an absolute path, or never match at all
    ['paths:\n  ignore: ["*.pem"]\n', '.dive-ci: paths.ignore[0]: "*.pem" is not an absolute glob (start it with / or **)'],
    ['paths:\n  denyWaste: ["/a/{b,c"]\n', '.dive-ci: paths.denyWaste[0]: "/a/{b,c" is not a valid glob (it can never match)'],
    ['paths:\n  block: ["/[z-a]"]\n', '.dive-ci: paths.block[0]: "/[z-a]" is not a valid glob (it can never match)'],
    ['paths:\n  block: [""]\n', '.dive-ci: paths.block[0]: "" is not a glob (a non-empty string)'],
    // a glob that cannot be matched directory by directory (picomatch lets `[/]` match a separator)
    ['paths:\n  block: ["/a[/]b"]\n', '.dive-ci: paths.block[0]: "/a[/]b" is not supported: a "/" inside [...] cannot be matched directory by directory'],
    ['- a\n- b\n', '.dive-ci: must be a mapping with "rules", "paths" and "diff"'],
  ])('%j → one line naming the key', (text, message) => {
    let err: unknown;
    try {
      parseCiFile(text, '.dive-ci');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(message);
  });

  it('through the CLI: exit 2, one line, nothing read or written', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'gate.yaml'), 'rules:\n  lowestEfficiency: 0.5\npaths:\n  block: ["**/.git/**", "{oops"]\n');
    const r = runCli(['--ci', '--ci-config', 'gate.yaml', '--json', 'out.json', '--report', 'junit=r.xml', EXAMPLE], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('inspect-tui: gate.yaml: paths.block[1]: "{oops" is not an absolute glob (start it with / or **)\n');
  });

  it("a .dive-ci written for dive gives the same verdict and figures as before path rules existed", () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.6\n  highestWastedBytes: 200KB\n  highestUserWastedPercent: 0.8\n');
    const r = runCli(['--ci', '--quiet', EXAMPLE], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/paths\.|ignored/);
    expect(r.stdout).toContain('  efficiency: 62.6969 %\n  wastedBytes: 124095 bytes (124 kB)\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('PASS [pass:3 fail:0 skip:0]');
  });
});

describe('rules.highestFindingBytes', () => {
  it('takes a size for all findings, or one per kind; an unknown kind is one line naming the key', () => {
    expect(parseCiFile('rules:\n  highestFindingBytes: 20MB\n', '.dive-ci').findings).toEqual({ total: 20_000_000 });
    expect(parseCiFile('rules:\n  highestFindingBytes:\n    package-cache: 1MB\n    total: 5MB\n', '.dive-ci').findings).toEqual({ total: 5_000_000, perKind: { 'package-cache': 1_000_000 } });
    expect(parseCiFile('rules:\n  highestFindingBytes: disabled\n', '.dive-ci').findings).toEqual({});
    expect(() => parseCiFile('rules:\n  highestFindingBytes:\n    caches: 1MB\n', '.dive-ci')).toThrow(/^\.dive-ci: unknown key "rules\.highestFindingBytes\.caches" \(known: total, deleted-later/);
    expect(() => parseCiFile('rules:\n  highestFindingBytes: lots\n', '.dive-ci')).toThrow(/rules\.highestFindingBytes "lots" is not a size/);
  });
});
