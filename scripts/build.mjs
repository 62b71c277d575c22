#!/usr/bin/env node
// npm run build: everything `npm test`, `npm pack` and the single executable need, built in a
// temporary folder beside the checkout and swapped in by renaming, so a program started while a
// build runs never finds dist/ half-written or missing (a build that fails leaves both as they were).
//
//   dist/   what the package ships: the program and the library bundled and minified (ESM, the
//           inspector and each highlighted language in chunks of their own, loaded when used;
//           the packages the sources require on first use as CommonJS files of their own),
//           the worker pool's thread as a file of its own, the HTML report's page script,
//           sql.js's wasm, the containerd protos, the library's declarations (types/) and the
//           third-party notices. No runtime dependency is left to install.
//   build/  tsc's output, module by module with source maps: for the tests that import a module
//           in a child process, and for the benchmark's view-model figures; and bundle-meta.json,
//           esbuild's account of which sources each file of dist/ holds. Not shipped.
//
//   node scripts/build.mjs [--if-stale] [--dist DIR] [--build DIR]
//     --if-stale  only when a source is newer than dist/ (npm start runs it first)
//     --dist, --build  other folders (for tests)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildPageClient } from './build-page-client.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (s) => process.stderr.write(`${s}\n`);

/** The package's version, compiled into the bundles (they have no package.json beside them to read). */
export function packageVersion() {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
}

