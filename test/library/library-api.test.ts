import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORT_FORMATS } from '../../src/report/formats.js';
import { buildDockerArchive, buildTar, ROOT, tmpDir } from '../helpers/image-files.js';
import { packAndInstall, runOrThrow, type PackedProject } from '../helpers/pack.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Every capability of the library, through the package as users install it: the packed
 * tarball in a fresh project, imported by name (`inspect-tui`, its public entry only), and each
 * result compared with what the CLI writes for the same images.
 */

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let project: PackedProject;
let images: string;
let v1: string;
let v2: string;

/** Runs an ES module in the project (it imports `inspect-tui` by name) and returns its stdout. */
function script(name: string, text: string, ...args: string[]): string {
  writeFileSync(path.join(project.dir, name), text);
  return runOrThrow(process.execPath, [name, ...args], project.dir);
}

beforeAll(async () => {
  project = packAndInstall('inspect-tui-library-');
  // Two versions of one small image: v2 grows a file, adds one and deletes one.
  images = tmpDir('inspect-tui-library-images-');
  const base = await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', body: 'ID=test\n' }, { name: 'app/', type: 'directory' }, { name: 'app/a.txt', body: 'a'.repeat(4000) }]);
  const one = await buildTar([{ name: 'app/', type: 'directory' }, { name: 'app/b.txt', body: 'b'.repeat(2000) }, { name: 'app/key.pem', body: 'secret' }]);
  const two = await buildTar([{ name: 'app/', type: 'directory' }, { name: 'app/a.txt', body: 'A'.repeat(9000) }, { name: 'app/.wh.b.txt', body: '' }, { name: 'app/c.txt', body: 'c'.repeat(3000) }]);
  v1 = path.join(images, 'v1.tar');
  v2 = path.join(images, 'v2.tar');
  writeFileSync(v1, await buildDockerArchive([{ tags: ['app:1'], layers: [base, one] }]));
  writeFileSync(v2, await buildDockerArchive([{ tags: ['app:2'], layers: [base, one, two] }]));
}, 300_000);

