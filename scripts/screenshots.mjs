#!/usr/bin/env node
// Renders screenshots/*.png from real runs: each scenario starts the built binary in tmux,
// sends keys, waits for the screen it wants, captures it with colours (capture-pane -e),
// turns the ANSI into HTML and photographs that with headless Chromium.
//
//   npm run build && node scripts/screenshots.mjs
//
// Needs tmux and chromium (apt-get install -y chromium). Writes screenshots/<name>.png.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, '..', 'shared', 'fixtures', 'images');
const main = join(root, 'dist', 'cli.js');
const outDir = join(root, 'screenshots');
const COLS = 150;
const ROWS = 42;

const tmux = (...args) => execFileSync('tmux', args, { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(session, pred, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let s = '';
  while (Date.now() < end) {
    s = tmux('capture-pane', '-t', session, '-p');
    if (pred(s)) return s;
    await sleep(50);
  }
  throw new Error(`${session}: timed out waiting for ${what}:\n${s}`);
}

/** Each step: keys to send (tmux names, or {text}) then what the screen must show. */
const SCENARIOS = [
  {
    name: 'main',
    image: 'edge.docker-archive.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'j', 'j', 'j'], wait: (s) => s.includes('L4: changes of L4') },
      { keys: ['Tab', 'C-Space'], wait: (s) => s.includes('─⊕ usr') },
      { keys: ['j', 'l', 'l'], wait: (s) => s.includes('── same') && s.includes('big.bin') },
    ],
  },
  {
    name: 'aggregated-waste',
    image: 'edge.docker-archive.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['G', 'C-a'], wait: (s) => s.includes('aggregated L0–L') },
      { keys: ['Tab', 'C-o', 'C-Space'], wait: (s) => s.includes('by size') && s.includes('─⊕ usr') },
      { keys: ['/', { text: 'big.bin' }, 'Enter'], wait: (s) => s.includes('── big.bin') },
    ],
  },
  {
    name: 'whiteouts',
    image: 'edge-opaque.oci-archive.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['G', 'C-a', 'Tab', 'w'], wait: (s) => s.includes('whiteouts') },
      { keys: ['C-f', { text: '^/data' }, 'Enter'], wait: (s) => s.includes('Filter: ^/data') && s.includes('opaque /data') },
    ],
  },
  {
    name: 'file-history',
    image: 'edge.docker-archive.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['G', 'C-a', 'Tab', '/', { text: 'big.bin' }, 'Enter', 'f'], wait: (s) => s.includes('File history') && s.includes('/data/big.bin') },
    ],
  },
  {
    // The light theme, drawn on a white background.
    name: 'light-theme',
    args: ['--theme', 'light', 'edge.docker-archive.tar'],
    light: true,
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'j', 'j', 'j'], wait: (s) => s.includes('L4: changes of L4') },
      { keys: ['Tab', 'C-Space'], wait: (s) => s.includes('─⊕ usr') },
      { keys: ['j', 'l', 'l'], wait: (s) => s.includes('── same') && s.includes('big.bin') },
    ],
  },
  {
    name: 'diff',
    args: ['diff', 'edge.docker-archive.tar', 'edge-opaque.oci-archive.tar'],
    steps: [
      { wait: (s) => s.includes('OLD → NEW') && s.includes('Totals') },
      { keys: ['C-u', 'C-o'], wait: (s) => s.includes('by size change') && !s.includes('hiding unmodified') },
      { keys: ['C-Space'], wait: (s) => s.includes('─⊕ usr') },
      { keys: ['/', { text: 'big.bin' }, 'Enter', 'f'], wait: (s) => s.includes('── big.bin') && s.includes('NEW L12') },
    ],
  },
  {
    // The bundled example (npm run example): a C source at L1, highlighted, with line numbers.
    name: 'viewer',
    dir: join(root, 'examples'),
    image: 'example-image.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'Tab', '/', { text: 'main.c' }, 'Enter'], wait: (s) => s.includes('L1: changes of L1') && !s.includes('Search:') },
      { keys: ['v'], wait: (s) => s.includes('View /src/main.c') && s.includes('1 │ int main') },
    ],
  },
  {
    // /etc/passwd gained a line in L1: its history panel, focused with Tab, diffs L0 → L1 with d.
    name: 'file-diff',
    dir: join(root, 'examples'),
    image: 'example-image.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'Tab', '/', { text: 'passwd' }, 'Enter', 'f'], wait: (s) => s.includes('File history') && s.includes('L1 modified') },
      { keys: ['Tab'], wait: (s) => s.includes('▌File history') },
      { keys: ['d'], wait: (s) => s.includes('Diff /etc/passwd') && s.includes('+app:x:1000') },
    ],
  },
];

