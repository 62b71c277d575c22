#!/usr/bin/env node
// npm run bench: speed and memory at the limit. Every figure is printed next to a baseline
// measured in the same run (alternating with it, medians of RUNS), its ratio, its goal, and
// whether the goal is met. It reports; it does not judge (exit 0).
//
//   npm run build && npm run bench [-- --runs 5] [-- --quick] [-- --scale 0.1] [-- --skip-1m]
//                                  [-- --no-extra] [-- --samples 20] [-- --only real,gzip,registry]
//
// --scale F (or BENCH_SCALE=F) multiplies every generated image's file count and size (the row
//           names say the actual counts); the images are kept in .bench/ per scale.
// --quick   every row at a small scale: --scale 0.05 --runs 1 --samples 10 (BENCH_QUICK=1).
// --skip-1m leaves out the 1M-file, 50-layer image (slow to generate and to read; BENCH_SKIP_1M=1).
// --no-extra leaves out the figures that have no goal in the table (verification cost, warm
//           reopen, diff of two images, findings, view-model timings).
// --samples N key presses per inspector action (default 20).
// --only L  only the parts named (comma-separated: startup, synthetic, real, gzip, registry, tui,
//           1m, extra), for measuring one change; the table leaves the others out.
//
// Needs python3 (../shared/bench/synth-image.py writes the synthetic images), tar, gzip,
// openssl, tmux and less; the registry row also needs docker-registry and skopeo and is
// skipped without them. The real-shaped image is written by scripts/synth-real-image.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, '.bench');
const cli = path.join(root, 'dist', 'cli.js');
const synth = path.resolve(root, '..', 'shared', 'bench', 'synth-image.py');
const args = process.argv.slice(2);
const opt = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const QUICK = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const SCALE = Number(opt('--scale') ?? process.env.BENCH_SCALE ?? (QUICK ? 0.05 : 1));
const RUNS = Number(opt('--runs')) || (QUICK ? 1 : 3);
const SAMPLES = Number(opt('--samples')) || (QUICK ? 10 : 20);
const SKIP_1M = args.includes('--skip-1m') || process.env.BENCH_SKIP_1M === '1';
const ONLY = opt('--only')?.split(',');
/** Whether a part runs (all of them unless --only names some). */
const want = (name) => !ONLY || ONLY.includes(name);
const EXTRA = !args.includes('--no-extra') && want('extra');
const CORES = os.availableParallelism?.() ?? os.cpus().length;
const log = (s) => process.stderr.write(`${s}\n`);

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const scaled = (x) => Math.max(1, Math.round(x * SCALE));
const count = (n) => (n >= 1e6 ? `${+(n / 1e6).toFixed(2)}M` : n >= 1000 ? `${+(n / 1000).toFixed(1)}k` : String(n));
const suffix = SCALE === 1 ? '' : `@${SCALE}`;

/** A synthetic image from the shared generator, written once per arguments. */
function synthImage(name, { files, layers, mib, extra = [] }) {
  const out = path.join(benchDir, `${name}${suffix}.tar`);
  if (!existsSync(out)) {
    mkdirSync(benchDir, { recursive: true });
    const flags = ['--files', String(scaled(files)), '--layers', String(layers), '--mib', String(scaled(mib)), ...extra];
    log(`generating ${path.relative(root, out)} (${flags.join(' ')})…`);
    execFileSync('python3', [synth, `${out}.tmp`, ...flags], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('mv', [`${out}.tmp`, out]);
  }
  return out;
}

/** The real-shaped image (scripts/synth-real-image.mjs), written once per scale. */
async function realImage() {
  const gen = await import(pathToFileURL(path.join(root, 'scripts', 'synth-real-image.mjs')).href);
  const out = gen.defaultOutput(SCALE);
  if (!existsSync(out)) {
    log(`generating ${path.relative(root, out)} (scripts/synth-real-image.mjs --scale ${SCALE})…`);
    gen.writeImage(out, { scale: SCALE, log });
  }
  return out;
}

/** Extracts an archive once (not timed) and returns its layer files for the baselines. */
function extracted(archive, pick) {
  const dir = `${archive}.d`;
  if (!existsSync(dir)) {
    mkdirSync(`${dir}.tmp`, { recursive: true });
    execFileSync('tar', ['-xf', archive, '-C', `${dir}.tmp`]);
    execFileSync('mv', [`${dir}.tmp`, dir]);
  }
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (pick(p)) files.push(p);
    }
  };
  walk(dir);
  return files.sort();
}