/** Where sql.js's wasm (rpm's SQLite databases) is in the checkout; the bundles carry a copy. */
export const SQLITE_WASM = path.join(ROOT, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');

/**
 * The sources load a few packages on first use with `createRequire(import.meta.url)('name')`, so
 * that a run that never needs them never pays for loading them (yaml and picomatch for a
 * `.dive-ci`, fzstd for a zstd layer without zlib's decoder). In the package's bundle each such
 * package becomes a CommonJS file of its own beside the bundle, `NAME.cjs`, which the call then
 * requires (`lazyFiles` collects the names); in the single executable, which has no files, the
 * call becomes a plain `require('name')` that esbuild bundles and still evaluates only when called.
 * A call with anything but a string literal is a build error rather than a program that fails at
 * run time.
 */
export function lazyRequirePlugin(mode, lazyFiles = new Set()) {
  const call = (q, id) => {
    if (mode === 'inline') return `require(${q}${id}${q})`;
    lazyFiles.add(id);
    return `createRequire(import.meta.url)(${q}./${lazyFileName(id)}${q})`;
  };
  return {
    name: 'lazy-require',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        if (!text.includes('createRequire(import.meta.url)')) return undefined;
        // `const name = createRequire(import.meta.url);` then `name('pkg')`: each call as below, the constant dropped
        for (const m of [...text.matchAll(/^[ \t]*(?:const|let) (\w+) = createRequire\(import\.meta\.url\);[ \t]*\n/gm)]) {
          text = text.replace(m[0], '');
          const calls = new RegExp(`\\b${m[1]}\\((['"])([^'"\\n]+)\\1\\)`, 'g');
          if (new RegExp(`\\b${m[1]}\\b`).test(text.replace(calls, '').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) {
            return { errors: [{ text: `${m[1]} = createRequire(import.meta.url) is used other than to call it with a string literal: the bundle cannot carry it` }] };
          }
          text = text.replace(calls, (_, q, id) => call(q, id));
        }
        text = text.replace(/createRequire\(import\.meta\.url\)\((['"])(?!\.\/)([^'"\n]+)\1\)/g, (_, q, id) => call(q, id));
        if (/createRequire\(import\.meta\.url\)\((?!['"]\.\/)/.test(text)) {
          return { errors: [{ text: 'createRequire(import.meta.url) called with something other than a string literal: the bundle cannot carry it' }] };
        }
        return { contents: text, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/**
 * Ink turns to React's devtools when the environment has DEV=true, a name common enough to be set
 * for other reasons: it then prints an install hint into the inspector's screen and reads its
 * own package.json, which a bundle does not have beside it (the single executable failed to
 * start). The bundles are not for debugging Ink: its isDev() is false in them.
 */
const inkDevPlugin = {
  name: 'ink-no-dev',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/]utils\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const dev = "process.env['DEV'] === 'true'";
      if (!text.includes(dev)) return { errors: [{ text: `ink's isDev no longer reads ${dev}: check how it turns to the devtools` }] };
      return { contents: text.replace(dev, 'false'), loader: 'js' };
    });
    // Ink's output stage as patches/ink+*.patch leaves it (see applyPatches): rows kept across
    // frames, a full-screen frame rewriting only its changed rows.
    b.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/](?:output|ink)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const mark = args.path.endsWith('output.js') ? 'const rowCache' : 'fullscreenFrame';
      if (!text.includes(mark)) return { errors: [{ text: `${args.path} is not patched (patches/ink+*.patch): run npx patch-package` }] };
      return { contents: text, loader: 'js' };
    });
  },
};

/** The file a lazily required package becomes beside the bundle. */
const lazyFileName = (id) => `${id.replace(/^@/, '').replace(/\//g, '-')}.cjs`;

/** Each lazily required package as one minified CommonJS file in `outdir`; returns their metafiles. */
export async function bundleLazyFiles(ids, outdir) {
  const metafiles = [];
  for (const id of ids) {
    const r = await esbuild.build({ bundle: true, platform: 'node', target: 'node20.19', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning', metafile: true, absWorkingDir: ROOT, stdin: { contents: `module.exports = require(${JSON.stringify(id)});`, resolveDir: ROOT, loader: 'js' }, outfile: path.join(outdir, lazyFileName(id)) });
    metafiles.push(r.metafile);
  }
  return metafiles;
}

/**
 * What every bundle shares. `INSPECT_TUI_BUNDLE` and `INSPECT_TUI_VERSION` are the constants the
 * sources test (`typeof … === 'undefined'` when they run unbundled): where the bundle's files
 * are and which version it is. An ESM bundle gets a `require` of its own for the CommonJS
 * packages it carries that require Node's built-in modules.
 */
export function bundleOptions(kind, lazyFiles = new Set()) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    metafile: true,
    absWorkingDir: ROOT,
    // React and its reconciler in their production builds only (src/cli/main.ts sets NODE_ENV
    // for the same reason when running unbundled; its assignment is left as it is).
    // CommonJS packages that read __dirname or __filename (sql.js does, in Node) read the
    // module's own: an ES module has neither (undefined in a module from a data: URL).
    define: {
      INSPECT_TUI_BUNDLE: JSON.stringify(kind),
      INSPECT_TUI_VERSION: JSON.stringify(packageVersion()),
      'process.env.NODE_ENV': '"production"',
      __dirname: 'import.meta.dirname',
      __filename: 'import.meta.filename',
    },
    logOverride: { 'assign-to-define': 'silent' },
    banner: { js: "import { createRequire as __inspectTuiCreateRequire } from 'node:module'; const require = __inspectTuiCreateRequire(import.meta.url);" },
    // Ink's import of React's devtools, never reached (see inkDevPlugin).
    external: ['react-devtools-core'],
    plugins: [lazyRequirePlugin(kind === 'sea' ? 'inline' : 'files', lazyFiles), inkDevPlugin],
  };
}

/** The program and the library: entries `cli.js` and `index.js`, shared and lazy code in chunks beside them. */
async function bundleProgram(outdir, lazyFiles) {
  return esbuild.build({
    ...bundleOptions('npm', lazyFiles),
    entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
  });
}

/** The worker pool's thread, one file (`WorkerPool` finds it beside the bundle). */
async function bundleWorker(outfile, lazyFiles) {
  return esbuild.build({ ...bundleOptions('npm', lazyFiles), entryPoints: ['src/archive/pool-worker.ts'], outfile });
}

/** The package folder and package.json of a bundled input (`node_modules/…/pkg/file.js`), or undefined for our own sources. */
function packageOf(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const n = parts[at + 1].startsWith('@') ? 2 : 1;
  const dir = path.join(ROOT, ...parts.slice(0, at + 1 + n));
  return { dir, pkg: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) };
}

/**
 * The third-party notices: every package whose code a bundle carries (the inputs of the
 * esbuild metafiles, plus `extraDirs`), with its licence files as it ships them. A package
 * that ships none takes the text from `scripts/licenses/NAME.txt` (copied from its repository);
 * a package with neither fails the build.
 */
export function notices(metafiles, extraDirs = []) {
  const dirs = new Map();
  for (const m of metafiles) {
    for (const input of Object.keys(m.inputs)) {
      const p = packageOf(input.replace(/^[^:]*:/, ''));
      if (p) dirs.set(p.dir, p.pkg);
    }
  }
  for (const d of extraDirs) dirs.set(d, JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')));
  const entries = [...dirs].sort((a, b) => a[1].name.localeCompare(b[1].name) || a[1].version.localeCompare(b[1].version));
  const parts = [];
  for (const [dir, pkg] of entries) {
    const files = readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f) && statSync(path.join(dir, f)).isFile()).sort();
    let texts = files.map((f) => readFileSync(path.join(dir, f), 'utf8').trim());
    if (texts.length === 0) {
      const vendored = path.join(ROOT, 'scripts', 'licenses', `${pkg.name.replace('/', '+')}.txt`);
      if (!existsSync(vendored)) throw new Error(`${pkg.name} ships no licence file and scripts/licenses/ has none for it`);
      texts = [readFileSync(vendored, 'utf8').trim()];
    }
    const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const head = `${pkg.name} ${pkg.version}${pkg.license ? ` (${pkg.license})` : ''}${repo || pkg.homepage ? `\n${repo ?? pkg.homepage}` : ''}`;
    parts.push(`${'='.repeat(78)}\n${head}\n${'-'.repeat(78)}\n${texts.join('\n\n')}\n`);
  }
  return { count: entries.length, names: entries.map(([, p]) => p.name), text: parts.join('\n') };
}

/** Every declaration file `index.d.ts` reaches through relative imports (what a TypeScript caller reads). */
function declarationClosure(buildDir) {
  const seen = new Set();
  const stack = ['index.d.ts'];
  while (stack.length) {
    const rel = stack.pop();
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = readFileSync(path.join(buildDir, rel), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])).replace(/\.js$/, '.d.ts');
      if (!existsSync(path.join(buildDir, target))) throw new Error(`${rel} imports ${m[1]}, which tsc did not declare`);
      stack.push(target);
    }
  }
  return [...seen].sort();
}