describe('the library, from the packed tarball', () => {
  it('inspectImage and findFindings give what --json gives', () => {
    const out = script(
      'inspect.mjs',
      `import { inspectImage, findFindings, summarize, toJsonExport, evaluateRules, DEFAULT_RULES } from 'inspect-tui';
const a = await inspectImage(process.argv[2], { cache: false });
const findings = findFindings(a);
process.stdout.write(JSON.stringify({ json: toJsonExport(a, evaluateRules(a, DEFAULT_RULES)), kinds: findings.map((f) => f.kind), summaryFindings: summarize(a).findings.length }));
`,
      EXAMPLE,
    );
    const lib = JSON.parse(out) as { json: { findings: { kind: string }[] }; kinds: string[]; summaryFindings: number };
    const cli = JSON.parse(runCli(['--ci', '--quiet', '--no-cache', '--json', '-', EXAMPLE]).stdout) as { findings: { kind: string }[] };
    expect(lib.json).toEqual(cli);
    expect(lib.kinds.length).toBeGreaterThan(0);
    expect(lib.kinds).toEqual(cli.findings.map((f) => f.kind));
    expect(lib.summaryFindings).toBe(lib.kinds.length);
  });

  it('compareImages, evaluateDiffRules and toDiffExport give what diff --json gives; renderComparisonReport the page', () => {
    const out = script(
      'compare.mjs',
      `import { compareImages, evaluateDiffRules, toDiffExport, renderComparisonReport } from 'inspect-tui';
const c = await compareImages(process.argv[2], process.argv[3], { cache: false });
const rules = evaluateDiffRules(c.comparison, { highestSizeIncrease: { bytes: 1000 } });
const html = renderComparisonReport(c, { rules, version: '9.9.9' });
// what diff --ci writes with no rules configured: every rule skipped
process.stdout.write(JSON.stringify({ json: toDiffExport(c.comparison, evaluateDiffRules(c.comparison, {}), { packages: c.packages }), rules, delta: c.comparison.totals.sizeBytes.delta, html: html.slice(0, 200), htmlLength: html.length, oldLayers: c.old.layers.length }));
`,
      v1,
      v2,
    );
    const lib = JSON.parse(out) as { json: unknown; rules: { name: string; status: string }[]; delta: number; html: string; htmlLength: number; oldLayers: number };
    const cli = runCli(['diff', '--ci', '--quiet', '--no-cache', '--json', '-', v1, v2]);
    expect(cli.code).toBe(0);
    expect(lib.json).toEqual(JSON.parse(cli.stdout));
    expect(lib.oldLayers).toBe(2);
    expect(lib.delta).toBeGreaterThan(1000);
    expect(lib.rules.map((r) => [r.name, r.status])).toEqual([
      ['highestSizeIncrease', 'fail'],
      ['highestWastedIncrease', 'skip'],
      ['lowestEfficiency', 'skip'],
    ]);
    expect(lib.html).toMatch(/^<!DOCTYPE html>/i);
    expect(lib.htmlLength).toBeGreaterThan(10_000);
  });

  it('renderReport writes every format of the report table, byte for byte what --report writes', () => {
    const formats = REPORT_FORMATS.map((f) => f.name);
    const dir = tmpDir();
    const missing = path.join(dir, 'missing.tar');
    const out = script(
      'reports.mjs',
      `import { inspectImage, renderReport, evaluateRules, DEFAULT_RULES, REPORT_FORMAT_NAMES } from 'inspect-tui';
const [image, missing, version, cwd] = process.argv.slice(2);
const a = await inspectImage(image, { cache: false });
const rules = evaluateRules(a, DEFAULT_RULES);
const out = {};
for (const f of REPORT_FORMAT_NAMES) out[f] = renderReport(f, [{ analysis: a, rules }, { reference: missing, error: missing + ': no such file or directory' }], { version, cwd });
process.stdout.write(JSON.stringify(out));
`,
      EXAMPLE,
      missing,
      VERSION,
      dir,
    );
    const lib = JSON.parse(out) as Record<string, string>;
    expect(Object.keys(lib).sort()).toEqual([...formats].sort());
    // The CLI on the same image and a missing one, every format at once.
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '');
    const fileFormats = REPORT_FORMATS.filter((f) => f.destination !== 'stdout');
    const cli = runCli(['--ci', '--quiet', '--no-cache', ...fileFormats.flatMap((f) => ['--report', `${f.name}=${path.join(dir, f.name)}`]), '--report', 'github', EXAMPLE, missing], {
      cwd: dir,
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(cli.code).toBe(2); // the missing image
    expect(cli.stderr).toBe(`inspect-tui: ${missing}: no such file or directory\ninspect-tui: 1 of 2 images could not be read (named above)\n`);
    for (const f of fileFormats) expect(lib[f.name], f.name).toBe(readFileSync(path.join(dir, f.name), 'utf8'));
    expect(cli.stdout).toContain(lib.github!.split('\n')[0]!);
    expect(lib.sarif).toContain(`"version": "${VERSION}"`);
  });

  it('compilePathRules and evaluatePathRules give the path rules of .dive-ci; a bad glob is a UsageError', () => {
    const out = script(
      'paths.mjs',
      `import { inspectImage, compilePathRules, evaluatePathRules, withoutIgnored, UsageError } from 'inspect-tui';
const a = await inspectImage(process.argv[2], { cache: false });
const { ignore, rules } = compilePathRules({ block: ['**/*.pem'], denyWaste: ['/app/**'], maxFileSize: 5000, ignore: ['/etc/**'] });
const results = evaluatePathRules(a, rules);
const { ignored } = withoutIgnored(a, ignore);
let error;
try { compilePathRules({ block: ['*.pem'] }); } catch (e) { error = { usage: e instanceof UsageError, message: e.message }; }
process.stdout.write(JSON.stringify({ results, ignored, error }));
`,
      v1,
    );
    const lib = JSON.parse(out) as { results: { name: string; status: string; offenders: { path: string }[] }[]; ignored: { paths: number }; error: { usage: boolean; message: string } };
    expect(lib.results.map((r) => [r.name, r.status])).toEqual([
      ['paths.block', 'fail'],
      ['paths.denyWaste', 'pass'],
      ['paths.maxFileSize', 'pass'],
    ]);
    expect(lib.results[0]!.offenders.map((o) => o.path)).toEqual(['/app/key.pem']);
    expect(lib.ignored.paths).toBeGreaterThan(0);
    expect(lib.error).toEqual({ usage: true, message: 'paths.block[0]: "*.pem" is not an absolute glob (start it with / or **)' });
    // the CLI with the same rules in a .dive-ci says the same
    const dir = tmpDir();
    writeFileSync(path.join(dir, '.dive-ci'), "paths:\n  block: ['**/*.pem']\n  denyWaste: ['/app/**']\n  maxFileSize: 5000\n");
    const cli = JSON.parse(runCli(['--ci', '--quiet', '--json', '-', v1], { cwd: dir }).stdout) as { rules: { name: string; status: string }[] };
    expect(cli.rules.filter((r) => r.name.startsWith('paths.')).map((r) => [r.name, r.status])).toEqual(lib.results.map((r) => [r.name, r.status]));
  });

  it('packages: versions compared as each package manager does, database files recognised', () => {
    const out = script(
      'packages.mjs',
      `import { compareVersions, packageFileKind, PACKAGE_MANAGERS } from 'inspect-tui';
process.stdout.write(JSON.stringify({
  epoch: compareVersions('dpkg', '1:1.0', '2.0'),
  tilde: compareVersions('dpkg', '1.0~rc1', '1.0'),
  rpm: compareVersions('rpm', '1.10', '1.9'),
  status: packageFileKind('var/lib/dpkg/status'),
  other: packageFileKind('etc/passwd') ?? null,
  managers: PACKAGE_MANAGERS,
}));
`,
    );
    expect(JSON.parse(out)).toEqual({ epoch: 1, tilde: -1, rpm: 1, status: 'dpkg-status', other: null, managers: ['dpkg', 'apk', 'rpm', 'pip', 'npm'] });
  });

  it('the declarations type-check a TypeScript caller of every new export, and catch a wrong one', () => {
    writeFileSync(
      path.join(project.dir, 'api.ts'),
      `import { compareImages, compilePathRules, evaluatePathRules, renderReport, renderComparisonReport, REPORT_FORMAT_NAMES, compareVersions, findFindings, evaluateDiffRules, toDiffExport,
  type Analysis, type Comparison, type ReportFormat, type PathRuleResult, type Finding, type DiffExportV1, type Package, type ImagePackages } from 'inspect-tui';
export async function use(a: Analysis): Promise<string> {
  const c: Comparison = await compareImages('a.tar', 'b.tar', { oldPlatform: 'linux/amd64' });
  const r: PathRuleResult[] = evaluatePathRules(a, compilePathRules({ block: ['**/.git/**'] }).rules);
  const f: Finding[] = findFindings(a);
  const d: DiffExportV1 = toDiffExport(c.comparison, evaluateDiffRules(c.comparison, { lowestEfficiency: 0.9 }));
  const formats: readonly ReportFormat[] = REPORT_FORMAT_NAMES;
  const p: Package | undefined = undefined as ImagePackages['packages'][number] | undefined;
  return renderReport(formats[0]!, [{ analysis: a }]) + renderComparisonReport(c) + r.length + f.length + d.schemaVersion + String(compareVersions('npm', '1.0.0', '1.0.1')) + String(p);
}
`,
    );
    writeFileSync(path.join(project.dir, 'wrong.ts'), `import { renderReport } from 'inspect-tui';\nexport const x = renderReport('pdf', []);\n`);
    const tsc = (f: string) =>
      spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node', f], { cwd: project.dir, encoding: 'utf8' });
    const ok = tsc('api.ts');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const wrong = tsc('wrong.ts');
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toContain('"pdf"');
  });
});
