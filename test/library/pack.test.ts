import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { packedTarball } from '../release/helpers.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The most the package may take once installed. */
const MAX_INSTALLED_BYTES = 15 * 1024 * 1024;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: '', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

/**
 * The package as users get it: `npm pack` of this checkout (built by `npm test`), installed into
 * a fresh project with a fresh npm cache and scripts allowed, imported by name from plain
 * JavaScript and from TypeScript, and run from its bin.
 */
describe('the packed package', () => {
  it('ships the bundle, its declarations, the schemas, the docs and the notices; nothing else', () => {
    const files = run('tar', ['-tzf', packedTarball()], ROOT).stdout.split('\n').filter(Boolean);
    for (const f of [
      'dist/cli.js',
      'dist/index.js',
      'dist/types/index.d.ts',
      'dist/pool-worker.js',
      'dist/yaml.cjs',
      'dist/page-client.js',
      'dist/sql-wasm.wasm',
      'dist/proto/github.com/containerd/containerd/api/services/images/v1/images.proto',
      'dist/proto/github.com/containerd/containerd/LICENSE',
      'dist/THIRD-PARTY-NOTICES.txt',
      'schema/export-v1.schema.json',
      'schema/diff-v1.schema.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'package.json',
    ])
      expect(files).toContain(`package/${f}`);
    // every document the README links to
    for (const m of readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/\]\((docs\/[^)#]+)/g)) expect(files).toContain(`package/${m[1]}`);
    // not the sources, the tests, tsc's build, source maps (their sources are not shipped) or the single executable
    expect(files.filter((f) => /^package\/(src|test|build|scripts|proto)\//.test(f) || f.endsWith('.map') || f.includes('inspect-tui-linux-x64'))).toEqual([]);
    // each highlighted language is a file of its own
    expect(files.filter((f) => /^package\/dist\/(c|python|yaml|bash)-[A-Z0-9]+\.js$/.test(f))).toHaveLength(4);
  });

  it('declares no runtime dependency and no install script', () => {
    const dir = tmpDir('inspect-tui-pack-json-');
    run('tar', ['-xzf', packedTarball(), '-C', dir, 'package/package.json'], ROOT);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) expect(pkg[k], k).toBeUndefined();
    const scripts = (pkg.scripts ?? {}) as Record<string, string>;
    for (const k of ['preinstall', 'install', 'postinstall']) expect(scripts[k], k).toBeUndefined();
  });

  it('installs as one package with no install script, takes at most 15 MB, and inspectImage gives the figures and JSON the CLI gives', () => {
    const out = tmpDir('inspect-tui-pack-');
    const proj = path.join(out, 'app');
    mkdirSync(proj);
    writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // Scripts allowed, a cache of its own (the tarball is local and has nothing to fetch).
    const install = run('npm', ['install', '--no-package-lock', '--offline', '--cache', path.join(out, 'npm-cache'), packedTarball()], proj);
    expect(install.stdout).toMatch(/added 1 package\b/);
    expect(install.stdout + install.stderr).not.toMatch(/install-scripts|postinstall|install script/i);
    expect(readdirSync(path.join(proj, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['inspect-tui']);
    const installed = bytesUnder(path.join(proj, 'node_modules', 'inspect-tui'));
    console.log(`installed: ${(installed / 2 ** 20).toFixed(1)} MiB in node_modules/inspect-tui`);
    expect(installed).toBeLessThanOrEqual(MAX_INSTALLED_BYTES);
    // no shipped file points at a source map
    const shipped = path.join(proj, 'node_modules', 'inspect-tui', 'dist');
    expect(readdirSync(shipped).filter((f) => f.endsWith('.js') && readFileSync(path.join(shipped, f), 'utf8').includes('sourceMappingURL'))).toEqual([]);

    const bin = spawnSync(path.join(proj, 'node_modules', '.bin', 'inspect-tui'), ['--version'], { encoding: 'utf8' });
    expect(bin.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);

    writeFileSync(
      path.join(proj, 'check.mjs'),
      `import { inspectImage, toJsonExport, evaluateRules, DEFAULT_RULES } from 'inspect-tui';
const a = await inspectImage(process.argv[2], { cache: false });
process.stdout.write(JSON.stringify(toJsonExport(a, evaluateRules(a, DEFAULT_RULES))));
`,
    );
    const lib = JSON.parse(run(process.execPath, ['check.mjs', EXAMPLE], proj).stdout) as Record<string, unknown>;
    const cli = runCli(['--ci', '--json', '-', '--quiet', '--no-cache', EXAMPLE]);
    expect(cli.code).toBe(1); // the example breaks dive's default rules
    expect(lib).toEqual(JSON.parse(cli.stdout));
    expect((lib.summary as { wastedBytes: number }).wastedBytes).toBeGreaterThan(0);
    // the schema is exported by name
    const schema = run(process.execPath, ['--input-type=module', '-e', "import { createRequire } from 'node:module'; console.log(createRequire(import.meta.url + '/').resolve('inspect-tui/schema/export-v1.schema.json'))"], proj).stdout.trim();
    expect(JSON.parse(readFileSync(schema, 'utf8')).$id).toBeTruthy();

    // the declarations type-check a TypeScript caller, and catch a wrong one
    writeFileSync(
      path.join(proj, 'ok.ts'),
      `import { inspectImage, type Analysis } from 'inspect-tui';
export const p: Promise<Analysis> = inspectImage('img.tar', { platform: 'linux/amd64', cache: false });
export const n = (a: Analysis): number => a.efficiency + a.layers[0]!.sizeBytes;
`,
    );
    writeFileSync(path.join(proj, 'bad.ts'), `import { inspectImage } from 'inspect-tui';\nexport const x: number = inspectImage('img.tar');\n`);
    const tsc = (f: string, skipLib = true) =>
      spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...(skipLib ? ['--skipLibCheck'] : []), '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node', f], { cwd: proj, encoding: 'utf8' });
    const ok = tsc('ok.ts');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(tsc('bad.ts').status).not.toBe(0);
    // the declarations hold together on their own: they name no package the install does not have
    const strict = tsc('ok.ts', false);
    expect(strict.stdout + strict.stderr).toBe('');
  }, 300_000);
});
