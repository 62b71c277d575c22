import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/format/escape.js';
import { buildTar, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { CI_CONFIG, controlBytes, failingImage, HOSTILE, HOSTILE_ESCAPED, writeDockerArchive } from './ci-fixtures.js';

/**
 * Output that cannot be forged: an image whose file names and history commands carry terminal
 * escapes (clear screen, set title, 8-bit CSI), a carriage return and a line break followed by
 * a fake "PASS" verdict. Neither stdout, stderr nor any report may hold a byte a terminal acts
 * on, and no line may start with the fake verdict.
 */

describe('escapeControl', () => {
  it.each<[string, string]>([
    ['plain/path.txt', 'plain/path.txt'],
    ['a\x1b[2Jb', 'a\\x1b[2Jb'], // ESC
    ['t\x1b]0;title\x07', 't\\x1b]0;title\\x07'], // OSC … BEL
    ['c1\u009b31m', 'c1\\x9b31m'], // 8-bit CSI
    ['\u0085nel', '\\x85nel'], // C1 NEL
    ['cr\rlf\ntab\t', 'cr\\rlf\\ntab\\t'],
    ['nul\0del\x7f', 'nul\\x00del\\x7f'],
    ['bidi\u202eevil\u2066', 'bidi\\u202eevil\\u2066'], // "Trojan Source" reordering
    ['ls\u2028ps\u2029', 'ls\\u2028ps\\u2029'],
    ['grüße/日本/😀', 'grüße/日本/😀'], // printable non-ASCII is kept
  ])('%j', (input, expected) => {
    expect(escapeControl(input)).toBe(expected);
    expect(controlBytes(Buffer.from(escapeControl(input)))).toEqual([]);
  });
});

describe('CI output from an image with hostile names', () => {
  let out: string;
  let r: ReturnType<typeof runCli>;
  beforeAll(async () => {
    out = tmpDir('inspect-tui-hostile-');
    await failingImage(out);
    writeFileSync(path.join(out, '.dive-ci'), CI_CONFIG);
    r = runCli(['--quiet', '--report', 'junit=r.xml', '--report', 'sarif=r.sarif', '--report', 'codequality=cq.json', '--report', 'markdown=r.md', '--report', 'github', '--json', 'out.json', 'fail.tar'], { cwd: out, env: { CI: '' } });
  });

  it('the text report and the workflow commands on stdout hold no control byte, and name the file escaped', () => {
    expect(r.code, r.stderr).toBe(1);
    expect(controlBytes(Buffer.from(r.stdout))).toEqual([]);
    expect(controlBytes(Buffer.from(r.stderr))).toEqual([]);
    // the inefficient-files row and the block rule's offender line
    expect(r.stdout).toContain(`    2        1.1 kB  /app/${HOSTILE_ESCAPED}\n`);
    expect(r.stdout).toContain(`    /app/${HOSTILE_ESCAPED} (600 B, layer 1: RUN echo '\\x1b]0;title\\x07' && npm ci)\n`);
    // the fake verdict never starts a line: the only verdict line is the real one, last
    expect(r.stdout.split('\n').filter((l) => /^(PASS|FAIL) \[/.test(l))).toEqual(['FAIL [pass:0 fail:6 skip:1]']);
  });

  it.each(['r.xml', 'r.sarif', 'cq.json', 'r.md', 'out.json'])('%s holds no control byte', (f) => {
    const bytes = readFileSync(path.join(out, f));
    expect(controlBytes(bytes)).toEqual([]);
    expect(bytes.includes(0x1b)).toBe(false);
    // the name is there, in the file's own escaping: visible escapes in the reports
    expect(bytes.toString('utf8')).toContain('pwned');
  });

  it('the JSON export keeps the name exact, written with \\u escapes (C1 included)', () => {
    const text = readFileSync(path.join(out, 'out.json'), 'utf8');
    expect(text).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\rPASS');
    const j = JSON.parse(text) as { inefficientFiles: { path: string }[] };
    expect(j.inefficientFiles[0]!.path).toBe(`/app/${HOSTILE}`);
  });

  it("strings from the image's config (its platform) are escaped in the report too", async () => {
    const dir = tmpDir();
    await writeDockerArchive(path.join(dir, 'os.tar'), [[{ name: 'a', body: 'a' }]], { os: 'linux\x1b]0;owned\x07' });
    const o = runCli(['--ci', '--quiet', 'os.tar'], { cwd: dir });
    expect(o.code, o.stderr).toBe(0);
    expect(controlBytes(Buffer.from(o.stdout))).toEqual([]);
    expect(o.stdout).toContain('platform: linux\\x1b]0;owned\\x07/amd64');
  });

  it('a one-line error that quotes a name from the archive escapes it too', async () => {
    const evil = 'x\x1b[2J\x1b]0;owned\x07\nPASS [pass:3 fail:0 skip:0]';
    const tar = await buildTar([{ name: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', RepoTags: ['a:1'], Layers: [`${evil}/layer.tar`] }]) }, { name: 'c.json', body: JSON.stringify({ rootfs: { type: 'layers', diff_ids: ['sha256:' + '0'.repeat(64)] }, history: [] }) }]);
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'bad.tar'), tar);
    const e = runCli(['--ci', 'bad.tar'], { cwd: dir });
    expect(e.code).toBe(2);
    expect(controlBytes(Buffer.from(e.stderr))).toEqual([]);
    expect(e.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(e.stderr).toContain('x\\x1b[2J\\x1b]0;owned\\x07\\nPASS');
    expect(e.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['bad.tar']);
  });
});
