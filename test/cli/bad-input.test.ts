import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDockerArchive, buildTar, ROOT, sha256, TAR_GZ, tmpDir, writeOciLayout } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

/** Exit 2, exactly one line on stderr naming `what`, no stack trace, nothing on stdout. */
function expectOneLineError(r: ReturnType<typeof runCli>, what: string, msg: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^inspect-tui: /);
  expect(lines[0]).toContain(what);
  expect(lines[0]).toMatch(msg);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
const layer = () => buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/a', body: 'A'.repeat(3000) }]);

beforeAll(() => {
  dir = tmpDir();
});

describe('bad input: one line naming the file, exit 2, no stack', () => {
  it('a truncated archive', async () => {
    const full = readFileSync(path.join(ROOT, 'examples', 'example-image.tar'));
    const f = path.join(dir, 'truncated.tar');
    writeFileSync(f, full.subarray(0, 40_000));
    expectOneLineError(runCli(['--ci', f]), f, /truncated/);
  });

  it('a corrupt gzip layer', async () => {
    const l = await layer();
    const gz = zlib.gzipSync(l);
    const bad = Buffer.from(gz);
    for (let i = 20; i < 60; i++) bad[i] ^= 0x5a;
    const d = writeOciLayout(path.join(dir, 'corrupt-gz'), [{ blob: bad, diff: l, mediaType: TAR_GZ }]);
    expectOneLineError(runCli(['--ci', `oci:${d}`]), d, /cannot (decompress|read) the (gzip )?layer|truncated/);
  });

  it('a missing blob', async () => {
    const l = await layer();
    const d = writeOciLayout(path.join(dir, 'missing-blob'), [{ blob: l, diff: l, mediaType: 'application/vnd.oci.image.layer.v1.tar' }]);
    rmSync(path.join(d, 'blobs', 'sha256', sha256(l)));
    expectOneLineError(runCli(['--ci', `oci:${d}`]), d, new RegExp(`names layer sha256:${sha256(l)}, which the layout lacks`));
  });

  it('a manifest that names a layer the archive lacks', async () => {
    const l = await layer();
    const good = JSON.stringify([{ Config: 'cfg.json', RepoTags: ['x:1'], Layers: ['nope/layer.tar'] }]);
    const buf = await buildTar([
      { name: 'cfg.json', body: JSON.stringify({ rootfs: { diff_ids: [`sha256:${sha256(l)}`] }, history: [] }) },
      { name: 'manifest.json', body: good },
    ]);
    const f = path.join(dir, 'lacks-layer.tar');
    writeFileSync(f, buf);
    expectOneLineError(runCli(['--ci', f]), f, /manifest\.json names layer "nope\/layer\.tar", which the archive lacks/);
  });

  it('invalid JSON', async () => {
    const f = path.join(dir, 'bad-json.tar');
    writeFileSync(f, await buildDockerArchive([{ tags: ['x:1'], layers: [await layer()] }], { manifestOverride: '[{"Config": ' }));
    expectOneLineError(runCli(['--ci', f]), f, /manifest\.json: not valid JSON/);
  });

  it('an unknown compression', async () => {
    const xz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(100, 7)]);
    const d = writeOciLayout(path.join(dir, 'xz'), [{ blob: xz, diff: xz, mediaType: 'application/vnd.oci.image.layer.v1.tar+xz' }]);
    expectOneLineError(runCli(['--ci', `oci:${d}`]), d, /unknown layer compression: xz-compressed data/);
  });

  it('a file that is no image', () => {
    const f = path.join(dir, 'notes.txt');
    writeFileSync(f, 'just some text, not an image\n'.repeat(40));
    expectOneLineError(runCli(['--ci', f]), f, /: not an image archive/);
  });

  it('a path that does not exist', () => {
    const f = path.join(dir, 'nowhere.tar');
    expectOneLineError(runCli(['--ci', `docker-archive:${f}`]), f, /no such file or directory/);
  });

  it('wrong usage', () => {
    expectOneLineError(runCli(['--ci', '--frobnicate', 'x.tar']), '--frobnicate', /unknown option/);
    expectOneLineError(runCli(['--ci', '--lowestEfficiency', 'high', 'x.tar']), '--lowestEfficiency', /not a number/);
    expectOneLineError(runCli(['--ci']), 'no image', /see --help/);
    expectOneLineError(runCli(['--ci', '--platform', 'linux', 'x.tar']), '--platform', /os\/arch/);
  });

  it('a --json file that cannot be written', () => {
    const out = path.join(dir, 'no', 'such', 'dir', 'report.json');
    const r = runCli(['--ci', '--quiet', '--json', out, path.join(ROOT, 'examples', 'example-image.tar')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`inspect-tui: --json ${out}: cannot write the file (no such directory)`]);
  });

  it('a --platform the single-platform image is not', () => {
    const img = path.join(ROOT, 'examples', 'example-image.tar');
    expectOneLineError(runCli(['--ci', '--platform', 'linux/arm64', img]), img, /: a linux\/amd64 image, not linux\/arm64/);
    expect(runCli(['--ci', '--quiet', '--platform', 'linux/amd64', img]).code).toBe(1);
  });

  it('an invalid .dive-ci', () => {
    const d = tmpDir();
    writeFileSync(path.join(d, '.dive-ci'), 'rules:\n  lowestEfficiency: [');
    expectOneLineError(runCli(['--ci', path.join(ROOT, 'examples', 'example-image.tar')], { cwd: d }), '.dive-ci', /not valid YAML/);
  });

  it('--debug adds the stack and cause chain', () => {
    const f = path.join(dir, 'nowhere.tar');
    const r = runCli(['--ci', '--debug', `docker-archive:${f}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/caused by: Error: ENOENT/);
  });
});

describe('stdin and terminals', () => {
  const example = path.join(ROOT, 'examples', 'example-image.tar');
  it('docker-archive:- reads the image from stdin, as - does', () => {
    const input = readFileSync(example);
    const viaDash = runCli(['--ci', '--json', '-', '--quiet', '-'], { input });
    const viaTransport = runCli(['--ci', '--json', '-', '--quiet', 'docker-archive:-'], { input });
    expect(viaTransport.code, viaTransport.stderr).toBe(viaDash.code); // the report goes to stderr with --json -
    expect(JSON.parse(viaTransport.stdout).summary).toEqual(JSON.parse(viaDash.stdout).summary);
  });

  it('without a terminal and without --ci, says the inspector needs one: one line, exit 2, no escape codes', () => {
    const r = runCli([example], { env: { CI: '' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('inspect-tui: the inspector needs a terminal: use --ci for the report, or --json FILE for the analysis\n');
  });
});
