import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: '', npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * The package as users get it: `npm pack` of this checkout (built by `npm test`), installed into
 * a fresh project, imported by name from plain JavaScript and from TypeScript.
 */
describe('the packed library', () => {
  it('installs, and inspectImage gives the figures and JSON the CLI gives', () => {
    const out = tmpDir('inspect-tui-pack-');
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', out], ROOT);
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    expect(tgz).toMatch(/^inspect-tui-.*\.tgz$/);
    const files = run('tar', ['-tzf', path.join(out, tgz)], out).split('\n');
    // what ships: the build with its declarations and the schema, not the sources or tests
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/schema/export-v1.schema.json');
    expect(files.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);

    const proj = path.join(out, 'app');
    run('mkdir', ['-p', proj], out);
    writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--ignore-scripts', '--no-package-lock', '--prefer-offline', path.join(out, tgz)], proj);

    writeFileSync(
      path.join(proj, 'check.mjs'),
      `import { inspectImage, toJsonExport, evaluateRules, DEFAULT_RULES } from 'inspect-tui';
const a = await inspectImage(process.argv[2], { cache: false });
process.stdout.write(JSON.stringify(toJsonExport(a, evaluateRules(a, DEFAULT_RULES))));
`,
    );
    const lib = JSON.parse(run(process.execPath, ['check.mjs', EXAMPLE], proj)) as Record<string, unknown>;
    const cli = runCli(['--ci', '--json', '-', '--quiet', '--no-cache', EXAMPLE]);
    expect(cli.code).toBe(1); // the example breaks dive's default rules
    expect(lib).toEqual(JSON.parse(cli.stdout));
    expect((lib.summary as { wastedBytes: number }).wastedBytes).toBeGreaterThan(0);

    // the declarations type-check a TypeScript caller, and catch a wrong one
    writeFileSync(
      path.join(proj, 'ok.ts'),
      `import { inspectImage, type Analysis } from 'inspect-tui';
export const p: Promise<Analysis> = inspectImage('img.tar', { platform: 'linux/amd64', cache: false });
export const n = (a: Analysis): number => a.efficiency + a.layers[0]!.sizeBytes;
`,
    );
    writeFileSync(path.join(proj, 'bad.ts'), `import { inspectImage } from 'inspect-tui';\nexport const x: number = inspectImage('img.tar');\n`);
    const tsc = (f: string) => spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--types', 'node', f], { cwd: proj, encoding: 'utf8' });
    const ok = tsc('ok.ts');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(tsc('bad.ts').status).not.toBe(0);
  }, 300_000);
});
