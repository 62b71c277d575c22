import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { BIN } from '../helpers/run-cli.js';

/**
 * The GitHub Action (`action.yml`) and the GitLab CI template, each validated against the
 * published schema for its kind of file (vendored under test/vendor with their licences), then
 * run the way the runner runs them: the step's `run:` (or the job's `script:`) in bash with the
 * runner's flags, `${{ inputs.* }}`/`${{ github.* }}`/`${{ steps.* }}` substituted as the runner
 * substitutes them, real files for GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_WORKSPACE, and
 * `npx --yes inspect-tui@VERSION` answered by this checkout's build (a stub `npx` on PATH that
 * checks the version asked for). The upload-artifact step is not run: its `with:` is resolved and
 * the file it names is checked.
 */

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** A directory with a stub `npx` that runs this checkout's build for `inspect-tui@VERSION`, and logs its arguments. */
function stubNpx(): { dir: string; log: string } {
  const dir = tmpDir('inspect-tui-npx-');
  const log = path.join(dir, 'calls.log');
  writeFileSync(
    path.join(dir, 'npx'),
    `#!/bin/sh
if [ "$1" != --yes ] || [ "$2" != "inspect-tui@${VERSION}" ]; then echo "npx stub: not the pinned release: $*" >&2; exit 99; fi
shift 2
printf '%s\\n' "$*" >> '${log}'
exec '${process.execPath}' '${BIN}' "$@"
`,
  );
  chmodSync(path.join(dir, 'npx'), 0o755);
  return { dir, log };
}

/** A copy of the example image in a fresh workspace. */
function workspace(): string {
  const ws = tmpDir('inspect-tui-workspace-');
  copyFileSync(EXAMPLE, path.join(ws, 'app.tar'));
  return ws;
}

/** The environment of a job: no CI variables of the machine running the tests, the stub first on PATH. */
function jobEnv(npxDir: string, more: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: `${npxDir}:${process.env.PATH}`, HOME: process.env.HOME, XDG_CACHE_HOME: tmpDir('inspect-tui-cache-'), ...more };
  return env;
}

type Action = {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: { id?: string; if?: string; shell?: string; run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
};

const action = parseYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

/** `key=value` lines and `key<<DELIM` blocks, as the runner reads GITHUB_OUTPUT. */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const heredoc = /^([^=]+)<<(.+)$/.exec(l);
    if (heredoc) {
      const body: string[] = [];
      while (lines[++i] !== heredoc[2]) body.push(lines[i]!);
      out[heredoc[1]!] = body.join('\n');
    } else if (l.includes('=')) out[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1);
  }
  return out;
}

/**
 * Runs the action's steps as the runner would, with `inputs` (defaults filled in), and returns
 * the first failing step's exit code (0 when all passed), the action's outputs, and the files.
 */
function runAction(given: Record<string, string>, ws: string) {
  const npx = stubNpx();
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = given[k] ?? v.default ?? '';
  const outputFile = path.join(tmpDir(), 'github_output');
  const summaryFile = path.join(tmpDir(), 'step_summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const stepOutputs: Record<string, Record<string, string>> = {};
  const value = (expr: string): string => {
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.([\w-]+)$/.exec(expr))) return inputs[m[1]!] ?? '';
    if (expr === 'github.workspace') return ws;
    if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) return stepOutputs[m[1]!]?.[m[2]!] ?? '';
    throw new Error(`the test runner does not know the expression ${expr}`);
  };
  const expand = (text: string) => text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => value(e));
  /** The conditions the action uses: always(), and comparisons of a value with ''. */
  const condition = (expr: string): boolean => {
    const inner = /^\$\{\{\s*(.+?)\s*\}\}$/.exec(expr.trim())?.[1] ?? expr.trim();
    return inner.split('&&').every((part) => {
      const p = part.trim();
      if (p === 'always()') return true;
      const cmp = /^([\w.-]+)\s*(!=|==)\s*''$/.exec(p);
      if (cmp) return (value(cmp[1]!) !== '') === (cmp[2] === '!=');
      throw new Error(`the test runner does not know the condition ${p}`);
    });
  };
  let failed = 0;
  const uploads: Record<string, string>[] = [];
  for (const step of action.runs.steps) {
    if (step.if !== undefined ? !condition(step.if) : failed !== 0) continue;
    if (step.uses) {
      expect(step.uses).toBe('actions/upload-artifact@v4');
      uploads.push(Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v))])));
      continue;
    }
    expect(step.shell).toBe('bash');
    const script = path.join(tmpDir(), 'step.sh');
    writeFileSync(script, expand(step.run!));
    writeFileSync(outputFile, '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
    // The runner's command for `shell: bash`.
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: ws,
      env: jobEnv(npx.dir, { ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: ws, GITHUB_ACTIONS: 'true', CI: 'true' }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (step.id) stepOutputs[step.id] = readOutputs(outputFile);
    if (r.status !== 0 && failed === 0) failed = r.status ?? 1;
    (step as { result?: typeof r }).result = r;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, o]) => [k, expand(o.value)]));
  const gate = action.runs.steps.find((s) => s.id === 'gate') as { result?: ReturnType<typeof spawnSync> };
  return { code: failed, outputs, summary: readFileSync(summaryFile, 'utf8'), uploads, stdout: String(gate.result?.stdout ?? ''), stderr: String(gate.result?.stderr ?? ''), calls: existsSync(npx.log) ? readFileSync(npx.log, 'utf8') : '' };
}