// ---- ANSI → HTML ---------------------------------------------------------------------------
const PALETTE = ['#1d1f21', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#c5c8c6'];
const BRIGHT = ['#666666', '#ff7b7b', '#d7e07a', '#ffd787', '#a3c4e3', '#d3b3e0', '#a8e0da', '#ffffff'];
const FG = '#c5c8c6';
const BG = '#1d1f21';
// A terminal with a white background (the light theme's screenshot): its own basic colours.
const LIGHT_PALETTE = ['#000000', '#c91b00', '#00a600', '#a68b00', '#0225c7', '#c930c7', '#00a6b2', '#7f7f7f'];
const LIGHT_BRIGHT = ['#676767', '#ff6d67', '#5ff967', '#c7b100', '#6871ff', '#ff76ff', '#00c5c7', '#000000'];
const LIGHT = { palette: LIGHT_PALETTE, bright: LIGHT_BRIGHT, fg: '#1d1f21', bg: '#ffffff' };
const DARK = { palette: PALETTE, bright: BRIGHT, fg: FG, bg: BG };
function xterm256(n, colors = DARK) {
  if (n < 8) return colors.palette[n];
  if (n < 16) return colors.bright[n - 8];
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return `rgb(${v[Math.floor(i / 36)]},${v[Math.floor(i / 6) % 6]},${v[i % 6]})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ansiToHtml(text, colors = DARK) {
  const { palette: PALETTE, bright: BRIGHT, fg: FG, bg: BG } = colors;
  let st = {};
  const out = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    let html = '';
    const re = /\x1b\[([0-9;]*)m/g;
    let last = 0;
    const emit = (chunk) => {
      if (!chunk) return;
      let fg = st.fg ?? FG;
      let bg = st.bg ?? 'transparent';
      if (st.inverse) [fg, bg] = [st.bg ?? BG, st.fg ?? FG];
      const css = [`color:${fg}`, `background:${bg}`];
      if (st.bold) css.push('font-weight:bold');
      if (st.dim && !st.inverse) css.push('opacity:0.6');
      if (st.underline) css.push('text-decoration:underline');
      html += `<span style="${css.join(';')}">${esc(chunk)}</span>`;
    };
    for (let m; (m = re.exec(line)); ) {
      emit(line.slice(last, m.index));
      last = re.lastIndex;
      const codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i];
        if (c === 0) st = {};
        else if (c === 1) st.bold = true;
        else if (c === 2) st.dim = true;
        else if (c === 4) st.underline = true;
        else if (c === 7) st.inverse = true;
        else if (c === 22) st.bold = st.dim = false;
        else if (c === 24) st.underline = false;
        else if (c === 27) st.inverse = false;
        else if (c >= 30 && c <= 37) st.fg = PALETTE[c - 30];
        else if (c >= 90 && c <= 97) st.fg = BRIGHT[c - 90];
        else if (c === 39) st.fg = undefined;
        else if (c >= 40 && c <= 47) st.bg = PALETTE[c - 40];
        else if (c >= 100 && c <= 107) st.bg = BRIGHT[c - 100];
        else if (c === 49) st.bg = undefined;
        else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
          st[c === 38 ? 'fg' : 'bg'] = xterm256(codes[i + 2], colors);
          i += 2;
        } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
          st[c === 38 ? 'fg' : 'bg'] = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
          i += 4;
        }
      }
    }
    emit(line.slice(last));
    out.push(`<div class="l">${html || ' '}</div>`);
  }
  return `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:${BG};}
.t{padding:12px;font:14px/17px "DejaVu Sans Mono","Liberation Mono",monospace;color:${FG};white-space:pre;}
.l{height:17px}
</style><div class="t">${out.join('')}</div>`;
}

function chromium() {
  for (const c of ['chromium', 'chromium-browser', 'google-chrome']) if (spawnSync('which', [c]).status === 0) return c;
  throw new Error('chromium is not installed (apt-get install -y chromium)');
}

async function shoot(sc) {
  const session = `shots-${sc.name}-${process.pid}`;
  const cwd = mkdtempSync(join(tmpdir(), 'shots-'));
  // Run beside the image so the screen shows a short relative reference.
  const args = (sc.args ?? [sc.image]).map((a) => `'${a}'`).join(' ');
  const cmd = `cd '${sc.dir ?? fixtures}' && env -u CI -u NO_COLOR TERM=xterm-256color node '${main}' ${args}; exec sleep 600`;
  // A tmux server that is still shutting down after the previous session refuses new ones.
  for (let attempt = 0; ; attempt++) {
    try {
      tmux('new-session', '-d', '-s', session, '-x', String(COLS), '-y', String(ROWS), '-c', cwd, cmd);
      break;
    } catch (e) {
      if (attempt >= 10) throw e;
      await sleep(300);
    }
  }
  try {
    for (const step of sc.steps) {
      for (const k of step.keys ?? []) {
        if (typeof k === 'string') tmux('send-keys', '-t', session, k);
        else tmux('send-keys', '-t', session, '-l', k.text);
      }
      await until(session, step.wait, `${sc.name} step`);
    }
    await sleep(200); // let a throttled frame land before the capture
    const ansi = tmux('capture-pane', '-t', session, '-e', '-p');
    const html = join(cwd, `${sc.name}.html`);
    writeFileSync(html, ansiToHtml(ansi, sc.light ? LIGHT : DARK));
    const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
    const width = Math.ceil(COLS * 8.43) + 24;
    const height = ROWS * 17 + 24;
    execFileSync(chromium(), [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--hide-scrollbars',
      `--window-size=${width},${height}`,
      `--screenshot=${join(outDir, `${sc.name}.png`)}`,
      pathToFileURL(html).href,
    ], { stdio: 'ignore' });
    rmSync(profile, { recursive: true, force: true });
    console.log(`screenshots/${sc.name}.png`);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
    rmSync(cwd, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  mkdirSync(outDir, { recursive: true });
  const only = process.argv.slice(2);
  for (const sc of SCENARIOS) if (only.length === 0 || only.includes(sc.name)) await shoot(sc);
}