const isLayerTar = (p) => p.endsWith('layer.tar');

function isGzip(p) {
  const fd = openSync(p, 'r');
  const b = Buffer.alloc(2);
  readSync(fd, b, 0, 2, 0);
  closeSync(fd);
  return b[0] === 0x1f && b[1] === 0x8b;
}

/** Wall time (ms) of a command, and the peak RSS (MiB) when it is a node process of ours. */
function timeCmd(cmd, cmdArgs, env = {}) {
  const rssFile = path.join(os.tmpdir(), `inspect-tui-bench-rss-${process.pid}`);
  rmSync(rssFile, { force: true });
  const t = performance.now();
  const r = spawnSync(cmd, cmdArgs, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: 'true', NO_COLOR: '1', INSPECT_TUI_BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require=${path.join(root, 'scripts', 'bench-peak-rss.cjs')}`, ...env },
    maxBuffer: 256 << 20,
  });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}): ${String(r.stderr).trim().split('\n').pop()}`);
  const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : undefined;
  rmSync(rssFile, { force: true });
  return { ms, rss };
}

const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const shell = (script) => () => timeCmd('sh', ['-c', script]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = (image, ...flags) => () => timeCmd(process.execPath, [cli, '--ci', '--no-cache', '--quiet', ...flags, image]);

/** `tar -tvf` of every layer, one after the other. */
const tarList = (layers) => shell(layers.map((l) => `tar -tvf ${q(l)} >/dev/null`).join(' && '));
/** `openssl dgst -sha256` of every layer, CORES processes at a time, largest layers first. */
function opensslAll(layers) {
  const list = path.join(os.tmpdir(), `inspect-tui-bench-layers-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const bySize = [...layers].sort((a, b) => statSync(b).size - statSync(a).size);
  writeFileSync(list, `${bySize.join('\0')}\0`);
  process.once('exit', () => rmSync(list, { force: true }));
  return shell(`xargs -0 -P ${CORES} -n 1 openssl dgst -sha256 < ${q(list)} >/dev/null`);
}
/** `gzip -dc` of every blob, one after the other. */
const gunzipAll = (blobs) => shell(blobs.map((b) => `gzip -dc ${q(b)} >/dev/null`).join(' && '));

/** Runs each named command once per round, RUNS rounds; returns each one's median ms and peak RSS. */
function alternate(cmds) {
  const times = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  const rss = Object.fromEntries(Object.keys(cmds).map((k) => [k, 0]));
  for (let i = 0; i < RUNS; i++) {
    for (const [k, fn] of Object.entries(cmds)) {
      const r = fn();
      times[k].push(r.ms);
      rss[k] = Math.max(rss[k], r.rss ?? 0);
    }
  }
  const out = {};
  for (const k of Object.keys(cmds)) out[k] = { ms: median(times[k]), rss: rss[k] };
  log(`  ${Object.keys(cmds).map((k) => `${k} ${out[k].ms.toFixed(0)} ms`).join(', ')}`);
  return out;
}

const goalRows = [];
const extraRows = [];
const ms = (x) => `${x.toFixed(0)} ms`;
const ms1 = (x) => `${x.toFixed(1)} ms`;
const mib = (x) => `${x.toFixed(0)} MiB`;
/** One row: `met` is true/false when there is a goal, undefined when there is none or no figure. */
function row(table, work, figure, baseline, ratio, goal, met) {
  const r = { work, figure, baseline, ratio: ratio === undefined ? '' : `${ratio.toFixed(2)}×`, goal, met: met === undefined ? '' : met ? 'met' : 'not met' };
  table.push(r);
  log(`→ ${work}: ${figure}${baseline ? ` | ${baseline}` : ''}${r.ratio ? ` | ${r.ratio}` : ''}${goal ? ` | goal ${goal}: ${r.met}` : ''}`);
}
function skipped(work, goal, why) {
  goalRows.push({ work, figure: `skipped (${why})`, baseline: '', ratio: '', goal, met: '' });
  log(`→ ${work}: skipped (${why})`);
}

/** Runs a part; a failure is reported in its rows and the rest of the benchmark goes on. */
async function part(name, works, fn) {
  try {
    await fn();
  } catch (e) {
    log(`${name} failed: ${e.stack ?? e.message}`);
    for (const [work, goal] of works) if (!goalRows.some((r) => r.work === work)) skipped(work, goal, `failed: ${String(e.message).split('\n')[0]}`);
  }
}

/**
 * User plus system CPU (ms) of one run of a command, from wait4's resource usage of the child
 * (python3), so that nothing is preloaded into the process measured; output is discarded.
 */
function cpuOf(cmd, cmdArgs, env = {}) {
  const py = [
    'import os, sys',
    'pid = os.fork()',
    'if pid == 0:',
    '    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)',
    '    os.execvp(sys.argv[1], sys.argv[1:])',
    '_, status, ru = os.wait4(pid, 0)',
    'print(ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', py, cmd, ...cmdArgs], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env } });
  const [cpu, code] = r.stdout.trim().split(' ').map(Number);
  if (r.status !== 0 || (code !== 0 && code !== 1)) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${code ?? r.status})`);
  return { ms: cpu * 1000 };
}

/**
 * The package as users get it: its installed size, a cold npx of the packed tarball (an empty
 * npm cache, offline: the tarball needs nothing else), and the CPU that --version and --ci on
 * the example image spend, against an empty Node.js and the module-by-module build (tsc's
 * build/, with node_modules: how the package was built before it was bundled).
 */
async function startupRows() {
  const works = [
    ['installed size of the packed package', '≤ 15 MB'],
    ['cold npx of the packed tarball (empty npm cache, offline), to --version', '≤ 8 s'],
    ['startup CPU (user+sys), --version', '< the module-by-module build'],
    ['startup CPU (user+sys), --ci on the example image', '< the module-by-module build'],
  ];
  await part('startup', works, () => {
    const example = path.join(root, 'examples', 'example-image.tar');
    if (!existsSync(example)) execFileSync(process.execPath, [path.join(root, 'scripts', 'make-example-image.mjs')], { stdio: 'ignore' });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-bench-pack-'));
    try {
      log('\npackage, cold npx and startup CPU');
      execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      const tgz = path.join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz')));
      const app = path.join(tmp, 'app');
      mkdirSync(app);
      writeFileSync(path.join(app, 'package.json'), '{"name":"app","private":true}');
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--cache', path.join(tmp, 'install-cache'), tgz], { cwd: app, stdio: 'ignore' });
      const du = (d) => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? du(path.join(d, e.name)) : statSync(path.join(d, e.name)).size), 0);
      const bytes = du(path.join(app, 'node_modules', 'inspect-tui'));
      const packages = readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.')).length;
      row(goalRows, works[0][0], `${(bytes / 2 ** 20).toFixed(1)} MiB, ${packages} package${packages === 1 ? '' : 's'}`, '', undefined, works[0][1], bytes <= 15e6);

      const npxTimes = [];
      for (let i = 0; i < RUNS; i++) {
        const cache = path.join(tmp, `npx-cache-${i}`);
        npxTimes.push(timeCmd('npx', ['--yes', '--offline', '--cache', cache, '--package', tgz, 'inspect-tui', '--version'], { NODE_OPTIONS: '' }).ms);
      }
      const npx = median(npxTimes);
      log(`  cold npx ${npxTimes.map((t) => t.toFixed(0)).join(', ')} ms`);
      row(goalRows, works[1][0], ms(npx), '', undefined, works[1][1], npx <= 8000);

      const dev = path.join(root, 'build', 'cli', 'main.js');
      for (const [i, flags] of [[2, ['--version']], [3, ['--ci', '--no-cache', '--quiet', example]]]) {
        const n = Math.max(RUNS, 5);
        const t = { bundle: [], build: [], node: [] };
        for (let k = 0; k < n; k++) {
          t.node.push(cpuOf(process.execPath, ['-e', '0']).ms);
          t.bundle.push(cpuOf(process.execPath, [cli, ...flags]).ms);
          if (existsSync(dev)) t.build.push(cpuOf(process.execPath, [dev, ...flags]).ms);
        }
        const [b, d, e] = [median(t.bundle), t.build.length ? median(t.build) : undefined, median(t.node)];
        log(`  ${flags[0]}: bundle ${b.toFixed(0)} ms, module-by-module ${d?.toFixed(0) ?? '—'} ms, node -e 0 ${e.toFixed(0)} ms (medians of ${n})`);
        row(goalRows, works[i][0], ms(b), `node -e 0 ${ms(e)}; module-by-module build ${d === undefined ? 'not built' : ms(d)}`, d === undefined ? undefined : b / d, works[i][1], d === undefined ? undefined : b < d);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

async function main() {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  if (!existsSync(synth)) throw new Error(`${synth} is missing (../shared/bench/synth-image.py)`);
  const t0 = Date.now();
  log(`scale ${SCALE}, ${RUNS} run(s) per figure, ${SAMPLES} key presses per inspector action, ${CORES} cores`);
  // What a user meets first: the installed package, a cold npx, and the CPU of starting up.
  if (want('startup')) await startupRows();

  const spec50 = { files: 50_000, layers: 10, mib: 300 };
  const spec200 = { files: 200_000, layers: 20, mib: 1024 };
  const label = (s) => `${count(scaled(s.files))} files / ${s.layers} layers / ${scaled(s.mib)} MiB`;
  const coldMs = new Map();
  const ciRss = new Map();

  // Cold --ci on the synthetic tars: against tar -tvf, and against hashing every layer on every core.
  const synthetic = [
    { key: '50k', spec: spec50, work: `cold --ci, ${count(scaled(spec50.files))} synthetic (${label(spec50)})` },
    { key: '200k', spec: spec200, work: `cold --ci, ${count(scaled(spec200.files))} synthetic (${label(spec200)})` },
  ];
  for (const s of want('synthetic') ? synthetic : []) {
    const goal = '≤ 1.5× the slower baseline';
    await part(s.work, [[s.work, goal]], () => {
      const image = synthImage(`synth-${s.key}`, s.spec);
      s.image = image;
      const layers = extracted(image, isLayerTar);
      log(`\n${s.work}: ${path.relative(root, image)}`);
      const cmds = { 'inspect-tui': ours(image), 'tar -tvf': tarList(layers), [`openssl dgst ×${CORES}`]: opensslAll(layers) };
      if (EXTRA) cmds['--no-verify'] = ours(image, '--no-verify');
      const r = alternate(cmds);
      const tar = r['tar -tvf'].ms;
      const ssl = r[`openssl dgst ×${CORES}`].ms;
      const base = Math.max(tar, ssl);
      coldMs.set(s.key, r['inspect-tui'].ms);
      ciRss.set(s.key, r['inspect-tui'].rss);
      row(goalRows, s.work, ms(r['inspect-tui'].ms), `tar -tvf ${ms(tar)}; openssl dgst -sha256 ×${CORES} ${ms(ssl)}`, r['inspect-tui'].ms / base, goal, r['inspect-tui'].ms <= 1.5 * base);
      if (EXTRA) {
        row(extraRows, `peak RSS, cold --ci, ${label(s.spec)}`, mib(r['inspect-tui'].rss), '', undefined, '', undefined);
        row(extraRows, `verification cost, ${label(s.spec)}`, ms(r['inspect-tui'].ms), `--no-verify ${ms(r['--no-verify'].ms)}`, r['inspect-tui'].ms / r['--no-verify'].ms, '', undefined);
      }
    });
  }

  // The real-shaped image: unverified against listing its layers, verified against hashing them.
  if (want('real')) {
    const wNo = 'cold --ci --no-verify, real-shaped 14-layer image';
    const wYes = 'cold --ci, real-shaped 14-layer image, digests verified';
    const wPkg = 'packages cost: cold --ci, real-shaped 14-layer image, against --no-packages';
    await part('real-shaped image', [[wNo, '≤ 2×'], [wYes, '≤ 1.5×'], [wPkg, '≤ 1.05×']], async () => {
      const image = await realImage();
      const layers = extracted(image, isLayerTar);
      const size = `${(statSync(image).size / 2 ** 30).toFixed(2)} GiB`;
      log(`\nreal-shaped image: ${path.relative(root, image)} (${size})`);
      const r = alternate({ '--no-verify': ours(image, '--no-verify'), 'tar -tvf': tarList(layers), verified: ours(image), [`openssl dgst ×${CORES}`]: opensslAll(layers), '--no-packages': ours(image, '--no-packages') });
      const nv = r['--no-verify'].ms;
      const tar = r['tar -tvf'].ms;
      const v = r.verified.ms;
      const ssl = r[`openssl dgst ×${CORES}`].ms;
      row(goalRows, `${wNo} (${size})`, ms(nv), `tar -tvf of all layers ${ms(tar)}`, nv / tar, '≤ 2×', nv <= 2 * tar);
      row(goalRows, `${wYes} (${size})`, ms(v), `openssl dgst -sha256 of every layer, ${CORES} at a time ${ms(ssl)}`, v / ssl, '≤ 1.5×', v <= 1.5 * ssl);
      // Reading the package databases (dpkg status and lists, node_modules manifests, pip records) on top.
      const np = r['--no-packages'].ms;
      row(goalRows, `${wPkg} (${size})`, ms(v), `--no-packages ${ms(np)}`, v / np, '≤ 1.05×', v <= 1.05 * np);
      if (EXTRA) row(extraRows, `peak RSS, cold --ci, real-shaped (${size})`, mib(r.verified.rss), '', undefined, '', undefined);
    });
  }

  // Gzip OCI: against decompressing every blob, one after the other.
  const gzWork = `cold --ci, ${count(scaled(spec200.files))} gzip OCI (${label(spec200)})`;
  let gzImage;
  if (want('gzip') || want('registry')) await part(gzWork, [[gzWork, '≤ 0.75×']], () => {
    gzImage = synthImage('synth-200k-gzip-oci', { ...spec200, extra: ['--format', 'oci', '--gzip'] });
    const blobs = extracted(gzImage, (p) => p.includes(`${path.sep}blobs${path.sep}`) && isGzip(p));
    if (!want('gzip')) return;
    log(`\n${gzWork}: ${path.relative(root, gzImage)}`);
    const cmds = { 'inspect-tui': ours(gzImage), 'gzip -dc': gunzipAll(blobs) };
    if (EXTRA) cmds['--no-verify'] = ours(gzImage, '--no-verify');
    const r = alternate(cmds);
    row(goalRows, gzWork, ms(r['inspect-tui'].ms), `serial gzip -dc ${ms(r['gzip -dc'].ms)}`, r['inspect-tui'].ms / r['gzip -dc'].ms, '≤ 0.75×', r['inspect-tui'].ms <= 0.75 * r['gzip -dc'].ms);
    if (EXTRA) {
      row(extraRows, `peak RSS, cold --ci, gzip OCI ${label(spec200)}`, mib(r['inspect-tui'].rss), '', undefined, '', undefined);
      row(extraRows, `verification cost, gzip OCI ${label(spec200)}`, ms(r['inspect-tui'].ms), `--no-verify ${ms(r['--no-verify'].ms)}`, r['inspect-tui'].ms / r['--no-verify'].ms, '', undefined);
    }
  });

  // Registry pull of the gzip image.
  const regWork = `registry pull + analysis, ${count(scaled(spec200.files))} gzip`;
  if (!want('registry'));
  else if (!gzImage) skipped(regWork, '≤ 1.5×', 'no gzip image');
  else if (!have('docker-registry') || !have('skopeo')) skipped(regWork, '≤ 1.5×', 'docker-registry or skopeo not installed');
  else
    await part(regWork, [[regWork, '≤ 1.5×']], async () => {
      log(`\n${regWork}`);
      const { benchRegistry } = await import(pathToFileURL(path.join(root, 'scripts', 'bench-registry.mjs')).href);
      const reg = await benchRegistry({ image: gzImage, runs: RUNS, log: (s) => log(`  ${s}`) });
      row(goalRows, regWork, ms(reg.oursMedianMs), `skopeo copy ${ms(reg.skopeoMedianMs)}`, reg.ratio, '≤ 1.5×', reg.ratio <= 1.5);
    });

  // The inspector in a real terminal.
  const n200 = count(scaled(spec200.files));
  const keyRows = [
    ['layer change', 'layerChange'],
    ['cursor down in the tree', 'cursorDown'],
    ['collapse all', 'collapseAll'],
    ['sort', 'sort'],
  ];
  // A layer change may take a frame more than moving within the view (issue goals).
  const keyGoal = (k) => (k === 'layerChange' ? 50 : 33);
  const tuiWorks = [
    ...keyRows.map(([w, k]) => [`inspector, ${n200} files: ${w}, key → settled screen p50 / p95`, `p95 ≤ ${keyGoal(k)} ms`]),
    [`inspector, ${n200} files: filter keystroke p50 / max`, 'max ≤ 50 ms'],
    [`inspector first screen, ${n200} files, cached`, '≤ 0.6 s'],
    [`inspector first screen, ${n200} files, uncached`, '≤ 1.1× cold --ci'],
    [`inspector RSS, ${n200} files, after layer changes, sorts and a filter`, '≤ 250 MiB'],
    [`inspector, ${n200} files: held key (cursor down at 30 Hz): keys sent / moves applied, lag at release`, 'every key applied, lag ≤ 33 ms'],
  ];
  if (!want('tui'));
  else if (!have('tmux') || !have('less')) for (const [w, g] of tuiWorks) skipped(w, g, 'tmux or less not installed');
  else
    await part('inspector', tuiWorks, async () => {
      const image = synthetic[1].image ?? synthImage('synth-200k', spec200);
      log(`\ninspector in tmux (160x45): ${path.relative(root, image)}`);
      const { benchTui } = await import(pathToFileURL(path.join(root, 'scripts', 'bench-tui.mjs')).href);
      const r = await benchTui({ image, samples: SAMPLES, runs: RUNS, filter: 'pkg012/sub1', log: (s) => log(`  ${s}`) });
      const less = `less, one line: p50 ${ms1(r.less.p50)} / p95 ${ms1(r.less.p95)}`;
      const pollNote = ` (poll ${r.pollMs.toFixed(1)} ms)`;
      for (const [i, [, k]] of keyRows.entries()) {
        const x = r[k];
        row(goalRows, tuiWorks[i][0], `${ms1(x.p50)} / ${ms1(x.p95)}${pollNote}, CPU ${ms(x.cpuMs)}/key`, less, x.p95 / r.less.p95, tuiWorks[i][1], x.p95 <= keyGoal(k));
      }
      if (EXTRA) {
        row(extraRows, `inspector, ${n200} files: expand all, key → settled screen p50 / p95`, `${ms1(r.expandAll.p50)} / ${ms1(r.expandAll.p95)}`, less, r.expandAll.p95 / r.less.p95, '', undefined);
        row(extraRows, `inspector, ${n200} files: first output of any kind (loading screen), cached / uncached`, `${ms(r.firstOutputCached)} / ${ms(r.firstOutputUncached)}`, '', undefined, '', undefined);
      }
      row(goalRows, tuiWorks[4][0], `${ms1(r.filterKeystroke.p50)} / ${ms1(r.filterKeystroke.max)}${pollNote}, CPU ${ms(r.filterKeystroke.cpuMs)}/key`, '—', undefined, 'max ≤ 50 ms', r.filterKeystroke.max <= 50);
      const cold = coldMs.get('200k');
      row(goalRows, tuiWorks[5][0], ms(r.firstScreenCached), cold ? `cold --ci ${ms(cold)}` : '', cold ? r.firstScreenCached / cold : undefined, '≤ 0.6 s', r.firstScreenCached <= 600);
      row(goalRows, tuiWorks[6][0], ms(r.firstScreenUncached), cold ? `cold --ci ${ms(cold)}` : 'cold --ci not measured', cold ? r.firstScreenUncached / cold : undefined, '≤ 1.1× cold --ci', cold ? r.firstScreenUncached <= 1.1 * cold : undefined);
      const ci = ciRss.get('200k');
      row(goalRows, tuiWorks[7][0], `${mib(r.rssMiB)} (peak ${mib(r.hwmMiB)})`, ci ? `--ci peak ${mib(ci)}` : '--ci not measured', ci ? r.rssMiB / ci : undefined, tuiWorks[7][1], r.rssMiB <= 250);
      const h = r.heldKey;
      row(goalRows, tuiWorks[8][0], `${h.sent} / ${h.applied ?? '?'}, ${ms1(h.lagMs)}${pollNote}, CPU ${ms(h.cpuMs)}/key`, '', undefined, tuiWorks[8][1], h.applied === h.sent && h.lagMs <= 33);
    });

  // A million files in fifty layers.
  const spec1m = { files: 1_000_000, layers: 50, mib: 1024 };
  const mWork = `${count(scaled(spec1m.files))}-file, 50-layer synthetic (${label(spec1m)}): cold --ci time and peak RSS`;
  if (!want('1m'));
  else if (SKIP_1M) skipped(mWork, '≤ 2× and < 1 GiB', '--skip-1m');
  else
    await part(mWork, [[mWork, '≤ 2× and < 1 GiB']], () => {
      const image = synthImage('synth-1m-50l', spec1m);
      const layers = extracted(image, isLayerTar);
      log(`\n${mWork}: ${path.relative(root, image)}`);
      const r = alternate({ 'inspect-tui': ours(image), 'tar -tvf': tarList(layers) });
      const a = r['inspect-tui'];
      const tar = r['tar -tvf'].ms;
      row(goalRows, mWork, `${ms(a.ms)}, peak ${mib(a.rss)}`, `tar -tvf ${ms(tar)}`, a.ms / tar, '≤ 2× and < 1 GiB', a.ms <= 2 * tar && a.rss < 1024);
    });

  if (EXTRA) {
    await part('extra figures', [], async () => {
      const small = synthetic[0].image;
      const big = synthetic[1].image;
      for (const [s, img] of [
        [spec50, small],
        [spec200, big],
      ]) {
        if (!img) continue;
        log(`\nwarm reopen, ${label(s)}`);
        const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-bench-cache-'));
        const warm = () => timeCmd(process.execPath, [cli, '--ci', '--quiet', img], { XDG_CACHE_HOME: cacheHome });
        warm(); // fills the cache
        const w = alternate({ warm, cold: ours(img) });
        row(extraRows, `warm reopen, ${label(s)}`, ms(w.warm.ms), `cold ${ms(w.cold.ms)}`, w.warm.ms / w.cold.ms, '', undefined);
        rmSync(cacheHome, { recursive: true, force: true });
      }
      if (!big) return;
      // Two versions of the 200k image: comparing them must cost no more than analysing both.
      const b = synthImage('synth-200k-v2', { ...spec200, extra: ['--seed', '2'] });
      log(`\ndiff of two ${label(spec200)} images`);
      const diff = () => timeCmd(process.execPath, [cli, 'diff', '--ci', '--no-cache', '--quiet', big, b]);
      const both = () => {
        const x = ours(big)();
        const y = ours(b)();
        return { ms: x.ms + y.ms, rss: Math.max(x.rss ?? 0, y.rss ?? 0) };
      };
      const d = alternate({ diff, 'analysing both': both });
      row(extraRows, `diff of two ${count(scaled(spec200.files))} images (cold)`, `${ms(d.diff.ms)}, peak ${mib(d.diff.rss)}`, `analysing both ${ms(d['analysing both'].ms)}`, d.diff.ms / d['analysing both'].ms, '', undefined);

      log(`\nview model at ${label(spec200)}`);
      const dist = (p) => import(pathToFileURL(path.join(root, 'build', p)).href);
      const { inspectImage } = await dist('index.js');
      const { benchViewModel } = await import(pathToFileURL(path.join(root, 'scripts', 'bench-viewmodel.mjs')).href);
      const analysis = await inspectImage(big, { cache: false });
      const { findFindings } = await dist('core/findings.js');
      const ft = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        findFindings(analysis);
        ft.push(performance.now() - t);
      }
      const cold = coldMs.get('200k');
      row(extraRows, `findings, ${n200} files`, ms(median(ft)), cold ? `cold --ci ${ms(cold)}` : '', cold ? median(ft) / cold : undefined, '', undefined);
      const vm = await benchViewModel(analysis);
      row(extraRows, `view model: layer change (cold range), ${n200} files, max of ${vm.layerChangeCold.n}`, ms1(vm.layerChangeCold.max), '', undefined, '', undefined);
      row(extraRows, `view model: layer change (cached range), ${n200} files, max of ${vm.layerChangeWarm.n}`, ms1(vm.layerChangeWarm.max), '', undefined, '', undefined);
      row(extraRows, `view model: collapse all, ${n200} files`, ms1(vm.collapseAll), '', undefined, '', undefined);
      row(extraRows, `view model: filter keystroke, ${n200} files, max of ${vm.filterKeystroke.n}`, ms1(vm.filterKeystroke.max), '', undefined, '', undefined);
      row(extraRows, `view model: search keystroke, ${n200} files, max of ${vm.searchKeystroke.n}`, ms1(vm.searchKeystroke.max), '', undefined, '', undefined);
    });
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const out = process.stdout;
  out.write(`\nMachine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; scale ${SCALE}; medians of ${RUNS} alternating run(s); ${SAMPLES} key presses per inspector action; ${((Date.now() - t0) / 60000).toFixed(1)} min\n\n`);
  const table = (rows) => {
    out.write('| work | inspect-tui | baseline (same run) | ratio | goal | met |\n|---|---|---|---|---|---|\n');
    for (const r of rows) out.write(`| ${r.work} | ${r.figure} | ${r.baseline} | ${r.ratio} | ${r.goal} | ${r.met} |\n`);
  };
  table(goalRows);
  if (extraRows.length) {
    out.write('\nOther figures (no goal):\n\n');
    table(extraRows);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`bench: ${e.message}`);
    process.exit(0);
  },
);
