import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage, indexImage, type Analysis, type LayerEntry } from '../../src/core/index.js';
import { compareImages } from '../../src/core/compare-images.js';
import { escapeControl } from '../../src/format/escape.js';
import { formatDiffReport } from '../../src/report/diff-report.js';
import { COMMAND_CHARS, cutEnd, cutMiddle, FILES_SHOWN, OFFENDERS_SHOWN, PATH_CHARS, reportCommand, reportPath, TEXT_CHARS } from '../../src/report/limits.js';
import { buildDockerArchive, buildTar, tmpDir, type TarItem } from '../helpers/image-files.js';
import { contentKeysOf, contentOfEntry, file } from '../helpers/layers.js';
import { runCli } from '../helpers/run-cli.js';

const MiB = 1 << 20;
const codePoints = (s: string) => [...s].length;

describe('cutting a string from the image', () => {
  it('keeps a string within the limit exactly as it was, and escapes as before', () => {
    const s = 'RUN apt-get install -y curl \x1b[2J';
    expect(reportCommand(s)).toBe(escapeControl(s));
    expect(reportPath('/etc/ssl/private/key.pem')).toBe('/etc/ssl/private/key.pem');
  });

  it('cuts a long command at its end and a long path in its middle, to the stated length with …', () => {
    const command = `RUN ${'x'.repeat(MiB)}`;
    const cut = reportCommand(command);
    expect(codePoints(cut)).toBe(COMMAND_CHARS);
    expect(cut).toBe(`RUN ${'x'.repeat(COMMAND_CHARS - 5)}…`);
    const p = `/app/${'d/'.repeat(MiB / 2)}secret.pem`;
    const cp = reportPath(p);
    expect(codePoints(cp)).toBe(PATH_CHARS);
    expect(cp.startsWith('/app/d/')).toBe(true);
    expect(cp.endsWith('/d/secret.pem')).toBe(true);
    expect(cp).toContain('…');
  });

  it('never splits a surrogate pair, a letter from its combining marks, or an emoji joined by ZWJ', () => {
    // Each row: the text around the cut, built so the naive cut (at max - 1 code units) lands inside it.
    const rows: [string, string][] = [
      ['surrogate pair', '😀'],
      ['combining marks', 'e\u0301\u0302'],
      ['ZWJ sequence', '👩\u200d👩\u200d👧'],
      ['variation selector', '❤\ufe0f'],
    ];
    for (const [why, unit] of rows) {
      for (let shift = 0; shift < 6; shift++) {
        const s = `${'a'.repeat(COMMAND_CHARS - 3 + shift)}${unit.repeat(4)}${'b'.repeat(300)}`;
        const cut = cutEnd(s, COMMAND_CHARS);
        const kept = cut.slice(0, -1);
        expect([why, shift, codePoints(cut) <= COMMAND_CHARS]).toEqual([why, shift, true]);
        // what is kept is whole units, nothing of a unit is left dangling
        expect([why, shift, kept.replace(/^a*/, '').split(unit).every((x) => x === '')]).toEqual([why, shift, true]);
        const mid = cutMiddle(`${unit.repeat(200)}${'c'.repeat(shift)}${unit.repeat(200)}`, PATH_CHARS);
        expect([why, shift, codePoints(mid) <= PATH_CHARS]).toEqual([why, shift, true]);
        expect([why, shift, mid.replace(/c/g, '').split('…').every((part) => part.split(unit).every((x) => x === ''))]).toEqual([why, shift, true]);
      }
    }
  });

  it('a letter with a megabyte of combining marks is cut too, keeping the letter with a mark', () => {
    const zalgo = `abc${'e'}${'\u0301'.repeat(MiB)}`;
    const cut = cutEnd(zalgo, COMMAND_CHARS);
    expect(cut).toBe('abce\u0301…');
  });

  it('cuts before escaping, so an escape is never cut in two', () => {
    const s = `${'a'.repeat(COMMAND_CHARS - 2)}\x1b[2J${'z'.repeat(10)}`;
    expect(reportCommand(s)).toBe(`${'a'.repeat(COMMAND_CHARS - 2)}\\x1b…`);
  });
});

describe('the comparison summary', () => {
  /** An image of one layer with its command, on a platform whose variant the image wrote. */
  function image(id: string, entries: LayerEntry[], command: string, variant: string): Analysis {
    const index = indexImage({
      identity: { reference: `test:${id}`, source: 'test', platform: { os: 'linux', architecture: 'arm', variant } },
      config: { diffIds: [`sha256:${id.padStart(64, '0')}`], history: [{ createdBy: command, emptyLayer: false }], config: {} },
      layers: [{ descriptor: { diffId: `sha256:${id.padStart(64, '0')}` }, entries }],
    });
    return analyzeImage(index, contentKeysOf(index));
  }

  it('cuts commands, paths and the platform, and escapes the platform (it was printed as the image wrote it)', () => {
    const longPath = `app/${'p'.repeat(100_000)}.js`;
    const a = image('1', [file('a', 1)], `/bin/sh -c ${'o'.repeat(MiB)}`, 'v7\x1b[2J');
    const b = image('2', [file(longPath, 5)], `/bin/sh -c ${'n'.repeat(MiB)}`, `v8\x1b]0;t\x07${'x'.repeat(MiB)}`);
    const text = formatDiffReport(compareImages(a, b, { old: (g) => contentOfEntry(a.tree.entry(g)), new: (g) => contentOfEntry(b.tree.entry(g)) }));
    expect(Buffer.byteLength(text)).toBeLessThan(8 * 1024);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toContain('OLD: test:1 (linux/arm/v7\\x1b[2J)');
    expect(text).toContain(`NEW: test:2 (linux/arm/v8\\x1b]0;t\\x07${'x'.repeat(TEXT_CHARS - 'linux/arm/v8\x1b]0;t\x07'.length - 1)}…)`);
    expect(text).toContain(`  - OLD L0       1 B  ${reportCommand(`RUN ${'o'.repeat(MiB)}`)}`);
    expect(text).toContain(reportPath(`/${longPath}`));
  });
});