/** Builds dist/ and build/ into `tmp`; returns what the bundles hold (for the notices and the checks). */
async function buildInto(tmp) {
  const dist = path.join(tmp, 'dist');
  const dev = path.join(tmp, 'build');
  mkdirSync(dist, { recursive: true });

  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', dev], { cwd: ROOT, stdio: 'inherit' });
  const page = await buildPageClient([path.join(dev, 'report', 'html', 'page-client.js'), path.join(dist, 'page-client.js')]);

  const lazyFiles = new Set();
  const program = await bundleProgram(dist, lazyFiles);
  const worker = await bundleWorker(path.join(dist, 'pool-worker.js'), lazyFiles);
  const lazy = await bundleLazyFiles([...lazyFiles].sort(), dist);

  cpSync(SQLITE_WASM, path.join(dist, 'sql-wasm.wasm'));
  cpSync(path.join(ROOT, 'proto'), path.join(dist, 'proto'), { recursive: true, filter: (f) => !f.endsWith('README.md') });
  for (const rel of declarationClosure(dev)) cpSync(path.join(dev, rel), path.join(dist, 'types', rel));

  // sql.js's wasm ships whether or not its JavaScript is in the bundle yet (rpm reading loads it).
  const n = notices([program.metafile, worker.metafile, page.metafile, ...lazy], [path.dirname(path.dirname(SQLITE_WASM))]);
  const header = `Third-party software in inspect-tui ${packageVersion()}\n\nThe files in dist/ bundle code of the ${n.count} packages below; each is listed with its licence as the package ships it.\n\n`;
  writeFileSync(path.join(dist, 'THIRD-PARTY-NOTICES.txt'), header + n.text);
  // What each file of the bundle holds and imports, for the tests (which chunk carries React).
  writeFileSync(path.join(dev, 'bundle-meta.json'), JSON.stringify(program.metafile));
  return { program, worker, page, notices: n };
}

/** Moves `from` to `to`, the old `to` (if any) out of the way first into `trash`. */
function swapIn(from, to, trash) {
  if (existsSync(to)) renameSync(to, trash);
  renameSync(from, to);
}

/** The whole build; `dist` and `dev` default to dist/ and build/ of the checkout. */
/**
 * Applies `patches/` to node_modules (patch-package) when Ink's is not patched yet: its output
 * stage keeps unchanged rows across frames and rewrites only the changed rows of a full-screen
 * frame (see docs/performance.md). Done by the build, not by an npm lifecycle script: npm
 * counts even `prepare` as an install script of the published package. Tests that load Ink
 * from node_modules run after the build (`npm test`).
 */
export function applyPatches() {
  const output = path.join(ROOT, 'node_modules', 'ink', 'build', 'output.js');
  if (existsSync(output) && readFileSync(output, 'utf8').includes('const rowCache')) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'patch-package', 'index.js')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function build({ dist = path.join(ROOT, 'dist'), dev = path.join(ROOT, 'build') } = {}) {
  applyPatches();
  const tmp = mkdtempSync(path.join(path.dirname(dist), '.build-'));
  try {
    const t0 = Date.now();
    const r = await buildInto(tmp);
    swapIn(path.join(tmp, 'dist'), dist, path.join(tmp, 'dist.old'));
    swapIn(path.join(tmp, 'build'), dev, path.join(tmp, 'build.old'));
    if (process.env.VERBOSE) {
      const bytes = Object.values(r.program.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
      log(`dist/: program and library ${(bytes / 1024).toFixed(0)} KiB in ${Object.keys(r.program.metafile.outputs).length} files, worker ${(Object.values(r.worker.metafile.outputs)[0].bytes / 1024).toFixed(0)} KiB, ${r.notices.count} third-party packages; ${Date.now() - t0} ms`);
    }
    return r;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The newest modification time of what the build reads, in ms. */
function newestInput() {
  let newest = 0;
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'proto', 'scripts/build.mjs', 'scripts/build-page-client.mjs', 'package.json', 'package-lock.json']) walk(path.join(ROOT, p));
  return newest;
}

/** True when dist/ and build/ are there and newer than every source (`--if-stale`, for npm start). */
function upToDate() {
  const stamp = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
  const built = Math.min(stamp(path.join(ROOT, 'dist', 'cli.js')), stamp(path.join(ROOT, 'build', 'cli', 'main.js')));
  return built > newestInput();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k) => (args.includes(k) ? path.resolve(args[args.indexOf(k) + 1]) : undefined);
  if (!(args.includes('--if-stale') && upToDate())) await build({ dist: opt('--dist'), dev: opt('--build') });
}
