import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDockerArchive, buildTar, FIXTURES, NO_FIXTURES, ROOT, tmpDir } from '../helpers/image-files.js';
import { cleanupTemps, registrySkipReason, skopeoPush, startRegistry, type RunningRegistry } from '../helpers/registry-harness.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const img = (p: string) => path.join(FIXTURES ?? '', 'images', p);
type DiffJson = {
  schemaVersion: number;
  identical: boolean;
  old: { reference: string; platform: string | null };
  new: { reference: string; platform: string | null };
  sharedLayers: number;
  layers: { kind: string; moved: boolean }[];
  files: { path: string; change: string; aspects: string[]; sizeDelta: number; newLayer: number | null; oldSize: number | null; newSize: number | null }[];
  unchangedCount: number;
  totals: Record<string, { old: number; new: number; delta: number }>;
  rules?: { name: string; status: string }[];
};
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schema', 'diff-v1.schema.json'), 'utf8')) as object);
/** Runs `diff --json -` and checks what it wrote against `schema/diff-v1.schema.json`. */
const diffJson = (args: string[]) => {
  const r = runCli(['diff', '--json', '-', '--quiet', ...args]);
  expect(r.code, r.stderr).toBeLessThan(2);
  const json = JSON.parse(r.stdout) as DiffJson;
  expect(validate(json), ajv.errorsText(validate.errors)).toBe(true);
  return { ...r, json };
};

/** Two small images sharing a base layer: NEW grows a file, adds one, removes one. */
async function twoImages() {
  const dir = tmpDir();
  const base = await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/os', body: 'debian' }]);
  const oldTop = await buildTar([{ name: 'app/', type: 'directory' }, { name: 'app/main.js', body: 'x'.repeat(100) }, { name: 'app/old.txt', body: 'bye' }]);
  const newTop = await buildTar([{ name: 'app/', type: 'directory' }, { name: 'app/main.js', body: 'y'.repeat(5000) }, { name: 'app/new.txt', body: 'hello' }]);
  const a = path.join(dir, 'old.tar');
  const b = path.join(dir, 'new.tar');
  writeFileSync(a, await buildDockerArchive([{ tags: ['app:1'], layers: [base, oldTop] }]));
  writeFileSync(b, await buildDockerArchive([{ tags: ['app:2'], layers: [base, newTop] }]));
  return { a, b, dir };
}

