import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DiffExportV1 } from '../../src/report/diff-report.js';
import type { ExportV1 } from '../../src/report/json-export.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { NO_PACKAGE_TOOLS, packageImages, type PackageImages } from '../helpers/package-images.js';
import { runCli } from '../helpers/run-cli.js';

// Images whose package databases dpkg, npm and rpm wrote (test/helpers/package-images.ts),
// through the built program: `--json`, `--ci`, `diff --json`, the Markdown report. Each image
// is read in place (plain layers) and as streams (gzip layers): the same packages either way.

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateExport = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schema', 'export-v1.schema.json'), 'utf8')) as object);
const validateDiff = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schema', 'diff-v1.schema.json'), 'utf8')) as object);

/** `--json -` of one image, in a cache directory of its own unless one is given; checked against the schema. */
function exportOf(file: string, extra: string[] = [], env: Record<string, string> = {}): ExportV1 {
  const r = runCli(['--json', '-', '--quiet', ...extra, file], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-'), ...env } });
  expect(r.code, r.stderr).toBe(0);
  const e = JSON.parse(r.stdout) as ExportV1;
  expect(validateExport(e), ajv.errorsText(validateExport.errors)).toBe(true);
  return e;
}

/** `manager name version` lines, sorted, as the tools list them. */
const lines = (list: readonly { manager: string; name: string; version: string }[]) => list.map((p) => `${p.manager} ${p.name} ${p.version}`).sort();
/** What each layer did, as `+name version`, `-name version`, `~name before→after` strings. */
const layerChanges = (e: ExportV1) =>
  e.layers.map((l) => [...l.packages!.added.map((p) => `+${p.name} ${p.version}`), ...l.packages!.removed.map((p) => `-${p.name} ${p.version}`), ...l.packages!.changed.map((c) => `~${c.name} ${c.before}→${c.after}`)]);

describe.skipIf(NO_PACKAGE_TOOLS !== undefined)(`packages through the command line${NO_PACKAGE_TOOLS ? ` (${NO_PACKAGE_TOOLS})` : ''}`, () => {
  let im: PackageImages;
  beforeAll(async () => {
    im = await packageImages();
  }, 240_000);

  it('--json lists the packages the tools installed, with their files, bytes and layer, read in place or as streams', () => {
    for (const [side, files] of [['old', im.old], ['new', im.new]] as const) {
      for (const file of [files.plain, files.gzip]) {
        const e = exportOf(file);
        expect(e.packageWarnings).toEqual([]);
        // What dpkg-query, npm query and rpm -qa list of the root after the image's last layer.
        expect(lines(e.packages!)).toEqual(im.listed[side]);
        // Each package's files and bytes as the test wrote them, and the layer that installed it.
        expect(e.packages).toEqual(im.expected[side]);
      }
    }
  });

  it('--json gives each layer its package changes', () => {
    const e = exportOf(im.new.gzip);
    expect(layerChanges(e)).toEqual([
      ['+pkg-base 1.0', '+pkg-edit 1.0', '+pkg-lib 1.5', '+pkg-same 1.0', '+pkg-tool 2.0'],
      ['+pkg-a 1.0.0', '+pkg-b 1.0.0'],
      // pkg-same and pkg-edit 1.0 reinstalled with other content are no version change
      ['+pkg-new 0.1', '~pkg-lib 1.5→1.4', '~pkg-tool 2.0→2.1'],
      ['+pkg-c 3.0.0', '-pkg-base 1.0'],
      ...(im.rpm ? [['+r 2-1']] : []),
    ]);
    expect(e.layers[1]!.packages!.added[0]).toEqual({ manager: 'npm', name: 'pkg-a', version: '1.0.0', path: 'app/node_modules/pkg-a' });
  });

  it('--ci says how many packages there are; the second run, from the result cache, exports the same', () => {
    const cache = tmpDir('pkg-cache-');
    const first = runCli(['--ci', '--json', 'out.json', '--quiet', im.new.gzip], { cwd: tmpDir(), env: { CI: '', XDG_CACHE_HOME: cache } });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Packages: ${im.expected.new.length} (dpkg 5, ${im.rpm ? 'rpm 1, ' : ''}npm 3)`);
    const cold = exportOf(im.new.gzip, ['--ci'], { XDG_CACHE_HOME: cache });
    const warm = exportOf(im.new.gzip, ['--ci'], { XDG_CACHE_HOME: cache });
    expect(warm).toEqual(cold);
    expect(warm.packages).toEqual(im.expected.new);
  });

  it('the library resolves to the analysis with the same packages beside it, and its JSON is the CLI\'s', async () => {
    const { inspectImage, toJsonExport } = await import('../../src/index.js');
    const a = await inspectImage(im.new.gzip, { cache: false, env: {} });
    expect(a.packages!.packages).toEqual(im.expected.new);
    expect(a.efficiency).toBeGreaterThan(0);
    expect(a.findings.length).toBeGreaterThan(0); // still derived from the analysis
    const id = a.tree.find('usr/bin/tool')!;
    expect(a.packages!.ownerAt(a.layers.length - 1, id)).toMatchObject({ manager: 'dpkg', name: 'pkg-tool', version: '2.1' });
    expect(toJsonExport(a)).toEqual(exportOf(im.new.gzip));
    const without = await inspectImage(im.new.gzip, { cache: false, env: {}, packages: false });
    expect(without.packages).toBeUndefined();
    expect(toJsonExport(without)).not.toHaveProperty('packages');
  });

  it("the library's reports of the inspected image are the CLI's: the Markdown's largest packages, the HTML page's packages and owners", async () => {
    // The built entry point: the HTML page's script is built beside it.
    const { inspectImage, renderReport, evaluateRules, DEFAULT_RULES } = (await import(pathToFileURL(path.join(ROOT, 'dist', 'index.js')).href)) as typeof import('../../src/index.js');
    const dir = tmpDir('pkg-reports-');
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const r = runCli(['--quiet', '--report', 'markdown=r.md', '--report', 'html=r.html', im.new.gzip], { cwd: dir, env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-'), GITHUB_STEP_SUMMARY: undefined } });
    expect([0, 1], r.stderr).toContain(r.code);
    const a = await inspectImage(im.new.gzip, { cache: false, env: {} });
    const rules = evaluateRules(a, DEFAULT_RULES);
    const md = renderReport('markdown', [{ analysis: a, rules }], { version, cwd: dir });
    expect(md).toBe(readFileSync(path.join(dir, 'r.md'), 'utf8'));
    expect(md).toContain('| dpkg | pkg-lib | 1.4 | 2 |');
    const html = renderReport('html', [{ analysis: a, rules }], { version, cwd: dir });
    expect(html).toBe(readFileSync(path.join(dir, 'r.html'), 'utf8'));
    expect(html).toContain('dpkg pkg-tool 2.1'); // an owner in the page data
  });

  it('the schema refuses a damaged package list', () => {
    const e = exportOf(im.new.plain);
    const damaged: [string, (x: ExportV1) => void][] = [
      ['an unknown manager', (x) => Object.assign(x.packages![0]!, { manager: 'brew' })],
      ['a negative size', (x) => (x.packages![0]!.sizeBytes = -1)],
      ['a missing path', (x) => delete (x.packages![0] as { path?: unknown }).path],
      ['an unknown key in a layer change', (x) => Object.assign(x.layers[0]!.packages!.added[0]!, { arch: 'amd64' })],
      ['a warning without its reason', (x) => x.packageWarnings!.push({ manager: 'dpkg', layer: 0, path: 'var/lib/dpkg/status' } as never)],
    ];
    for (const [what, damage] of damaged) {
      const x = structuredClone(e);
      damage(x);
      expect(validateExport(x), what).toBe(false);
    }
  });

  it('--no-packages leaves them out: no packages, no layer changes', () => {
    const e = exportOf(im.new.plain, ['--no-packages']);
    expect(e).not.toHaveProperty('packages');
    expect(e).not.toHaveProperty('packageWarnings');
    expect(e.layers.every((l) => l.packages === undefined)).toBe(true);
    // and the figures are the same as with them; the findings too, but for what owners tell
    const { packages: _p, packageWarnings: _w, layers, findings, ...rest } = exportOf(im.new.plain);
    const { layers: bare, findings: bareFindings, ...restBare } = e;
    expect(restBare).toEqual(rest);
    expect(bare).toEqual(layers.map(({ packages: _x, ...l }) => l));
    const facts = (fs: typeof findings) => fs.map(({ owners: _o, advice: _a, ...f }) => f).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(facts(bareFindings)).toEqual(facts(findings));
    expect(bareFindings.every((f) => f.owners.length === 0)).toBe(true);
    expect(findings.some((f) => f.owners.length > 0)).toBe(true);
  });

  it("the library's compareImages carries the packages that differ, and its JSON is diff --json's", async () => {
    const { compareImages, toDiffExport } = await import('../../src/index.js');
    const c = await compareImages(im.old.plain, im.new.gzip, { cache: false, env: {} });
    const r = runCli(['diff', '--json', '-', '--quiet', im.old.plain, im.new.gzip], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-') } });
    expect(r.code, r.stderr).toBe(0);
    expect(toDiffExport(c.comparison, undefined, { packages: c.packages })).toEqual(JSON.parse(r.stdout));
    expect(c.packages!.map((d) => `${d.change} ${d.name}`)).toContain('upgraded pkg-tool');
    expect(c.new.packages!.packages).toEqual(im.expected.new);
  });

  it('diff --json lists the packages that differ: added, removed, upgraded, downgraded, changed at the same version, with size deltas', () => {
    for (const [a, b] of [[im.old.plain, im.new.gzip], [im.old.gzip, im.new.plain]]) {
      const r = runCli(['diff', '--json', '-', '--quiet', a!, b!], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-') } });
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout) as DiffExportV1;
      expect(validateDiff(d), ajv.errorsText(validateDiff.errors)).toBe(true);
      expect(d.packages).toEqual([
        { manager: 'dpkg', name: 'pkg-base', change: 'removed', old: '1.0', new: null, path: null, sizeDeltaBytes: -2100 },
        // the same version and size, other bytes: found by the content of the files it owns
        { manager: 'dpkg', name: 'pkg-edit', change: 'changed', old: '1.0', new: '1.0', path: null, sizeDeltaBytes: 0 },
        { manager: 'dpkg', name: 'pkg-lib', change: 'downgraded', old: '1.5', new: '1.4', path: null, sizeDeltaBytes: -100 },
        { manager: 'dpkg', name: 'pkg-new', change: 'added', old: null, new: '0.1', path: null, sizeDeltaBytes: 10 },
        { manager: 'dpkg', name: 'pkg-same', change: 'changed', old: '1.0', new: '1.0', path: null, sizeDeltaBytes: 30 },
        { manager: 'dpkg', name: 'pkg-tool', change: 'upgraded', old: '2.0', new: '2.1', path: null, sizeDeltaBytes: 200 },
        ...(im.rpm ? [{ manager: 'rpm', name: 'r', change: 'added', old: null, new: '2-1', path: null, sizeDeltaBytes: 10 }] : []),
        { manager: 'npm', name: 'pkg-c', change: 'added', old: null, new: '3.0.0', path: 'app/node_modules/pkg-c', sizeDeltaBytes: im.expected.new.find((p) => p.name === 'pkg-c')!.sizeBytes },
      ]);
    }
    // An image against itself: no package differs.
    const same = runCli(['diff', '--json', '-', '--quiet', im.new.plain, im.new.gzip], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-') } });
    expect((JSON.parse(same.stdout) as DiffExportV1).packages).toEqual([]);
  });

  it('the diff summary and the Markdown report name them, escaped', () => {
    const r = runCli(['diff', '--quiet', im.old.plain, im.new.plain], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-') } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Packages: ${im.rpm ? 3 : 2} added, 1 removed, 1 upgraded, 1 downgraded, 2 changed content`);
    expect(r.stdout).toContain('      +200 B  upgraded         dpkg pkg-tool 2.0 → 2.1\n');
    const dir = tmpDir();
    const md = runCli(['--report', `markdown=${path.join(dir, 'r.md')}`, '--quiet', im.new.plain], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-') } });
    expect(md.code, md.stderr).toBe(0);
    const text = readFileSync(path.join(dir, 'r.md'), 'utf8');
    expect(text).toContain('<details><summary>Largest packages</summary>');
    // largest first; names with Markdown's special characters escaped (pkg\-… needs none, `_` would)
    const rows = text.split('\n').filter((l) => /^\| [\d.]+ [kMG]?B \| \d+ \| /.test(l));
    expect(rows[0]).toBe('| 900 B | 1 | dpkg | pkg-lib | 1.4 | 2 |');
    expect(rows).toHaveLength(im.expected.new.length);
  });

  it('a database that cannot be read is one escaped line per manager in the CI report and a warning in the JSON', async () => {
    // Written by hand: no tool writes a malformed status file or a package.json that is not
    // JSON under a directory whose name holds an escape sequence.
    const { buildDockerArchive, buildTar } = await import('../helpers/image-files.js');
    const evil = 'app/node_modules/evil\u001b[2J';
    const layer = await buildTar([
      { name: 'var/', type: 'directory' },
      { name: 'var/lib/', type: 'directory' },
      { name: 'var/lib/dpkg/', type: 'directory' },
      { name: 'var/lib/dpkg/status', body: ' continuation line without a field\n' },
      { name: 'app/', type: 'directory' },
      { name: 'app/node_modules/', type: 'directory' },
      { name: `${evil}/`, type: 'directory' },
      { name: `${evil}/package.json`, body: '{not json' },
    ]);
    const file = path.join(tmpDir(), 'bad.tar');
    writeFileSync(file, await buildDockerArchive([{ tags: ['bad:1'], layers: [layer] }]));
    const e = exportOf(file);
    expect(e.packages).toEqual([]);
    expect(e.packageWarnings!.map((w) => [w.manager, w.layer, w.path])).toEqual([
      ['dpkg', 0, 'var/lib/dpkg/status'],
      ['npm', 0, `${evil}/package.json`],
    ]);
    expect(e.packageWarnings![1]!.reason).toBe('is not valid JSON');
    const r = runCli(['--ci', '--quiet', file], { env: { CI: '', XDG_CACHE_HOME: tmpDir('pkg-cache-') } });
    expect(r.stdout).not.toContain('\u001b');
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('  warning: '));
    expect(warnings).toEqual([`  warning: dpkg: var/lib/dpkg/status (L0) ${e.packageWarnings![0]!.reason}`, '  warning: npm: app/node_modules/evil\\x1b[2J/package.json (L0) is not valid JSON']);
  });
});
