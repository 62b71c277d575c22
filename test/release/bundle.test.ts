import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSqlEngine } from '../../src/packages/rpm.js';
import { readSqliteWasm, sqliteWasmPath } from '../../src/load/sqlite-wasm.js';
import { buildDockerArchive, buildTar, ROOT, tmpDir } from '../helpers/image-files.js';
import { moduleLog } from '../helpers/loaded-modules.js';
import { EXAMPLE, inspector, tmuxReady } from '../helpers/tmux.js';

const DIST = path.join(ROOT, 'dist');
type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };
const meta = () => JSON.parse(readFileSync(path.join(ROOT, 'build', 'bundle-meta.json'), 'utf8')) as Meta;
const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];

describe('the bundle in dist/', () => {
  it('names every package it carries in THIRD-PARTY-NOTICES.txt, each with its licence text', () => {
    const text = readFileSync(path.join(DIST, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    const sections = text.split(/^={78}\n/m).slice(1);
    const listed = new Map(sections.map((s) => [s.split(/[ \n]/)[0]!, s.split(/^-{78}\n/m)[1] ?? '']));
    const carried = new Set(Object.values(meta().outputs).flatMap((o) => Object.keys(o.inputs).map(packageOf).filter((p): p is string => p !== undefined)));
    expect(carried.size).toBeGreaterThan(20);
    // the program's packages, the page script's, the lazily required files' and sql.js (its wasm ships)
    for (const p of [...carried, 'd3-hierarchy', 'yaml', 'picomatch', 'fzstd', 'sql.js']) {
      expect(listed.has(p), p).toBe(true);
      expect(listed.get(p)!, p).toMatch(/licen[cs]e|copyright|permission/i);
    }
    // yoga-layout ships no licence file: its repository's, vendored
    expect(listed.get('yoga-layout')).toContain('MIT License');
    // the code itself carries no licence comments (they are in the notices)
    expect(readFileSync(path.join(DIST, 'cli.js'), 'utf8')).not.toMatch(/@license/);
  });

  it("carries sql.js's wasm beside it, the very file sql.js ships, and it starts the SQLite engine", async () => {
    const shipped = readFileSync(path.join(DIST, 'sql-wasm.wasm'));
    // unbundled, the one place that finds the wasm resolves sql.js's own
    expect(Buffer.from(await readSqliteWasm())).toEqual(shipped);
    expect(sqliteWasmPath()).toMatch(/node_modules\/sql\.js\/dist\/sql-wasm\.wasm$/);
    const engine = await loadSqlEngine(new Uint8Array(shipped));
    const db = new engine.Database();
    expect(db.exec('select 6 * 7 as x')[0]!.values).toEqual([[42]]);
    db.close();
  });

  it("bundles sql.js (rpm's SQLite engine) so that it starts in an ES module and in one loaded from a data: URL (the single executable)", () => {
    // sql.js reads __dirname in Node, which an ES module does not have: the bundles define it.
    const dir = tmpDir('inspect-tui-bundle-sqljs-');
    const entry = path.join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { readFileSync } from 'node:fs';
import { loadSqlEngine } from ${JSON.stringify(path.join(ROOT, 'src', 'packages', 'rpm.ts'))};
const engine = await loadSqlEngine(new Uint8Array(readFileSync(${JSON.stringify(path.join(DIST, 'sql-wasm.wasm'))})));
const db = new engine.Database();
console.log(JSON.stringify(db.exec('select 6 * 7')[0].values));
`,
    );
    const script = `import * as esbuild from 'esbuild';
import { bundleOptions } from ${JSON.stringify(path.join(ROOT, 'scripts', 'build.mjs'))};
for (const kind of ['npm', 'sea']) {
  const o = bundleOptions(kind);
  const sea = kind === 'sea' ? { define: { ...o.define, 'import.meta.url': '"file:///nowhere/"' }, banner: { js: "import { createRequire as r } from 'node:module'; const require = r(process.execPath);" } } : {};
  await esbuild.build({ ...o, ...sea, logLevel: 'error', entryPoints: [${JSON.stringify(entry)}], outfile: ${JSON.stringify(dir)} + '/' + kind + '.mjs' });
}`;
    const built = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(built.stderr).toBe('');
    const npm = spawnSync(process.execPath, [path.join(dir, 'npm.mjs')], { encoding: 'utf8' });
    expect(npm.stderr).toBe('');
    expect(npm.stdout.trim()).toBe('[[42]]');
    const fromData = `import(${JSON.stringify('data:text/javascript;base64,')} + require('node:fs').readFileSync(${JSON.stringify(path.join(dir, 'sea.mjs'))}).toString('base64'))`;
    const sea = spawnSync(process.execPath, ['-e', fromData], { encoding: 'utf8' });
    expect(sea.stderr).toBe('');
    expect(sea.stdout.trim()).toBe('[[42]]');
  }, 60_000);

  it('keeps each package the sources require on first use out of the code every run loads, whichever way the call is written', () => {
    const dir = tmpDir('inspect-tui-bundle-lazy-');
    const src = path.join(dir, 'src');
    mkdirSync(src);
    writeFileSync(
      path.join(src, 'lazy.ts'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const yaml = () => require('yaml') as typeof import('yaml');
const pm = () => createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
console.log(JSON.stringify([yaml().parse('a: 1'), pm()('*.c')('x.c')]));
`,
    );
    writeFileSync(path.join(src, 'bad.ts'), `import { createRequire } from 'node:module';\nconst r = createRequire(import.meta.url);\nconst name = 'yaml';\nconsole.log(r(name));\n`);
    const script = `import * as esbuild from 'esbuild';
import { bundleOptions, bundleLazyFiles } from ${JSON.stringify(path.join(ROOT, 'scripts', 'build.mjs'))};
const lazy = new Set();
const nodePaths = [${JSON.stringify(path.join(ROOT, 'node_modules'))}];
await esbuild.build({ ...bundleOptions('npm', lazy), nodePaths, logLevel: 'silent', entryPoints: [${JSON.stringify(path.join(src, 'lazy.ts'))}], outfile: ${JSON.stringify(path.join(dir, 'npm', 'lazy.js'))} });
await bundleLazyFiles([...lazy], ${JSON.stringify(path.join(dir, 'npm'))});
const o = bundleOptions('sea');
await esbuild.build({ ...o, nodePaths, logLevel: 'silent', define: { ...o.define, 'import.meta.url': '"file:///nowhere/"' }, banner: { js: "import { createRequire as r } from 'node:module'; const require = r(process.execPath);" }, entryPoints: [${JSON.stringify(path.join(src, 'lazy.ts'))}], outfile: ${JSON.stringify(path.join(dir, 'sea.mjs'))} });
try { await esbuild.build({ ...bundleOptions('npm'), nodePaths, logLevel: 'silent', write: false, entryPoints: [${JSON.stringify(path.join(src, 'bad.ts'))}], outfile: 'x.js' }); console.log('built'); } catch (e) { console.log(e.errors[0].text); }`;
    const built = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(built.stderr).toBe('');
    // a call it cannot follow is a build error, not a program that fails when it gets there
    expect(built.stdout.trim()).toBe('r = createRequire(import.meta.url) is used other than to call it with a string literal: the bundle cannot carry it');
    // the package's bundle: each package a file of its own beside the code, required when called
    expect(readdirSync(path.join(dir, 'npm')).sort()).toEqual(['lazy.js', 'picomatch.cjs', 'yaml.cjs']);
    expect(readFileSync(path.join(dir, 'npm', 'lazy.js'), 'utf8').length).toBeLessThan(2000);
    const npm = spawnSync(process.execPath, [path.join(dir, 'npm', 'lazy.js')], { encoding: 'utf8' });
    expect(npm.stderr).toBe('');
    expect(JSON.parse(npm.stdout)).toEqual([{ a: 1 }, true]);
    // the single executable's: inlined, and working from a data: URL
    const fromData = `import(${JSON.stringify('data:text/javascript;base64,')} + require('node:fs').readFileSync(${JSON.stringify(path.join(dir, 'sea.mjs'))}).toString('base64'))`;
    const sea = spawnSync(process.execPath, ['-e', fromData], { encoding: 'utf8' });
    expect(sea.stderr).toBe('');
    expect(JSON.parse(sea.stdout)).toEqual([{ a: 1 }, true]);
  }, 60_000);

  it('runs its own worker file: a --ci run loads dist/pool-worker.js on worker threads', async () => {
    const dir = tmpDir('inspect-tui-bundle-worker-');
    const layers = await Promise.all([0, 1].map((i) => buildTar([{ name: `blob-${i}`, body: Buffer.alloc(20 << 20, i + 7) }])));
    const image = path.join(dir, 'img.tar');
    writeFileSync(image, await buildDockerArchive([{ tags: ['w:1'], layers }]));
    const log = moduleLog();
    const child = spawn(process.execPath, [log.option, path.join(DIST, 'cli.js'), '--ci', '--no-cache', '--quiet', image], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
    expect(code === 0 || code === 1).toBe(true);
    expect(log.urls()).toContain(new URL(`file://${path.join(DIST, 'pool-worker.js')}`).href);
  });

  const ready = tmuxReady('the lazily loaded languages in tmux');
  it.skipIf(!ready)('loads the highlighter and a language only when a file in it is viewed, and no other language', async () => {
    const log = moduleLog();
    // DEV=true as well: Ink would turn to React's devtools (a chunk the bundle carries but never loads)
    const app = inspector({ name: 'bundle-lang', args: [EXAMPLE], cols: 120, rows: 36, env: { NODE_OPTIONS: log.option, DEV: 'true' } });
    app.start();
    const chunk = (name: string) => log.urls().filter((u) => new RegExp(`/dist/${name}-[A-Z0-9]+\\.js$`).test(u));
    try {
      expect(await app.until((s) => s.includes('L0: changes of L0'), 'the inspector')).not.toContain('react-devtools-core');
      expect(chunk('run-tui')).toHaveLength(1); // the log sees the inspector's own chunk
      expect(chunk('lowlight-core')).toEqual([]);
      expect(chunk('devtools')).toEqual([]);
      app.keys('j');
      await app.until((s) => s.includes('L1: changes of L1'), 'layer 1');
      app.keys('/');
      app.text('main.c');
      app.keys('Enter');
      await app.until((s) => !s.includes('Search:'), 'the search kept');
      app.keys('v');
      await app.until((s) => s.includes('View /src/main.c') && s.includes('text (c)'), 'the C source');
      await app.until(() => chunk('c').length === 1, 'the C grammar loaded');
      expect(chunk('lowlight-core')).toHaveLength(1);
      const languages = readdirSync(DIST).filter((f) => /^(python|javascript|cpp|bash|xml|yaml)-[A-Z0-9]+\.js$/.test(f));
      expect(languages.length).toBe(6); // they are there, in files of their own…
      for (const f of languages) expect(log.urls().some((u) => u.endsWith(`/${f}`)), f).toBe(false); // …and none was loaded
      app.keys('q');
      await app.until((s) => !s.includes('View /src/main.c'), 'back to the panes');
      app.keys('q');
      await app.until((s) => s.includes('EXIT:0'), 'the exit code');
    } finally {
      app.stop();
    }
  }, 60_000);
});