describe('inspect-tui diff, headless', () => {
  it('writes the versioned JSON: shared base, each side, changed paths with deltas, totals', async () => {
    const { a, b } = await twoImages();
    const { json } = diffJson([a, b]);
    expect(json.schemaVersion).toBe(1);
    expect(json.identical).toBe(false);
    expect(json.sharedLayers).toBe(1);
    expect(json.layers.map((l) => l.kind)).toEqual(['shared', 'old-only', 'new-only']);
    const by = new Map(json.files.map((f) => [f.path, f]));
    expect(by.get('/app/main.js')).toMatchObject({ change: 'modified', aspects: ['content'], oldSize: 100, newSize: 5000, sizeDelta: 4900, newLayer: 1 });
    expect(by.get('/app/new.txt')).toMatchObject({ change: 'added', sizeDelta: 5, newLayer: 1 });
    expect(by.get('/app/old.txt')).toMatchObject({ change: 'removed', sizeDelta: -3, newLayer: null });
    expect(by.has('/etc/os')).toBe(false);
    expect(json.totals.sizeBytes!.delta).toBe(4902);
    expect(json.totals.layerCount).toEqual({ old: 2, new: 2, delta: 0 });
  });

  it('prints a summary, and gates on growth with exit 1', async () => {
    const { a, b } = await twoImages();
    const plain = runCli(['diff', '--quiet', a, b]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/size\s+.*\(\+4\.9 kB\)/);
    expect(plain.stdout).toMatch(/Largest added or grown:\n\s+\+4\.9 kB\s+modified\s+\/app\/main\.js\s+\(NEW L1\)/);
    const gate = runCli(['diff', '--ci', '--quiet', '--highestSizeIncrease', '1KB', a, b]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toMatch(/FAIL: highestSizeIncrease: the image size grew by 4902 bytes/);
    expect(gate.stdout.trimEnd().split('\n').at(-1)).toBe('FAIL [pass:0 fail:1 skip:2]');
    const gateJson = diffJson(['--ci', '--highestSizeIncrease', '1KB', a, b]);
    expect(gateJson.code).toBe(1);
    expect(gateJson.json.rules).toEqual([
      { name: 'highestSizeIncrease', status: 'fail', threshold: 1000, actual: 4902 },
      { name: 'highestWastedIncrease', status: 'skip', threshold: null, actual: 0 },
      { name: 'lowestEfficiency', status: 'skip', threshold: null, actual: expect.any(Number) },
    ]);
    // a fraction of OLD's size: 4902 / 109 bytes is far more than 50 %
    expect(runCli(['diff', '--ci', '--quiet', '--highestSizeIncrease=0.5', a, b]).code).toBe(1);
    const ok = runCli(['diff', '--ci', '--quiet', '--highestSizeIncrease', '1MB', '--lowestEfficiency', '0.5', a, b]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trimEnd().split('\n').at(-1)).toBe('PASS [pass:2 fail:0 skip:1]');
  });

  it('the schema is not vacuous: a wrong change kind, a missing total or an unknown key is refused', async () => {
    const { a, b } = await twoImages();
    const { json } = diffJson([a, b]);
    const bad = [
      { ...json, files: [{ ...json.files[0]!, change: 'renamed' }] },
      { ...json, totals: { ...json.totals, sizeBytes: undefined } },
      { ...json, extra: 1 },
      { ...json, schemaVersion: 2 },
    ].map((x) => JSON.parse(JSON.stringify(x)));
    for (const x of bad) expect(validate(x)).toBe(false);
  });

  it('reads its gate from the diff: block of .dive-ci, flags over the file; a bad key is one line', async () => {
    const { a, b, dir } = await twoImages();
    writeFileSync(path.join(dir, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.5\ndiff:\n  highestSizeIncrease: 2KB\n  lowestEfficiency: 0.1\n');
    const fromFile = runCli(['diff', '--ci', '--quiet', a, b], { cwd: dir });
    expect(fromFile.code).toBe(1);
    expect(fromFile.stdout).toMatch(/FAIL: highestSizeIncrease: .* more than 2000 bytes/);
    expect(fromFile.stdout).toMatch(/PASS: lowestEfficiency/);
    expect(runCli(['diff', '--ci', '--quiet', '--highestSizeIncrease', '1MB', a, b], { cwd: dir }).code).toBe(0);
    // dive's own CI mode reads the same file and ignores the diff block's rules
    expect(runCli(['--ci', '--quiet', a], { cwd: dir }).code).toBe(0);
    writeFileSync(path.join(dir, '.dive-ci'), 'diff:\n  highestSizeGrowth: 2KB\n');
    const bad = runCli(['diff', '--ci', '--quiet', a, b], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('inspect-tui: .dive-ci: unknown key "diff.highestSizeGrowth" (known: highestSizeIncrease, highestWastedIncrease, lowestEfficiency)');
  });

  it('the same image twice is identical, exit 0', async () => {
    const { a } = await twoImages();
    const r = diffJson([a, a]);
    expect(r.json.identical).toBe(true);
    expect(r.json.files).toEqual([]);
    expect(runCli(['diff', '--quiet', a, a]).stdout).toContain('The images are identical');
  });

  it.each([
    ['OLD', (a: string, m: string) => [m, a]],
    ['NEW', (a: string, m: string) => [a, m]],
  ] as const)('an unreadable %s image: one line naming it, exit 2, no stale JSON left', async (which, order) => {
    const { a, dir } = await twoImages();
    const missing = path.join(dir, 'missing.tar');
    const out = path.join(dir, 'report.json');
    writeFileSync(out, '{"stale":true}');
    const r = runCli(['diff', '--quiet', '--json', out, ...order(a, missing)]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^inspect-tui: ${which} .*missing\\.tar: no such file or directory`));
    expect(existsSync(out)).toBe(false);
  });

  it('--json - escapes what a terminal acts on, as every other output does: C1 and bidi controls from image paths', async () => {
    const dir = tmpDir();
    const evil = 'app/\u009b2J\u202eevil\u2066.txt\u0085';
    const base = await buildTar([{ name: 'app/', type: 'directory' }]);
    const top = await buildTar([{ name: evil, body: 'x' }]);
    const a = path.join(dir, 'old.tar');
    const b = path.join(dir, 'new.tar');
    writeFileSync(a, await buildDockerArchive([{ tags: ['app:1'], layers: [base] }]));
    writeFileSync(b, await buildDockerArchive([{ tags: ['app:2'], layers: [base, top] }]));
    const r = runCli(['diff', '--json', '-', '--quiet', a, b]);
    expect(r.code, r.stderr).toBe(0);
    // no C1 control, no bidi control, no line separator as a raw character: each is a \u escape
    expect(r.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('\\u009b2J\\u202eevil\\u2066.txt\\u0085');
    // and the data is unchanged: a JSON reader gets the exact path back
    const json = JSON.parse(r.stdout) as DiffJson;
    expect(json.files.map((f) => f.path)).toContain(`/${evil}`);
    expect(validate(json), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('refuses the wrong number of images and bad limits in one line', () => {
    expect(runCli(['diff', EXAMPLE]).stderr).toMatch(/^inspect-tui: diff compares two images/);
    const bad = runCli(['diff', '--highestSizeIncrease', 'lots', EXAMPLE, EXAMPLE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--highestSizeIncrease "lots" is neither a size/);
  });
});

describe.skipIf(!FIXTURES)(`inspect-tui diff over the fixtures${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  it('edge against edge-opaque: the opaque layer empties /data but for only-this', () => {
    const { json } = diffJson([img('edge.oci-archive.tar'), img('edge-opaque.oci-archive.tar')]);
    expect(json.layers.filter((l) => l.kind === 'shared').length).toBe(json.sharedLayers);
    expect(json.layers.filter((l) => l.kind === 'new-only')).toHaveLength(1);
    expect(json.layers.filter((l) => l.kind === 'old-only')).toHaveLength(0);
    const added = json.files.filter((f) => f.change === 'added').map((f) => f.path);
    expect(added).toEqual(['/data/only-this']);
    const removed = json.files.filter((f) => f.change === 'removed');
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((f) => f.path.startsWith('/data/') && f.newLayer === json.sharedLayers)).toBe(true);
  });

  it('two platforms of one index: allowed, and said in the header', () => {
    const multi = img('multiarch.oci-archive.tar');
    const r = diffJson(['--old-platform', 'linux/amd64', '--new-platform', 'linux/arm64', multi, multi]);
    expect(r.json.old.platform).toBe('linux/amd64');
    expect(r.json.new.platform).toMatch(/^linux\/arm64/);
    expect(r.json.identical).toBe(false);
    const text = runCli(['diff', '--quiet', '--old-platform', 'linux/amd64', '--new-platform', 'linux/arm64', multi, multi]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^note: the images are for different platforms \(linux\/amd64 → linux\/arm64/m);
  });

  it('the example image against edge gives the same files and sizes in every format pair', () => {
    const formats = ['edge.docker-archive.tar', 'edge.docker25-save.tar', 'edge.oci-archive.tar', 'edge.oci-zstd.tar', 'edge-oci-layout'];
    const shape = (j: DiffJson) => ({ files: j.files, size: j.totals.sizeBytes, files_: j.totals.fileCount, unchanged: j.unchangedCount });
    const first = diffJson([EXAMPLE, img(formats[0]!)]).json;
    expect(first.files.length).toBeGreaterThan(10);
    for (const f of formats.slice(1)) expect(shape(diffJson([EXAMPLE, img(f)]).json), f).toEqual(shape(first));
    // and between two formats of edge itself nothing differs but the way the layers are stored
    for (const [x, y] of [
      ['edge.docker-archive.tar', 'edge.oci-archive.tar'],
      ['edge.oci-zstd.tar', 'edge-oci-layout'],
    ]) {
      const j = diffJson([img(x!), img(y!)]).json;
      expect(j.files, `${x} vs ${y}`).toEqual([]);
      expect(j.sharedLayers).toBe(j.totals.layerCount!.new);
    }
  });
});

const skip = registrySkipReason();
describe.skipIf(skip !== undefined)('inspect-tui diff with a registry image', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ storageDir: tmpDir('registry-diff-') });
    await skopeoPush(`oci-archive:${img('edge.oci-archive.tar')}`, `docker://${reg.host}/fx/edge:1`);
  }, 120_000);
  afterAll(async () => {
    await reg?.stop();
    cleanupTemps();
  });

  it('a registry tag against a local tarball gives the same result as the two files', () => {
    const remote = diffJson(['--no-cache', EXAMPLE, `docker://${reg.host}/fx/edge:1`]).json;
    const local = diffJson(['--no-cache', EXAMPLE, img('edge.oci-archive.tar')]).json;
    expect(remote.files).toEqual(local.files);
    expect(remote.totals).toEqual(local.totals);
    expect(remote.layers.map((l) => l.kind)).toEqual(local.layers.map((l) => l.kind));
    expect(remote.new.reference).toBe(`docker://${reg.host}/fx/edge:1`);
  });
});
