#!/usr/bin/env node
// The inspector end to end, in a real terminal: the BUILT binary (dist/cli.js, CI unset for
// the child) runs in tmux at 160x45; a key is sent and the time until the screen has settled is
// measured, for every action that must feel instant. Baseline: `less` moving one line in the
// same harness.
//
//   npm run build && node scripts/bench-tui.mjs IMAGE [--samples 20] [--runs 3] [--poll-ms 2]
//                                              [--gap-ms 100] [--filter TEXT] [--env K=V]…
//                                              [--first-screen-only]
// (--env sets a variable for the inspector only, for experiments, e.g. --env NODE_ENV=production)
//
// How a figure is taken: the screen is read (`capture-pane -p -e`, so colours and the cursor
// highlight count) every --poll-ms over one tmux control-mode connection (a read costs ~0.2 ms
// there, against ~5 ms for a tmux process per read); the key is sent; polling goes on until the
// screen differs from before the key and then stays the same for 2 more polls (and, where the
// action names one, shows the expected marker). The figure is the time from sending the key to
// the first poll that showed that final screen: nothing is subtracted, so it is late by up to one
// poll period (reported as `pollMs`, the median period actually achieved). After each figure
// the harness waits --gap-ms before the next key, as a person's key presses are apart.
// BENCH_TUI_TRACE=1 logs when the screen changed after each key (to see drawing in stages).
//
// First screen: from `tmux new-session` (the process start) to the first poll showing the Files
// pane with tree rows, uncached (an empty cache directory via XDG_CACHE_HOME) and cached (the
// directory the uncached run filled, once it had verified every layer and quit), alternating.
// CPU: the inspector's user + system time over each action's key presses, divided by their
// number (`cpuMs`, idle work the keys cause included): unlike wall time, it hardly moves when
// the machine is busy with other work.
// RSS: /proc/PID/status VmRSS and VmHWM of the node process after layer changes, sorts and
// filter typing. Markers used are only the "Files" pane title with its `L<n>` layer tag and
// tree connectors (├── └──), so layout changes elsewhere do not break the harness.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const COLS = 160;
const ROWS = 45;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Plain text of a captured screen (escape sequences removed), for markers. */
export const plain = (s) => s.replace(/\x1b\[[0-9;:?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '');

/** What the Files pane says while its tree is built (src/viewmodel/rows.ts): such a screen has not settled. */
const TREE_PENDING = 'building the tree';

/** Whether the inspector's main screen is up: the Files pane title and tree rows. */
export const treeDrawn = (s) => /\bFiles\b/.test(s) && /[├└]─/.test(s);

/** The layer tag in the Files pane title (`Files ─── L3: …`), or undefined when not found. */
export function titleLayer(s) {
  for (const line of s.split('\n')) {
    const at = line.search(/\bFiles\b/);
    if (at < 0) continue;
    const m = /\bL(\d+)\b/.exec(line.slice(at));
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The tree cursor's row and the row count in the Files pane title (`… · 31/127005`), or undefined. */
export function treePosition(s) {
  for (const line of s.split('\n')) {
    const at = line.search(/\bFiles\b/);
    if (at < 0) continue;
    const m = /(\d+)\/(\d+)\s*$/.exec(line.slice(at).replace(/[│▌▐]/g, ' ').trimEnd());
    if (m) return { row: Number(m[1]), count: Number(m[2]) };
  }
  return undefined;
}

/** Nearest-rank percentile of some numbers. */
export function percentile(xs, p) {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

const median = (xs) => percentile(xs, 50);
const summary = (xs) => ({ p50: median(xs), p95: percentile(xs, 95), max: Math.max(...xs), n: xs.length });

/** Members of a tar file (outer image archives: few members) by name → offset and size; bodies are skipped, not read. */
function tarMembers(file) {
  const fd = openSync(file, 'r');
  const out = new Map();
  try {
    const h = Buffer.alloc(512);
    let pos = 0;
    let longName;
    for (;;) {
      if (readSync(fd, h, 0, 512, pos) < 512 || h.every((b) => b === 0)) break;
      const str = (o, l) => h.toString('utf8', o, o + l).replace(/\0.*$/s, '');
      const size = parseInt(str(124, 12).trim() || '0', 8);
      const type = String.fromCharCode(h[156] || 48);
      const prefix = str(345, 155);
      let name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
      longName = undefined;
      const body = pos + 512;
      if (type === 'x' || type === 'L') {
        const b = Buffer.alloc(size);
        readSync(fd, b, 0, size, body);
        if (type === 'L') longName = b.toString('utf8').replace(/\0.*$/s, '');
        else longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(b.toString('utf8'))?.[1];
      } else if (type !== 'g') {
        name = name.replace(/^\.\//, '');
        out.set(name, { offset: body, size });
      }
      pos = body + Math.ceil(size / 512) * 512;
    }
    return {
      names: out,
      read(name) {
        const m = out.get(name);
        if (!m) return undefined;
        const b = Buffer.alloc(m.size);
        readSync(fd, b, 0, m.size, m.offset);
        return b;
      },
      close: () => closeSync(fd),
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** How many layers an image archive (docker-archive, or an OCI layout tar with one image) has. */
export function imageLayerCount(file) {
  const t = tarMembers(file);
  try {
    const manifest = t.read('manifest.json');
    if (manifest) return JSON.parse(manifest.toString()).at(0).Layers.length;
    const index = t.read('index.json');
    if (index) {
      const digest = JSON.parse(index.toString()).manifests[0].digest;
      const m = JSON.parse(t.read(`blobs/${digest.replace(':', '/')}`).toString());
      if (m.manifests) return JSON.parse(t.read(`blobs/${m.manifests[0].digest.replace(':', '/')}`).toString()).layers.length;
      return m.layers.length;
    }
    throw new Error('neither manifest.json nor index.json');
  } finally {
    t.close();
  }
}

/**
 * One tmux server of our own (its own socket, so other sessions on the machine are untouched)
 * and one control-mode client to it: commands and their output over a pipe, no process per read.
 */
export async function startTmux() {
  const socket = `inspect-tui-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const base = ['-L', socket, '-f', '/dev/null'];
  execFileSync('tmux', [...base, 'new-session', '-d', '-s', 'home', '-x', String(COLS), '-y', String(ROWS), 'sleep 86400']);
  const client = spawn('tmux', [...base, '-C', 'attach', '-t', 'home'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = '';
  let block; // lines of the reply being read
  const waiting = [];
  // The attach itself answers with a reply nobody asked for: until our marker's reply comes back,
  // replies are dropped, so that afterwards each reply is the answer to the oldest command sent.
  const nonce = `ready-${process.pid}`;
  let synced;
  const ready = new Promise((r) => (synced = r));
  let syncing = true;
  client.stdout.setEncoding('utf8');
  client.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (block === undefined && line.startsWith('%begin ')) block = [];
      else if (block !== undefined && (line.startsWith('%end ') || line.startsWith('%error '))) {
        const reply = block;
        block = undefined;
        if (syncing) {
          if (reply.join('\n') === nonce) {
            syncing = false;
            synced();
          }
          continue;
        }
        const w = waiting.shift();
        if (w) (line.startsWith('%error ') ? w.reject(new Error(`tmux: ${reply.join('\n')}`)) : w.resolve(reply.join('\n')));
      } else if (block !== undefined) block.push(line);
    }
  });
  const exited = new Promise((r) => client.once('exit', r));
  /** Sends one tmux command; resolves with its output. */
  const cmd = (line) =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      client.stdin.write(`${line}\n`);
    });
  client.stdin.write(`display-message -p ${nonce}\n`);
  const ok = await Promise.race([ready.then(() => true), sleep(10_000).then(() => false)]);
  if (!ok) {
    client.kill();
    spawnSync('tmux', [...base, 'kill-server']);
    throw new Error('tmux control mode did not answer');
  }
  // Output notifications of panes are not needed (the screen is read with capture-pane).
  await cmd('refresh-client -f no-output').catch(() => {});
  const socketPath = await cmd("display-message -p '#{socket_path}'");
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  // Interrupted: no server of ours is left behind.
  const onSignal = (sig) => {
    spawnSync('tmux', [...base, 'kill-server']);
    rmSync(socketPath, { force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    cmd,
    q,
    capture: (session) => cmd(`capture-pane -p -e -t ${session}`),
    /** A detached session of COLS×ROWS running `sh SCRIPT`. */
    session: (name, script, cwd) => cmd(`new-session -d -s ${name} -x ${COLS} -y ${ROWS} -c ${q(cwd)} ${q(`sh ${q(script)}`)}`),
    kill: (name) => cmd(`kill-session -t ${name}`).catch(() => {}),
    async close() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      client.stdin.end();
      await Promise.race([exited, sleep(2000)]);
      spawnSync('tmux', [...base, 'kill-server']);
      rmSync(socketPath, { force: true });
    },
  };
}

const alive = (pid) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

/** CPU time (user + system, ms) a process has used so far; /proc counts in ticks of 10 ms. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function readStatus(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

/**
 * Runs the whole inspector benchmark on one image.
 * @param {{ image: string, samples?: number, runs?: number, pollMs?: number, gapMs?: number, filter?: string,
 *           timeoutMs?: number, loadTimeoutMs?: number, log?: (s: string) => void, trace?: boolean,
 *           env?: Record<string, string> }} o  env: extra variables for the inspector (experiments)
 * @returns {Promise<object>} milliseconds (and MiB for memory); see the keys below.
 */
export async function benchTui(o) {
  const { image, samples = 20, runs = 3, pollMs = 2, gapMs = 100, filter = 'lib', firstScreenOnly = false, timeoutMs = 10_000, loadTimeoutMs = 600_000, log = () => {}, trace = Boolean(process.env.BENCH_TUI_TRACE), env = {} } = o;
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is not installed');
  if (spawnSync('less', ['--version']).status !== 0) throw new Error('less is not installed');
  const layerCount = imageLayerCount(image);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-bench-tui-'));
  const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp); // also when interrupted
  const t = await startTmux();
  const periods = [];
  let lastPoll;
  const capture = async (s) => {
    const out = await t.capture(s);
    const now = performance.now();
    if (lastPoll !== undefined && now - lastPoll < pollMs * 20) periods.push(now - lastPoll);
    lastPoll = now;
    return out;
  };
  let n = 0;
  /** Starts `command…` in a new session; returns its name, pid and start time. */
  const launch = async (argv, env = {}) => {
    const name = `b${++n}`;
    const pidFile = path.join(tmp, `${name}.pid`);
    const script = path.join(tmp, `${name}.sh`);
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${t.q(v)}`).join(' ');
    writeFileSync(script, `echo $$ > ${t.q(pidFile)}\nexec env -u CI -u NO_COLOR -u FORCE_COLOR COLORTERM=truecolor ${envArgs} ${argv.map(t.q).join(' ')}\n`);
    const t0 = performance.now();
    await t.session(name, script, tmp);
    let pid;
    for (let i = 0; i < 2000 && !pid; i++) {
      try {
        pid = Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
      } catch {
        await sleep(1);
      }
    }
    return { name, pid, t0 };
  };
  /** Polls until `pred(plain screen)` holds; returns the time it was first seen. */
  const until = async (s, pred, what, limit = timeoutMs) => {
    const end = performance.now() + limit;
    for (;;) {
      const scr = await capture(s);
      const now = performance.now();
      if (pred(plain(scr))) return now;
      if (now > end) throw new Error(`timed out waiting for ${what}; screen:\n${plain(scr)}`);
      await sleep(pollMs);
    }
  };
  /** Waits until the screen has not changed for `quietMs`. */
  const idle = async (s, quietMs = 400, limit = 60_000) => {
    const end = performance.now() + limit;
    let last = await capture(s);
    let since = performance.now();
    while (performance.now() - since < quietMs) {
      if (performance.now() > end) throw new Error(`the screen never settled; screen:\n${plain(last)}`);
      await sleep(Math.max(pollMs, 10));
      const cur = await capture(s);
      if (cur !== last) {
        last = cur;
        since = performance.now();
      }
    }
  };
  /** Sends a key and measures the time to the settled screen (see the header). */
  const measure = async (s, keys, expect) => {
    const before = await capture(s);
    const t0 = performance.now();
    await t.cmd(`send-keys -t ${s} ${keys}`);
    let last = before;
    let seen;
    let same = 0;
    const changes = [];
    const end = t0 + timeoutMs;
    for (;;) {
      await sleep(pollMs);
      const cur = await capture(s);
      const now = performance.now();
      if (cur !== last) {
        last = cur;
        seen = now;
        same = 0;
        if (trace) changes.push((now - t0).toFixed(1));
      } else if (cur !== before && seen !== undefined && ++same >= 2 && !plain(cur).includes(TREE_PENDING) && (!expect || expect(plain(cur)))) {
        if (trace) log(`  ${keys}: screen changed at ${changes.join(', ')} ms`);
        await sleep(gapMs);
        return seen - t0;
      }
      if (now > end) throw new Error(`no settled screen after ${keys}; screen:\n${plain(cur)}`);
    }
  };
  const quit = async (run) => {
    if (!alive(run.pid)) return;
    await t.cmd(`send-keys -t ${run.name} q`);
    const end = performance.now() + 30_000;
    while (alive(run.pid) && performance.now() < end) await sleep(20);
    if (alive(run.pid)) process.kill(run.pid, 'SIGTERM');
    await t.kill(run.name);
  };
  const notVerifying = (s) => !/verifying/i.test(s);
  const inspector = (cacheHome) => launch([process.execPath, cli, image], { ...env, XDG_CACHE_HOME: cacheHome });

  const out = { layers: layerCount, samples, pollTargetMs: pollMs, gapMs };
  try {
    // First screen, uncached then cached, alternating.
    const uncached = [];
    const cached = [];
    const paintUncached = [];
    const paintCached = [];
    const anything = (x) => x.trim() !== '';
    let warmCache;
    for (let r = 0; r < runs; r++) {
      const cacheHome = mkdtempSync(path.join(tmp, 'cache-'));
      let run = await inspector(cacheHome);
      paintUncached.push((await until(run.name, anything, 'any output (uncached)', loadTimeoutMs)) - run.t0);
      uncached.push((await until(run.name, treeDrawn, 'the first screen (uncached)', loadTimeoutMs)) - run.t0);
      // The cache is written for verified layers: let verification finish, then quit.
      await until(run.name, notVerifying, 'verification', loadTimeoutMs);
      await idle(run.name);
      await quit(run);
      run = await inspector(cacheHome);
      paintCached.push((await until(run.name, anything, 'any output (cached)', loadTimeoutMs)) - run.t0);
      cached.push((await until(run.name, treeDrawn, 'the first screen (cached)', loadTimeoutMs)) - run.t0);
      await quit(run);
      if (warmCache) rmSync(warmCache, { recursive: true, force: true });
      warmCache = cacheHome;
      log(`first screen ${r + 1}/${runs}: uncached ${uncached.at(-1).toFixed(0)} ms (first output ${paintUncached.at(-1).toFixed(0)} ms), cached ${cached.at(-1).toFixed(0)} ms (first output ${paintCached.at(-1).toFixed(0)} ms)`);
    }
    out.firstScreenUncached = median(uncached);
    out.firstScreenCached = median(cached);
    // The first output of any kind (the loading screen): how much of the wait is start-up.
    out.firstOutputUncached = median(paintUncached);
    out.firstOutputCached = median(paintCached);
    if (firstScreenOnly) return out;

    // Keys, in one session (cached start), once everything is verified and the screen is quiet.
    const run = await inspector(warmCache);
    await until(run.name, treeDrawn, 'the first screen', loadTimeoutMs);
    await until(run.name, notVerifying, 'verification', loadTimeoutMs);
    await idle(run.name, 1000);
    const s = run.name;
    const scr = plain(await capture(s));
    // Down through the layers and back up; where the title names no layer, the selected one is
    // counted from L0 and only a changed screen is waited for.
    const titled = titleLayer(scr) !== undefined;
    let layer = titleLayer(scr) ?? 0;
    const layerTimes = [];
    let cpu0 = cpuMs(run.pid);
    let dir = layer >= layerCount - 1 ? -1 : 1;
    for (let i = 0; i < samples && layerCount > 1; i++) {
      if (layer + dir < 0 || layer + dir >= layerCount) dir = -dir;
      const want = layer + dir;
      layerTimes.push(await measure(s, dir > 0 ? 'j' : 'k', titled ? (x) => titleLayer(x) === want : undefined));
      layer = want;
    }
    out.layerChange = { ...summary(layerTimes), cpuMs: (cpuMs(run.pid) - cpu0) / layerTimes.length };
    log(`layer change: p50 ${out.layerChange.p50.toFixed(1)} ms, p95 ${out.layerChange.p95.toFixed(1)} ms, CPU ${out.layerChange.cpuMs.toFixed(0)} ms/key`);

    await t.cmd(`send-keys -t ${s} Tab`);
    await idle(s);
    const down = [];
    cpu0 = cpuMs(run.pid);
    for (let i = 0; i < samples; i++) down.push(await measure(s, 'j'));
    out.cursorDown = { ...summary(down), cpuMs: (cpuMs(run.pid) - cpu0) / down.length };
    log(`cursor down: p50 ${out.cursorDown.p50.toFixed(1)} ms, p95 ${out.cursorDown.p95.toFixed(1)} ms, CPU ${out.cursorDown.cpuMs.toFixed(0)} ms/key`);

    // A held key: cursor down auto-repeating at 30 Hz for HELD keys, sent on a fixed schedule
    // (not waiting for the screen). Every key must move the cursor (the title's row number), and
    // the screen must settle soon after the last one (lag at release: from sending the last key
    // to the first read of the final screen).
    const HELD = 60;
    const startPos = treePosition(plain(await capture(s)));
    cpu0 = cpuMs(run.pid);
    const heldT0 = performance.now();
    for (let i = 0; i < HELD - 1; i++) {
      await t.cmd(`send-keys -t ${s} j`);
      const next = heldT0 + ((i + 1) * 1000) / 30;
      await sleep(Math.max(0, next - performance.now()));
    }
    const wantRow = startPos ? Math.min(startPos.count, startPos.row + HELD) : undefined;
    const lag = await measure(s, 'j', wantRow === undefined ? undefined : (x) => treePosition(x)?.row === wantRow);
    const endPos = treePosition(plain(await capture(s)));
    out.heldKey = { sent: HELD, applied: startPos && endPos ? endPos.row - startPos.row : undefined, hz: 30, lagMs: lag, spanMs: performance.now() - heldT0 - gapMs, cpuMs: (cpuMs(run.pid) - cpu0) / HELD };
    log(`held key (cursor down at 30 Hz): ${out.heldKey.sent} sent, ${out.heldKey.applied ?? '?'} applied, lag at release ${lag.toFixed(1)} ms, CPU ${out.heldKey.cpuMs.toFixed(0)} ms/key`);

    const collapse = [];
    const expand = [];
    let collapseCpu = 0;
    let expandCpu = 0;
    for (let i = 0; i < Math.max(1, Math.ceil(samples / 2)); i++) {
      cpu0 = cpuMs(run.pid);
      collapse.push(await measure(s, 'C-Space'));
      collapseCpu += cpuMs(run.pid) - cpu0;
      cpu0 = cpuMs(run.pid);
      expand.push(await measure(s, 'C-Space'));
      expandCpu += cpuMs(run.pid) - cpu0;
    }
    out.collapseAll = { ...summary(collapse), cpuMs: collapseCpu / collapse.length };
    out.expandAll = { ...summary(expand), cpuMs: expandCpu / expand.length };
    log(`collapse all: p50 ${out.collapseAll.p50.toFixed(1)} ms, p95 ${out.collapseAll.p95.toFixed(1)} ms, CPU ${out.collapseAll.cpuMs.toFixed(0)} ms/key; expand all: p50 ${out.expandAll.p50.toFixed(1)} ms, p95 ${out.expandAll.p95.toFixed(1)} ms, CPU ${out.expandAll.cpuMs.toFixed(0)} ms/key`);

    const sort = [];
    cpu0 = cpuMs(run.pid);
    for (let i = 0; i < samples; i++) sort.push(await measure(s, 'C-o'));
    out.sort = { ...summary(sort), cpuMs: (cpuMs(run.pid) - cpu0) / sort.length };
    log(`sort: p50 ${out.sort.p50.toFixed(1)} ms, p95 ${out.sort.p95.toFixed(1)} ms, CPU ${out.sort.cpuMs.toFixed(0)} ms/key`);

    const typing = [];
    let typingCpu = 0;
    while (typing.length < samples) {
      await t.cmd(`send-keys -t ${s} C-f`);
      await idle(s, 200);
      for (const ch of filter) {
        if (typing.length >= samples) break;
        cpu0 = cpuMs(run.pid);
        typing.push(await measure(s, `-l ${t.q(ch)}`));
        typingCpu += cpuMs(run.pid) - cpu0;
      }
      await t.cmd(`send-keys -t ${s} Escape`);
      await idle(s, 200);
    }
    out.filterKeystroke = { ...summary(typing), cpuMs: typingCpu / typing.length };
    log(`filter keystroke: p50 ${out.filterKeystroke.p50.toFixed(1)} ms, max ${out.filterKeystroke.max.toFixed(1)} ms, CPU ${out.filterKeystroke.cpuMs.toFixed(0)} ms/key`);

    // Memory after layer changes, sorts and a filter: one more filter kept, then read.
    await t.cmd(`send-keys -t ${s} C-f`);
    await t.cmd(`send-keys -t ${s} -l ${t.q(filter)}`);
    await t.cmd(`send-keys -t ${s} Enter`);
    await idle(s);
    Object.assign(out, readStatus(run.pid));
    log(`inspector memory: VmRSS ${out.rssMiB.toFixed(0)} MiB, VmHWM ${out.hwmMiB.toFixed(0)} MiB`);
    await quit(run);

    // Baseline: less moving one line in the same harness.
    const text = path.join(tmp, 'long.txt');
    const lines = [];
    for (let i = 0; i < 200_000; i++) lines.push(`${String(i).padStart(7, '0')} drwxr-xr-x 0:0 ${(i * 7919) % 1000000} usr/lib/pkg${i % 600}/sub${i % 4}/f${i}.dat`);
    writeFileSync(text, `${lines.join('\n')}\n`);
    const less = await launch(['less', '-S', text], { LESS: '', LESSHISTFILE: '-' });
    await until(less.name, (x) => x.includes('0000000 drwx'), 'less');
    await idle(less.name);
    const lessTimes = [];
    for (let i = 0; i < samples; i++) lessTimes.push(await measure(less.name, 'j'));
    out.less = summary(lessTimes);
    log(`less, one line: p50 ${out.less.p50.toFixed(1)} ms, p95 ${out.less.p95.toFixed(1)} ms`);
    await t.cmd(`send-keys -t ${less.name} q`);
    await t.kill(less.name);
    out.pollMs = median(periods);
    return out;
  } finally {
    await t.close();
    removeTmp();
    process.off('exit', removeTmp);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const image = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (!image) {
    console.error('usage: node scripts/bench-tui.mjs IMAGE [--samples N] [--runs N] [--poll-ms N] [--gap-ms N] [--filter TEXT] [--env K=V]… [--first-screen-only]');
    process.exit(2);
  }
  const num = (k) => (opt(k) === undefined ? undefined : Number(opt(k)));
  const env = Object.fromEntries(args.flatMap((a, i) => (a === '--env' && args[i + 1]?.includes('=') ? [[args[i + 1].slice(0, args[i + 1].indexOf('=')), args[i + 1].slice(args[i + 1].indexOf('=') + 1)]] : [])));
  benchTui({ image: path.resolve(image), samples: num('--samples'), runs: num('--runs'), pollMs: num('--poll-ms'), gapMs: num('--gap-ms'), filter: opt('--filter'), firstScreenOnly: args.includes('--first-screen-only'), env, log: (s) => console.error(s) }).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (e) => {
      console.error(`bench-tui: ${e.message}`);
      process.exit(2);
    },
  );
}
