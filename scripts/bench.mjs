#!/usr/bin/env node
// npm run bench: speed and memory on large synthetic images, each figure next to a baseline
// measured in the same run, alternating, medians of RUNS (default 3). It reports; it does not
// judge (exit 0). Needs python3 (the image generator), tar and gzip; the registry figure
// also needs docker-registry and skopeo and is skipped without them.
//
//   npm run build && npm run bench [-- --runs 5] [-- --quick]
//
// --quick uses the 50k image only (no 200k images, no registry).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, openSync, readSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, '.bench');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const synth = path.resolve(root, '..', 'shared', 'bench', 'synth-image.py');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 3;
const QUICK = args.includes('--quick');
const log = (s) => process.stderr.write(`${s}\n`);

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function ensureImage(name, flags) {
  const out = path.join(benchDir, name);
  if (!existsSync(out)) {
    mkdirSync(benchDir, { recursive: true });
    log(`generating ${path.relative(root, out)} (${flags.join(' ')})…`);
    execFileSync('python3', [synth, out, ...flags], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return out;
}

/** Extracts an archive once (not timed) and returns the layer files for the baselines. */
function extracted(archive, pick) {
  const dir = `${archive}.d`;
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xf', archive, '-C', dir]);
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
  return { ms, rss };
}

const shell = (script) => () => timeCmd('sh', ['-c', script]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `a` and `b` alternately RUNS times; returns the medians. */
function alternate(a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(a());
    bs.push(b());
  }
  return {
    a: median(as.map((x) => x.ms)),
    aRss: Math.max(...as.map((x) => x.rss ?? 0)),
    b: median(bs.map((x) => x.ms)),
  };
}

const rows = [];
/** The cold --ci median of each image, for figures measured against the analysis itself. */
const coldMs = new Map();
function row(figure, value, baselineName, baseline, goal, unit = 'ms') {
  const ratio = baseline ? value / baseline : undefined;
  rows.push({ figure, value: `${value.toFixed(unit === 'ms' ? 0 : 1)} ${unit}`, baseline: baseline ? `${baselineName} ${baseline.toFixed(0)} ms` : baselineName, ratio: ratio === undefined ? '' : `${ratio.toFixed(2)}×`, goal });
  log(`${figure}: ${value.toFixed(1)} ${unit}${ratio === undefined ? '' : ` (${ratio.toFixed(2)}× ${baselineName})`}`);
}

async function main() {
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build first');
  if (!existsSync(synth)) throw new Error(`${synth} is missing (../shared/bench/synth-image.py)`);
  const images = [{ name: '50k files / 10 layers / 300 MiB', file: ensureImage('synth-50k.tar', ['--files', '50000', '--layers', '10', '--mib', '300']), kind: 'tar' }];
  if (!QUICK) {
    images.push({ name: '200k files / 20 layers / 1 GiB', file: ensureImage('synth-200k.tar', ['--files', '200000', '--layers', '20', '--mib', '1024']), kind: 'tar' });
    images.push({ name: '200k files / 20 layers / 1 GiB, gzip OCI', file: ensureImage('synth-200k-gzip-oci.tar', ['--files', '200000', '--layers', '20', '--mib', '1024', '--format', 'oci', '--gzip']), kind: 'gzip' });
  }
  for (const img of images) {
    const cold = () => timeCmd(process.execPath, [cli, '--ci', '--no-cache', '--quiet', img.file]);
    let base;
    let baseName;
    if (img.kind === 'tar') {
      const layers = extracted(img.file, (p) => p.endsWith('layer.tar'));
      base = shell(layers.map((l) => `tar -tvf ${q(l)} >/dev/null`).join(' && '));
      baseName = 'tar -tvf';
    } else {
      const blobs = extracted(img.file, (p) => p.includes(`${path.sep}blobs${path.sep}`) && isGzip(p));
      base = shell(blobs.map((b) => `gzip -dc ${q(b)} >/dev/null`).join(' && '));
      baseName = 'gzip -dc';
    }
    log(`\n${img.name}: ${path.relative(root, img.file)}`);
    const r = alternate(cold, base);
    coldMs.set(img.file, r.a);
    row(`cold --ci, ${img.name}`, r.a, baseName, r.b, img.kind === 'tar' ? '≤ 2.0×' : '≤ 1.3×');
    row(`peak RSS, ${img.name}`, r.aRss, '', undefined, img.name.startsWith('200k') ? '≤ 250 MiB' : '', 'MiB');
    // What checking every layer against its digest and diffID costs: the same cold run with
    // --no-verify, alternating.
    const unverified = () => timeCmd(process.execPath, [cli, '--ci', '--no-cache', '--quiet', '--no-verify', img.file]);
    const v = alternate(cold, unverified);
    row(`cold --ci verified, ${img.name}`, v.a, 'cold --no-verify', v.b, '');
    row(`peak RSS verified, ${img.name}`, v.aRss, '', undefined, '', 'MiB');
    if (img.kind === 'tar') {
      const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-bench-cache-'));
      const warm = () => timeCmd(process.execPath, [cli, '--ci', '--quiet', img.file], { XDG_CACHE_HOME: cacheHome });
      warm(); // fills the cache
      const w = alternate(warm, cold);
      row(`warm reopen, ${img.name}`, w.a, 'cold', w.b, '≤ 0.10×');
      rmSync(cacheHome, { recursive: true, force: true });
    }
  }

  if (!QUICK) {
    // Two versions of the 200k image: comparing them must cost no more than analysing both.
    const a = images[1].file;
    const b = ensureImage('synth-200k-v2.tar', ['--files', '200000', '--layers', '20', '--mib', '1024', '--seed', '2']);
    log(`\ninspect-tui diff of two 200k images: ${path.relative(root, a)} ${path.relative(root, b)}`);
    const diff = () => timeCmd(process.execPath, [cli, 'diff', '--ci', '--no-cache', '--quiet', a, b]);
    const both = () => {
      const x = timeCmd(process.execPath, [cli, '--ci', '--no-cache', '--quiet', a]);
      const y = timeCmd(process.execPath, [cli, '--ci', '--no-cache', '--quiet', b]);
      return { ms: x.ms + y.ms, rss: Math.max(x.rss ?? 0, y.rss ?? 0) };
    };
    const d = alternate(diff, both);
    row('diff of two 200k images (cold)', d.a, 'analysing both', d.b, '≤ 1.0×');
    row('peak RSS, diff of two 200k images', d.aRss, '', undefined, '', 'MiB');
  }

  if (!QUICK) {
    const big = images[1].file;
    log('\nview model at 200k files');
    const dist = (p) => import(pathToFileURL(path.join(root, 'dist', p)).href);
    const { inspectImage } = await dist('index.js');
    const { benchViewModel } = await import(pathToFileURL(path.join(root, 'scripts', 'bench-viewmodel.mjs')).href);
    const analysis = await inspectImage(big, { cache: false });
    // Findings over the whole analysis, against the cold analysis of the same image.
    const { findFindings } = await dist('core/findings.js');
    const ft = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      findFindings(analysis);
      ft.push(performance.now() - t0);
    }
    row('findings, 200k files', median(ft), 'cold --ci', coldMs.get(big), '≤ 0.10×');
    const vm = await benchViewModel(analysis);
    row('layer change (cold range), 200k files', vm.layerChangeCold.max, 'max of 19', undefined, '≤ 50 ms');
    row('layer change (cached range), 200k files', vm.layerChangeWarm.max, 'max of 19', undefined, '≤ 50 ms');
    row('collapse all, 200k files', vm.collapseAll, '', undefined, '≤ 50 ms');
    row('filter keystroke, 200k files', vm.filterKeystroke.max, `max of ${vm.filterKeystroke.n}`, undefined, '≤ 50 ms');
    row('search keystroke, 200k files', vm.searchKeystroke.max, `max of ${vm.searchKeystroke.n}`, undefined, '');

    if (have('docker-registry') && have('skopeo')) {
      log('\nregistry pull of the 200k gzip image');
      const { benchRegistry } = await import(pathToFileURL(path.join(root, 'scripts', 'bench-registry.mjs')).href);
      const reg = await benchRegistry({ image: images[2].file, runs: RUNS, log });
      row('registry pull + analysis, 200k gzip', reg.oursMedianMs, 'skopeo copy', reg.skopeoMedianMs, '≤ 1.2×');
    } else log('\nregistry: skipped (docker-registry or skopeo not installed)');
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`\nMachine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; medians of ${RUNS} alternating runs\n\n`);
  process.stdout.write('| figure | inspect-tui | baseline (same run) | ratio | goal |\n|---|---|---|---|---|\n');
  for (const r of rows) process.stdout.write(`| ${r.figure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.goal} |\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`bench: ${e.message}`);
    process.exit(0);
  },
);
