import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { sarifMultitoolSkipReason, validateJUnit, validateSarif, xmllintSkipReason } from '../helpers/validators.js';
import { CI_CONFIG, failingImage, HOSTILE_ESCAPED, passingImage } from './ci-fixtures.js';

/**
 * Every --report format, written by the built CLI in one run over a passing and a failing
 * image (built here), parsed back and checked against the shape its consumer reads: JUnit XML
 * as GitLab, Jenkins and GitHub's reporters read it, SARIF 2.1.0 against the official schema,
 * GitLab Code Quality's issue fields, GitHub's workflow commands, and the Markdown summary.
 */

let dir: string;
let pass: string;
let fail: string;

beforeAll(async () => {
  dir = tmpDir('inspect-tui-reports-');
  pass = await passingImage(dir);
  fail = await failingImage(dir);
  writeFileSync(path.join(dir, '.dive-ci'), CI_CONFIG);
});

const ALL = ['--report', 'junit=r.xml', '--report', 'sarif=r.sarif', '--report', 'codequality=cq.json', '--report', 'markdown=r.md', '--report', 'github'];

function run(images: string[], env: Record<string, string> = {}) {
  const out = tmpDir('inspect-tui-out-');
  writeFileSync(path.join(out, '.dive-ci'), CI_CONFIG);
  const r = runCli(['--quiet', ...ALL, '--json', 'out.json', ...images], { cwd: out, env: { CI: '', GITHUB_STEP_SUMMARY: undefined as unknown as string, ...env } });
  const read = (f: string) => readFileSync(path.join(out, f), 'utf8');
  return { ...r, out, read };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

type TestCase = { name: string; classname: string; failure?: { message: string; type: string; '#text': string }; skipped?: { message: string } };
type Suite = { name: string; tests: string; failures: string; errors: string; skipped: string; testcase: TestCase[]; properties: { property: { name: string; value: string }[] } };

/** The official SARIF 2.1.0 schema (draft-04), compiled with ajv's draft-07 engine: `id` is `$id` there. */
function sarifValidator() {
  const raw = JSON.parse(readFileSync(path.join(ROOT, 'test', 'golden', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  const { id, $schema: _draft4, ...rest } = raw as { id: string; $schema: string } & Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return { validate: ajv.compile({ ...rest, $id: id }), ajv };
}

describe('--report, on a passing and a failing image in one run', () => {
  let r: ReturnType<typeof run>;
  beforeAll(() => {
    r = run([pass, fail]);
  });

  it('exits 1 (a rule failed), writes every file asked for and nothing else', () => {
    expect(r.code, r.stderr).toBe(1);
    expect(readdirSync(r.out).sort()).toEqual(['.dive-ci', 'cq.json', 'out.json', 'r.md', 'r.sarif', 'r.xml']);
  });

  it('JUnit: one testsuite per image, one testcase per rule, failures with actual value, threshold and offending paths', () => {
    const doc = xml.parse(r.read('r.xml')) as { testsuites: { tests: string; failures: string; testsuite: Suite[] } };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual([`docker-archive:${pass}`, `docker-archive:${fail}`]);
    const names = ['highestUserWastedPercent', 'highestWastedBytes', 'lowestEfficiency', 'paths.block', 'paths.denyWaste', 'paths.maxFileSize', 'paths.maxLayerCount'];
    for (const s of suites) {
      expect(s.testcase.map((c) => c.name)).toEqual(names);
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure).length);
      expect(Number(s.skipped)).toBe(s.testcase.filter((c) => c.skipped).length);
    }
    // the passing image: nothing failed, the disabled rule skipped
    expect(suites[0]!.testcase.filter((c) => c.failure)).toEqual([]);
    expect(suites[0]!.testcase[1]!.skipped).toEqual({ message: 'rule disabled' });
    // the failing one: all but the disabled rule fail
    const failures = suites[1]!.testcase.filter((c) => c.failure);
    expect(failures.map((c) => c.name)).toEqual(names.filter((n) => n !== 'highestWastedBytes'));
    const byName = new Map(suites[1]!.testcase.map((c) => [c.name, c]));
    expect(byName.get('paths.maxLayerCount')!.failure!.message).toBe('too many layers (layers=3 > threshold=2)');
    expect(byName.get('paths.maxLayerCount')!.failure!['#text']).toBe('actual: 3\nthreshold: 2');
    const block = byName.get('paths.block')!.failure!['#text'];
    expect(block).toContain('/app/.git (7 B, layer 0: ADD dir:app in /)');
    // the hostile name arrives escaped, the command of its layer too
    expect(block).toContain(`/app/${HOSTILE_ESCAPED} (600 B, layer 1: RUN echo '\\x1b]0;title\\x07' && npm ci)`);
    expect(byName.get('lowestEfficiency')!.failure!['#text']).toMatch(/^actual: 0\.\d+\nthreshold: 0\.9$/);
    expect(Number(doc.testsuites.failures)).toBe(6);
    expect(Number(doc.testsuites.tests)).toBe(14);
  });

  it('SARIF: valid against the official 2.1.0 schema, one result per failing rule and per offending path, with layer and command', () => {
    const log = JSON.parse(r.read('r.sarif'));
    const { validate, ajv } = sarifValidator();
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    // the schema is not vacuous: without its version, or with a result lacking its message, the log is refused
    expect(validate({ ...log, version: undefined })).toBe(false);
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ruleId: 'x' }] }] })).toBe(false);
    // the required properties, explicitly
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run0 = log.runs[0];
    expect(run0.tool.driver.name).toBe('inspect-tui');
    const rules = run0.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const res of run0.results) {
      expect(res.message.text).toBeTruthy();
      expect(rules[res.ruleIndex]).toBe(res.ruleId);
    }
    const ruleResults = run0.results.filter((x: { properties: { layer?: number } }) => x.properties.layer === undefined);
    expect(ruleResults.map((x: { ruleId: string }) => x.ruleId)).toEqual(['highestUserWastedPercent', 'lowestEfficiency', 'paths.block', 'paths.denyWaste', 'paths.maxFileSize', 'paths.maxLayerCount']);
    const paths = run0.results.filter((x: { properties: { layer?: number } }) => x.properties.layer !== undefined);
    type Loc = { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } }; logicalLocations: { name: string; kind: string }[] };
    // every URI is percent-encoded: nothing but unreserved characters, '/' and escapes
    for (const x of paths as { locations: Loc[] }[]) expect(x.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^([A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$/);
    // without a Dockerfile, each result is located at the image argument relative to the
    // working directory (never an absolute path), the offending path as a logical location
    const archive = path.relative(r.out, fail);
    expect(archive.startsWith('../')).toBe(true);
    expect(paths.map((x: { ruleId: string; locations: Loc[] }) => `${x.ruleId} ${decodeURIComponent(x.locations[0]!.physicalLocation.artifactLocation.uri)} ${x.locations[0]!.logicalLocations[0]!.name}`)).toEqual([
      `paths.block ${archive} /app/.git`,
      `paths.block ${archive} /app/${HOSTILE_ESCAPED}`,
      `paths.denyWaste ${archive} /app/node_modules/dep.js`,
      `paths.maxFileSize ${archive} /app/big.bin`,
    ]);
    const git = paths[0];
    expect(git.message.text).toBe(`docker-archive:${fail}: /app/.git (7 B) breaks paths.block, from layer 0: ADD dir:app in /`);
    expect(git.properties).toMatchObject({ layer: 0, command: 'ADD dir:app in /' });
    expect(run0.invocations[0].executionSuccessful).toBe(true);
    // the image-wide results point at the archive too, relative: code scanning accepts no absolute URI
    expect(ruleResults[0].locations[0].physicalLocation.artifactLocation.uri).toBe(archive);
    expect(JSON.stringify(log)).not.toContain('file://');
  });

  it('GitLab Code Quality: an array of issues with the fields GitLab reads, fingerprints unique', () => {
    const issues = JSON.parse(r.read('cq.json')) as { description: string; check_name: string; fingerprint: string; severity: string; location: { path: string; lines: { begin: number } } }[];
    expect(Array.isArray(issues)).toBe(true);
    expect(issues.length).toBe(6 + 4); // six failing rules, four offending paths
    for (const i of issues) {
      expect(typeof i.description).toBe('string');
      expect(i.check_name).toMatch(/^inspect-tui\//);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(i.severity);
      // relative to the working directory: GitLab refuses absolute paths
      expect(i.location.path).toBe(path.relative(r.out, fail));
      expect(i.location.lines.begin).toBe(1);
    }
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    expect(issues.filter((i) => i.check_name === 'inspect-tui/paths.block').map((i) => i.severity)).toEqual(['major', 'critical', 'critical']);
  });

  it('GitHub workflow commands: ::error per failing rule with its paths, ::notice per image, one line each', () => {
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    const errors = lines.filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('::notice '))).toHaveLength(2);
    const block = errors.find((l) => l.includes('paths.block'))!;
    // title is a property: ':' and ',' escaped; the message's line breaks are %0A
    expect(block.startsWith(`::error file=${path.relative(r.out, fail)},title=inspect-tui paths.block%3A docker-archive%3A${fail}::paths.block: 2 blocked paths present in the final filesystem%0A/app/.git (7 B, layer 0`)).toBe(true);
    expect(block).toContain(`%0A/app/${HOSTILE_ESCAPED}`);
    expect(lines.find((l) => l.startsWith('::notice') && l.includes(pass))).toMatch(/::PASS \[pass:6 fail:0 skip:1\] efficiency 100\.0000 %25/);
  });

  it('Markdown: the verdict, the figures, a rule table, offending paths and layers, all images in one document', () => {
    const md = r.read('r.md');
    expect(md.startsWith('# inspect-tui: FAIL\n\n2 images: 1 passed, 1 failed.\n')).toBe(true);
    expect(md.match(/^## /gm)).toHaveLength(2);
    expect(md).toContain('| rule | status | threshold | actual | details |');
    expect(md).toContain('| paths.maxLayerCount | ❌ fail | 2 | 3 | too many layers (layers=3 &gt; threshold=2) |');
    expect(md).toContain('- /app/.git (7 B, layer 0: ADD dir:app in /)');
    // markdown and HTML inside a name are inert
    expect(md).toContain('evil\\\\x1b\\[2J');
    expect(md).toContain('| 2 | 3.0 kB | RUN make big |');
  });

  it.skipIf(sarifMultitoolSkipReason() !== undefined)("SARIF: Microsoft's multitool finds nothing wrong with GitHub's rule kinds (Gh, Ghas) or the SARIF rules", () => {
    const file = path.join(r.out, 'r.sarif');
    for (const kind of ['Gh', 'Ghas'] as const) expect(validateSarif(file, kind), `--rule-kind ${kind}`).toEqual({ errors: [], warnings: [] });
    // the SARIF rules: no error (their warnings are style: an archive has no lines to give a region)
    expect(validateSarif(file).errors).toEqual([]);
    // every rule has a name that is not its id, help with the fix, and a link into the docs
    const rules = (JSON.parse(r.read('r.sarif')) as { runs: { tool: { driver: { informationUri: string; rules: { id: string; name: string; helpUri: string; help: { markdown: string } }[] } } }[] }).runs[0]!.tool.driver;
    expect(rules.informationUri).toMatch(/^https:\/\//);
    for (const rule of rules.rules) {
      expect(rule.name.toLowerCase()).not.toBe(rule.id.toLowerCase());
      expect(rule.help.markdown).toContain('**Fix:**');
      expect(rule.helpUri.startsWith(rules.informationUri)).toBe(true);
    }
    // the validator is not vacuous: the same log without the rules' help is refused (GH2012)
    const bare = JSON.parse(r.read('r.sarif')) as { runs: { tool: { driver: { rules: { help?: unknown }[] } } }[] };
    for (const rule of bare.runs[0]!.tool.driver.rules) delete rule.help;
    writeFileSync(path.join(r.out, 'bare.sarif'), JSON.stringify(bare));
    expect(validateSarif(path.join(r.out, 'bare.sarif'), 'Gh').errors.filter((e) => e.startsWith('GH2012'))).toHaveLength(bare.runs[0]!.tool.driver.rules.length);
  });

  it.skipIf(xmllintSkipReason() !== undefined)("JUnit: valid against Jenkins xunit's junit-10.xsd (xmllint --schema), which refuses what it does not define", () => {
    const v = validateJUnit(path.join(r.out, 'r.xml'));
    expect(v.valid, v.output).toBe(true);
    // not vacuous: a count on <testsuites> the schema does not define is refused
    writeFileSync(path.join(r.out, 'bad.xml'), r.read('r.xml').replace('<testsuites name="inspect-tui"', '<testsuites skipped="1" name="inspect-tui"'));
    const bad = validateJUnit(path.join(r.out, 'bad.xml'));
    expect(bad.valid).toBe(false);
    expect(bad.output).toMatch(/skipped.*not allowed/);
  });

  it('Markdown: every figure of the rule table is rounded', () => {
    const md = r.read('r.md');
    const rows = md.split('\n').filter((l) => /^\| (lowestEfficiency|highestUserWastedPercent|paths\.maxFileSize) \|/.test(l));
    expect(rows).toHaveLength(6); // three rules, two images
    // at most four decimals: no raw float such as 0.9523809523809523
    for (const row of rows) expect(row).not.toMatch(/\d\.\d{5,}/);
    expect(md).toContain('| paths.maxFileSize | ❌ fail | 2.0 kB | 1 |');
  });

  it('the JSON export holds the path rules with their offenders', () => {
    const j = JSON.parse(r.read('out.json')) as { rules: { name: string; status: string; offenders?: { path: string }[]; offenderCount?: number }[] }[];
    const block = j[1]!.rules.find((x) => x.name === 'paths.block')!;
    expect(block.offenderCount).toBe(2);
    expect(block.offenders!.map((o) => o.path)).toEqual(['/app/.git', `/app/${'evil\x1b[2J\x1b]0;pwned\x07\u009b31m\rPASS [pass:3 fail:0 skip:0]\nx.pem'}`]);
  });
});

describe('--report on a passing image alone', () => {
  it('exits 0 with reports that hold no failure, and appends the Markdown to GITHUB_STEP_SUMMARY', () => {
    const summary = path.join(tmpDir(), 'summary.md');
    writeFileSync(summary, 'earlier step\n');
    const r = run([pass], { GITHUB_STEP_SUMMARY: summary });
    expect(r.code, r.stderr).toBe(0);
    const junit = xml.parse(r.read('r.xml')) as { testsuites: { failures: string; testsuite: Suite[] } };
    expect(junit.testsuites.failures).toBe('0');
    expect(junit.testsuites.testsuite).toHaveLength(1);
    expect(JSON.parse(r.read('r.sarif')).runs[0].results).toEqual([]);
    expect(JSON.parse(r.read('cq.json'))).toEqual([]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error'))).toEqual([]);
    const md = r.read('r.md');
    expect(md.startsWith('# inspect-tui: PASS\n')).toBe(true);
    expect(readFileSync(summary, 'utf8')).toBe(`earlier step\n${md}`);
  });

  it('an image that cannot be read among several is an error in every report, and the run exits 2', () => {
    const missing = path.join(dir, 'missing.tar');
    const r = run([pass, `docker-archive:${missing}`]);
    expect(r.code).toBe(2);
    const junit = xml.parse(r.read('r.xml')) as { testsuites: { errors: string; testsuite: (Suite & { testcase: { error?: { type: string } }[] })[] } };
    expect(junit.testsuites.errors).toBe('1');
    expect(junit.testsuites.testsuite[1]!.testcase[0]!.error!.type).toBe('unreadable');
    const sarif = JSON.parse(r.read('r.sarif'));
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['unreadable']);
    expect(JSON.parse(r.read('cq.json'))[0].severity).toBe('blocker');
    expect(r.read('r.md')).toContain('could not be read');
  });
});

describe('--report usage errors: one line, exit 2', () => {
  it.each<[string[], RegExp]>([
    [['--report', 'pdf=x.pdf'], /^inspect-tui: --report pdf=x\.pdf: unknown format "pdf" \(known: markdown, junit, sarif, github, codequality, html\)$/],
    [['--report', 'junit'], /^inspect-tui: --report junit: needs a file \(junit=FILE\)$/],
    [['--report', 'github=out.txt'], /takes no file/],
    [['--report', 'junit=a.xml', '--report', 'sarif=a.xml'], /a\.xml is named by another report/],
    [['--report', 'github', '--json', '-'], /both write to stdout/],
  ])('%j', (args, msg) => {
    const r = runCli([...args, path.join(ROOT, 'examples', 'example-image.tar')], { cwd: tmpDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(msg);
  });
});