/**
 * An image of three layers, each made by a 1 MB `created_by`, with 25 offending files whose
 * names are 100 kB each, run through the built CLI with every report format at once.
 */
describe('reports of an image with 1 MB commands and 100 kB names stay small', () => {
  const commands = ['apt-get install', 'npm ci', 'rm -rf /tmp/cache'].map((c, i) => `/bin/sh -c ${c} ${String(i).repeat(MiB)}`);
  // as the summary shows a history step
  const shown = commands.map((c) => c.replace('/bin/sh -c ', 'RUN '));
  const longName = (i: number) => `secrets/${String.fromCharCode(97 + (i % 26)).repeat(100_000)}-${i}.pem`;
  let dir: string;
  let r: ReturnType<typeof runCli>;

  beforeAll(async () => {
    dir = tmpDir('inspect-tui-bounds-');
    const pems: TarItem[] = Array.from({ length: 25 }, (_, i) => ({ name: longName(i), body: `key ${i}` }));
    const layers = await Promise.all([
      buildTar([{ name: 'secrets/', type: 'directory' }, ...pems, { name: 'tmp/', type: 'directory' }, { name: 'tmp/cache/big', body: Buffer.alloc(50_000, 1) }, { name: 'data', body: 'one' }]),
      buildTar([{ name: 'data', body: 'two' }, { name: 'var/cache/apt/archives/x.deb', body: Buffer.alloc(20_000, 2) }]),
      buildTar([{ name: 'tmp/cache/.wh.big', body: '' }]),
    ]);
    writeFileSync(path.join(dir, 'img.tar'), await buildDockerArchive([{ tags: ['big:1'], layers, history: commands }]));
    writeFileSync(path.join(dir, '.dive-ci'), "rules:\n  lowestEfficiency: 0.99\npaths:\n  block: ['/secrets/*.pem']\n  denyWaste: ['/tmp/**']\n  maxFileSize: 1\n");
    const reports = ['junit=r.xml', 'sarif=r.sarif', 'codequality=cq.json', 'markdown=r.md', 'github'].flatMap((x) => ['--report', x]);
    r = runCli(['--quiet', ...reports, '--json', 'out.json', 'docker-archive:img.tar'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: undefined } });
  }, 120_000);

  it('the run fails on the rules and names the offenders', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`    … and ${25 - OFFENDERS_SHOWN} more\n`);
  });

  it('every report file, and stdout (the text report and the workflow commands), is under 1 MiB', () => {
    const sizes = Object.fromEntries(['r.xml', 'r.sarif', 'cq.json', 'r.md'].map((f) => [f, statSync(path.join(dir, f)).size]));
    sizes.stdout = Buffer.byteLength(r.stdout);
    for (const [what, size] of Object.entries(sizes)) expect([what, size < MiB]).toEqual([what, true]);
    // and each still names what it must: the command's start, the offending path's start and end
    const sarif = readFileSync(path.join(dir, 'r.sarif'), 'utf8');
    const results = JSON.parse(sarif).runs[0].results as { ruleId: string; properties: { command?: string } }[];
    expect(results.filter((x) => x.ruleId === 'paths.block')).toHaveLength(1 + OFFENDERS_SHOWN);
    expect(results.find((x) => x.properties.command)!.properties.command).toBe(reportCommand(shown[0]!));
    const md = readFileSync(path.join(dir, 'r.md'), 'utf8');
    expect(md).toMatch(/\/secrets\/a+…a+-0\.pem/);
    const layers = md.slice(md.indexOf('<summary>Layers</summary>')).split('\n').filter((l) => /^\| \d \|/.test(l));
    expect(layers.map((l) => l.includes(`${reportCommand(shown[Number(l[2])]!)} |`))).toEqual([true, true, true]);
  });

  it('the JSON export is the data, not a report: it keeps every command whole', () => {
    const exp = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as { layers: { command: string }[] };
    expect(exp.layers.map((l) => l.command)).toEqual(shown);
  });

  it('the comparison summary of two such images too', async () => {
    const other = await buildTar([{ name: 'other', body: 'x' }]);
    writeFileSync(path.join(dir, 'other.tar'), await buildDockerArchive([{ tags: ['other:1'], layers: [other], history: [`/bin/sh -c ${'y'.repeat(MiB)}`] }]));
    const d = runCli(['diff', 'docker-archive:other.tar', 'docker-archive:img.tar'], { cwd: dir });
    expect(d.stderr).toBe('');
    expect(d.stdout).toContain('Layers: 0 shared');
    expect(Buffer.byteLength(d.stdout)).toBeLessThan(64 * 1024);
  }, 60_000);

  it('the text report lists at most FILES_SHOWN inefficient files', () => {
    const section = r.stdout.slice(r.stdout.indexOf('Inefficient Files:'), r.stdout.indexOf('Evaluation:'));
    expect(section.split('\n').filter((l) => /^\s+\d+\s+\S/.test(l)).length).toBeLessThanOrEqual(FILES_SHOWN);
  });
});
