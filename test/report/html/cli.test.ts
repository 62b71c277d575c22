import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { passingImage } from '../../cli/ci-fixtures.js';
import { tmpDir } from '../../helpers/image-files.js';
import { runCli } from '../../helpers/run-cli.js';

/** `--report html=FILE` on the command line: what it accepts, what it refuses, what it writes. */
describe('--report html=FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tmpDir('inspect-tui-html-cli-');
    await passingImage(dir);
  });

  it('writes one self-contained page and keeps the verdict and exit code', () => {
    const r = runCli(['--report', 'html=report.html', 'pass.tar'], { cwd: dir, env: { CI: '' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS [');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('default-src &#39;none&#39;');
    // nothing that would load from elsewhere
    expect(html).not.toMatch(/<(?:link|img|iframe)\b|\bsrc=|https?:\/\/(?!github\.com\/d3\/d3-hierarchy|www\.w3\.org\/2000\/svg)/);
  });

  it.each([
    // [what, args, the one line]
    ['a file is needed', ['--report', 'html', 'pass.tar'], '--report html: needs a file (html=FILE)'],
    ['diff takes only the html report', ['diff', '--report', 'markdown=m.md', 'pass.tar', 'pass.tar'], 'diff: --report markdown=m.md: diff writes only the html report (--report html=FILE)'],
    ['diff: the report and the JSON cannot be one file', ['diff', '--json', 'same.out', '--report', 'html=same.out', 'pass.tar', 'pass.tar'], '--report html=same.out: the same file as --json same.out; each output needs a file of its own'],
  ])('%s', (_what, args, line) => {
    // a file from an earlier run under the name asked for: a usage error touches nothing
    writeFileSync(path.join(dir, 'same.out'), 'kept');
    const r = runCli(args, { cwd: dir, env: { CI: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`inspect-tui: ${line}\n`);
    expect(readFileSync(path.join(dir, 'same.out'), 'utf8')).toBe('kept');
  });

  it('removes a report left from an earlier run when the image cannot be read', () => {
    const stale = path.join(dir, 'stale.html');
    writeFileSync(stale, 'from an earlier run');
    const r = runCli(['--report', 'html=stale.html', 'missing.tar'], { cwd: dir, env: { CI: '' } });
    expect(r.code).toBe(2);
    expect(existsSync(stale)).toBe(false);
  });

  it('diff --report html=FILE writes the comparison without opening the inspector, and implies the gate', () => {
    const r = runCli(['diff', '--report', 'html=diff.html', 'pass.tar', 'pass.tar'], { cwd: dir, env: { CI: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The images are identical');
    expect(r.stdout).toMatch(/^PASS \[/m);
    expect(readFileSync(path.join(dir, 'diff.html'), 'utf8')).toContain('"kind":"comparison"');
  });
});
