import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';

type Step = { readonly name?: string; readonly run?: string; readonly uses?: string; readonly with?: Record<string, unknown>; readonly env?: Record<string, string> };
type Job = { readonly needs?: string | string[]; readonly permissions?: Record<string, string>; readonly steps: Step[] };
type Workflow = { readonly on: { push: { tags: string[] } }; readonly permissions: Record<string, string>; readonly jobs: Record<string, Job> };

const FILE = path.join(ROOT, '.github', 'workflows', 'release.yml');
const workflow = () => parse(readFileSync(FILE, 'utf8')) as Workflow;
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** SchemaStore's published schema of workflow files (test/release/vendor). */
function validator() {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'release', 'vendor', 'github-workflow.json'), 'utf8')) as object;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

/** The job whose steps run a command matching `re`, and that step. */
function jobRunning(w: Workflow, re: RegExp): { name: string; job: Job; step: Step } {
  for (const [name, job] of Object.entries(w.jobs)) {
    const step = job.steps.find((s) => s.run !== undefined && re.test(s.run));
    if (step) return { name, job, step };
  }
  throw new Error(`no step runs ${re}`);
}

describe('.github/workflows/release.yml', () => {
  it("is a valid workflow by SchemaStore's schema, which does catch a wrong one", () => {
    const validate = validator();
    const ok = validate(workflow());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // the schema is no rubber stamp: a permission level that does not exist, or a job without runs-on
    const bad = workflow() as unknown as { jobs: Record<string, Record<string, unknown>> };
    (bad.jobs.npm!.permissions as Record<string, string>)['id-token'] = 'admin';
    expect(validate(bad)).toBe(false);
    const noRunner = workflow() as unknown as { jobs: Record<string, Record<string, unknown>> };
    delete noRunner.jobs.build!['runs-on'];
    expect(validate(noRunner)).toBe(false);
  });

  it('publishes to npm with provenance, from a job that may mint the OIDC token and nothing more, after the tests and the build', () => {
    const w = workflow();
    expect(w.on.push.tags).toEqual(['v*.*.*']);
    expect(w.permissions).toEqual({ contents: 'read' });
    const publish = jobRunning(w, /\bnpm publish\b/);
    expect(publish.step.run).toMatch(/npm publish --provenance\b/);
    expect(publish.job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect([publish.job.needs].flat()).toEqual(expect.arrayContaining(['test', 'build']));
    // provenance needs package.json to name this repository
    expect(jobRunning(w, /npm pkg set .*repository\.url=git\+https:\/\/github\.com\/\$\{GITHUB_REPOSITORY\}\.git/).name).toBe(publish.name);
    // the tag must be the package's version
    expect(jobRunning(w, /require\("\.\/package\.json"\)\.version/).name).toBe('test');
  });

  it('runs the scripts this repository has, and attaches the files they write', () => {
    const w = workflow();
    for (const job of Object.values(w.jobs))
      for (const s of job.steps) for (const m of (s.run ?? '').matchAll(/npm run ([\w:-]+)/g)) expect(scripts[m[1]!], m[1]).toBeDefined();
    const build = jobRunning(w, /npm run build:sea/);
    expect(build.step.run).toMatch(/npm run build:image/);
    // the names the build scripts write (scripts/build-sea.mjs and scripts/build-image.mjs)
    const sea = readFileSync(path.join(ROOT, 'scripts', 'build-sea.mjs'), 'utf8');
    expect(sea).toContain("path.join(ROOT, 'dist', 'inspect-tui-linux-x64')");
    expect(sea).toContain('.LICENSES.txt');
    expect(readFileSync(path.join(ROOT, 'scripts', 'build-image.mjs'), 'utf8')).toContain("path.join(ROOT, 'dist', 'image')");
    const release = jobRunning(w, /gh release create/);
    expect(release.step.run).toMatch(/inspect-tui-linux-x64 inspect-tui-linux-x64\.LICENSES\.txt SHA256SUMS/);
    expect(release.job.permissions).toEqual({ contents: 'write' });
    const image = jobRunning(w, /buildah push/);
    expect(image.step.run).toMatch(/buildah bud .* image\n/s);
    expect(image.step.run).toContain('ghcr.io/$owner/inspect-tui');
    expect(image.job.permissions).toEqual({ contents: 'read', packages: 'write' });
    // every other job reads only
    const publish = jobRunning(w, /\bnpm publish\b/).name;
    for (const [name, job] of Object.entries(w.jobs)) if (![publish, release.name, image.name].includes(name)) expect(job.permissions, name).toBeUndefined();
  });

  it('npm publish --dry-run is clean: no warning about the package, its files or its fields', () => {
    const r = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('npm warn') && !/requires you to be logged in/.test(l));
    expect(warnings).toEqual([]);
    expect(r.stderr).toMatch(/npm notice name: inspect-tui/);
  }, 120_000);
});