/** What the CLI itself says of an image, for the outputs to be compared with. */
function cliJson(args: string[], cwd: string): { summary: { efficiency: number; wastedBytes: number; reclaimable: { totalBytes: number } } }[] {
  const r = spawnSync(process.execPath, [BIN, '--ci', '--quiet', '--json', '-', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', GITHUB_STEP_SUMMARY: '' } });
  return [].concat(JSON.parse(r.stdout));
}

describe('action.yml', () => {
  it("is valid action metadata (SchemaStore's github-action.json), a composite action pinned to this package's version", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'vendor', 'schemastore', 'github-action.json'), 'utf8')) as object;
    const validate = ajv.compile(schema);
    expect(validate(action), JSON.stringify(validate.errors)).toBe(true);
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['config', 'dockerfile', 'fail-on', 'image', 'reports', 'version']);
    expect(action.inputs.version!.default).toBe(VERSION);
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['efficiency', 'wasted-bytes', 'reclaimable-bytes', 'passed']));
    // the check can fail: a step without shell is no valid composite step
    const broken = structuredClone(action);
    delete broken.runs.steps[0]!.shell;
    expect(validate(broken)).toBe(false);
  });

  it('gates the image: the figures of the JSON as outputs, the job summary, SARIF, the HTML report for upload; a failed rule fails the step', () => {
    const ws = workspace();
    const r = runAction({ image: 'app.tar' }, ws);
    expect(r.code, r.stderr).toBe(1); // the example breaks dive's default rules
    expect(r.calls).toMatch(/^--ci --json inspect-tui-reports\/inspect-tui\.json --report sarif=inspect-tui-reports\/inspect-tui\.sarif --report html=inspect-tui-reports\/inspect-tui\.html --report github --report markdown app\.tar\n$/);
    const [want] = cliJson(['app.tar'], ws);
    expect(r.outputs).toEqual({
      efficiency: String(want!.summary.efficiency),
      'wasted-bytes': String(want!.summary.wastedBytes),
      'reclaimable-bytes': String(want!.summary.reclaimable.totalBytes),
      passed: 'false',
      json: 'inspect-tui-reports/inspect-tui.json',
      sarif: 'inspect-tui-reports/inspect-tui.sarif',
      html: 'inspect-tui-reports/inspect-tui.html',
    });
    expect(r.summary).toMatch(/^#+ .*app\.tar/m);
    expect((JSON.parse(readFileSync(path.join(ws, r.outputs.sarif!), 'utf8')) as { version: string }).version).toBe('2.1.0');
    expect(r.stdout).toMatch(/^::error /m);
    // the upload step is reached (always()) and names the page that was written
    expect(r.uploads).toEqual([{ name: 'inspect-tui-report', path: 'inspect-tui-reports/inspect-tui.html', 'if-no-files-found': 'ignore' }]);
    expect(readFileSync(path.join(ws, r.uploads[0]!.path!), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('fail-on: never reports without failing; a rules file that the image passes makes passed true', () => {
    const ws = workspace();
    const never = runAction({ image: 'app.tar', 'fail-on': 'never' }, ws);
    expect(never.code).toBe(0);
    expect(never.outputs.passed).toBe('false');
    writeFileSync(path.join(ws, 'lenient.yml'), 'rules:\n  lowestEfficiency: 0.1\n  highestUserWastedPercent: disabled\n');
    const lenient = runAction({ image: 'app.tar', config: 'lenient.yml' }, ws);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.outputs.passed).toBe('true');
    expect(lenient.calls).toContain('--ci-config lenient.yml');
  });

  it('dockerfile: passed as --dockerfile, read and held against the history (a file that does not describe the image is one warning, no lines)', () => {
    const ws = workspace();
    writeFileSync(path.join(ws, 'Dockerfile'), 'FROM scratch\nCOPY nothing /nowhere\n');
    const r = runAction({ image: 'app.tar', 'fail-on': 'never', dockerfile: 'Dockerfile' }, ws);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toContain('--dockerfile Dockerfile');
    expect(r.stderr).toMatch(/^inspect-tui: warning: Dockerfile/m);
    // a missing file is the CLI's one line and exit 2, whatever fail-on says
    const missing = runAction({ image: 'app.tar', 'fail-on': 'never', dockerfile: 'nope/Dockerfile' }, ws);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope/Dockerfile');
  });

  it('a glob: the lowest efficiency, the summed bytes', () => {
    const ws = workspace();
    mkdirSync(path.join(ws, 'dist'));
    copyFileSync(EXAMPLE, path.join(ws, 'dist', 'a.tar'));
    copyFileSync(path.join(ws, 'app.tar'), path.join(ws, 'dist', 'b.tar'));
    const r = runAction({ image: 'dist/*.tar', 'fail-on': 'never', reports: 'out' }, ws);
    expect(r.code).toBe(0);
    const docs = cliJson(['dist/*.tar'], ws);
    expect(docs).toHaveLength(2);
    expect(r.outputs['wasted-bytes']).toBe(String(docs[0]!.summary.wastedBytes + docs[1]!.summary.wastedBytes));
    expect(r.outputs.efficiency).toBe(String(Math.min(docs[0]!.summary.efficiency, docs[1]!.summary.efficiency)));
    expect(r.outputs.html).toBe('out/inspect-tui.html');
  });

  it('an unreadable image, or a fail-on it does not know, fails the step whatever fail-on says', () => {
    const ws = workspace();
    const missing = runAction({ image: 'nope.tar', 'fail-on': 'never' }, ws);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('inspect-tui: nope.tar: no such file');
    expect(missing.outputs.passed).toBe('false');
    expect(missing.outputs.efficiency).toBe('');
    const bad = runAction({ image: 'app.tar', 'fail-on': 'sometimes' }, ws);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("::error title=inspect-tui::fail-on is rules or never, not 'sometimes'\n");
    expect(bad.calls).toBe('');
  });
});

type GitLabJob = { extends?: string; image?: string; variables?: Record<string, string>; script?: string[]; artifacts?: { paths: string[]; reports: { junit: string; codequality: string } }; rules?: { if: string }[]; stage?: string };

describe('the GitLab CI template', () => {
  const file = path.join(ROOT, 'ci', 'gitlab', 'inspect-tui.gitlab-ci.yml');
  const template = parseYaml(readFileSync(file, 'utf8')) as Record<string, GitLabJob>;

  it("is valid GitLab CI configuration (GitLab's ci.json), with a job that runs when INSPECT_TUI_IMAGE is set", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'vendor', 'gitlab', 'ci.json'), 'utf8')) as object;
    const validate = ajv.compile(schema);
    expect(validate(template), JSON.stringify(validate.errors)).toBe(true);
    expect(template['inspect-tui']).toMatchObject({ extends: '.inspect-tui', rules: [{ if: '$INSPECT_TUI_IMAGE' }] });
    expect(template['.inspect-tui']!.variables!.INSPECT_TUI_VERSION).toBe(VERSION);
    // the check can fail: an unknown key in a job
    expect(validate({ ...template, 'inspect-tui': { ...template['inspect-tui'], scripts: ['x'] } })).toBe(false);
  });

  /** Runs the job's script as the runner's bash does (`set -eo pipefail`, the job's variables in the environment). */
  function runJob(variables: Record<string, string>, project: string) {
    const npx = stubNpx();
    const job = template['.inspect-tui']!;
    const script = path.join(tmpDir(), 'script.sh');
    writeFileSync(script, `set -eo pipefail\n${job.script!.join('\n')}\n`);
    const r = spawnSync('bash', ['--noprofile', '--norc', script], {
      cwd: project,
      env: jobEnv(npx.dir, { ...job.variables, ...variables, CI: 'true', GITLAB_CI: 'true', CI_PROJECT_DIR: project }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls: existsSync(npx.log) ? readFileSync(npx.log, 'utf8') : '' };
  }

  it('writes the JUnit and Code Quality reports its artifacts name, and the HTML page; a failed rule fails the job', () => {
    const project = workspace();
    const r = runJob({ INSPECT_TUI_IMAGE: 'app.tar' }, project);
    expect(r.code, r.stderr).toBe(1);
    const { artifacts } = template['.inspect-tui']!;
    expect(readFileSync(path.join(project, artifacts!.reports.junit), 'utf8')).toMatch(/<testsuites name="inspect-tui" tests="3" failures="2"/);
    const issues = JSON.parse(readFileSync(path.join(project, artifacts!.reports.codequality), 'utf8')) as { check_name: string }[];
    expect(issues.map((i) => i.check_name).sort()).toEqual(['inspect-tui/highestUserWastedPercent', 'inspect-tui/lowestEfficiency']);
    for (const p of artifacts!.paths) expect(existsSync(path.join(project, p, 'inspect-tui.html'))).toBe(true);
  });

  it('INSPECT_TUI_FAIL_ON=never, INSPECT_TUI_CONFIG and INSPECT_TUI_ARGS reach the run', () => {
    const project = workspace();
    writeFileSync(path.join(project, 'rules.yml'), 'rules:\n  lowestEfficiency: 0.99\n');
    const r = runJob({ INSPECT_TUI_IMAGE: 'app.tar', INSPECT_TUI_FAIL_ON: 'never', INSPECT_TUI_CONFIG: 'rules.yml', INSPECT_TUI_ARGS: '--no-verify --base-layers 1' }, project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toMatch(/ --ci-config rules\.yml --no-verify --base-layers 1 app\.tar\n$/);
    const missing = runJob({ INSPECT_TUI_IMAGE: 'nope.tar', INSPECT_TUI_FAIL_ON: 'never' }, project);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('inspect-tui: nope.tar: no such file');
  });
});
