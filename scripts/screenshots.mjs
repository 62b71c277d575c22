#!/usr/bin/env node
// Renders screenshots/*.png from real runs: each scenario starts the built binary in tmux,
// sends keys, waits for the screen it wants, captures it with colours (capture-pane -e),
// turns the ANSI into HTML and photographs that with headless Chromium.
//
//   npm run build && node scripts/screenshots.mjs [NAME…]
//   node scripts/screenshots.mjs --check [NAME…]   # run the scenarios, print the screens, write nothing
//
// NAME renders only those scenarios (`packages diff-packages`). The packages scenarios write
// their images with scripts/synth-real-image.mjs into .bench/screenshots/.
// Needs tmux and chromium (apt-get install -y chromium). Writes screenshots/<name>.png.
// Every scenario ends on a screen whose status line belongs to it (no message left over from
// an earlier step): a step that leaves a message it does not show ends with a key that clears it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import tar from 'tar-stream';
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

// ---- an image holding a real source file, in two versions -----------------------------------
/** A tar of `entries` ({ name, body?, type? }), every entry dated 2024-01-01. */
async function tarOf(entries) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', mode: e.type === 'directory' ? 0o755 : 0o644, mtime: new Date('2024-01-01T00:00:00Z') };
    await new Promise((resolve, reject) => pack.entry(header, e.body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * A docker-archive of this repository's own reducer (src/viewmodel/reducer.ts, a few screens of
 * TypeScript): L0 writes a version edited in three places, L1 the file as it is, so its
 * history diffs in several hunks. Written into `dir` as source.tar.
 */
async function sourceImage(dir) {
  const now = readFileSync(join(root, 'src', 'viewmodel', 'reducer.ts'), 'utf8');
  const before = now.split('\n');
  for (const at of [0.15, 0.5, 0.85].map((f) => Math.floor(before.length * f))) before[at] = `${before[at]} // (an earlier version)`;
  const layers = [
    await tarOf([{ name: 'app/', type: 'directory' }, { name: 'app/src/', type: 'directory' }, { name: 'app/src/reducer.ts', body: Buffer.from(before.join('\n')) }]),
    await tarOf([{ name: 'app/', type: 'directory' }, { name: 'app/src/', type: 'directory' }, { name: 'app/src/reducer.ts', body: Buffer.from(now) }]),
  ];
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['node', '/app'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) COPY src /app/src' },
        { created: '2024-01-01T00:01:00Z', created_by: '/bin/sh -c #(nop) COPY src /app/src' },
      ],
    }),
  );
  const manifest = Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: ['source:1'], Layers: ['l0.tar', 'l1.tar'] }]));
  const archive = await tarOf([
    { name: 'manifest.json', body: manifest },
    { name: 'config.json', body: config },
    { name: 'l0.tar', body: layers[0] },
    { name: 'l1.tar', body: layers[1] },
  ]);
  writeFileSync(join(dir, 'source.tar'), archive);
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
      { keys: ['/', { text: 'big.bin' }, 'Enter'], wait: (s) => s.includes('── big.bin') && s.includes('match 1/1') },
      // The search's note has been read: one row down and back leaves the keys alone in the bar.
      { keys: ['j', 'k'], wait: (s) => !s.includes('match 1/1') && s.includes('/data/big.bin') },
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
      { keys: ['G', 'C-a', 'Tab', '/', { text: 'big.bin' }, 'Enter', 'f'], wait: (s) => s.includes('File history') && s.includes('/data/big.bin') && s.includes('rewritten (same content)') },
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
    // A real source file of a few screens (this repository's reducer), highlighted, with line numbers.
    name: 'viewer',
    make: sourceImage,
    image: 'source.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'Tab', '/', { text: 'reducer.ts' }, 'Enter', 'v'], wait: (s) => s.includes('View /app/src/reducer.ts') && / {3}1 │ import/.test(s) && s.includes('text (typescript)') },
    ],
  },
  {
    // A binary as a hex dump, searched: ELF found in the ASCII column, marked in both columns, counted in the whole file.
    name: 'hex-viewer',
    image: 'edge.docker-archive.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['Tab', '/', { text: 'bin/busybox' }, 'Enter', 'v'], wait: (s) => s.includes('View /bin/busybox') && s.includes('binary') },
      { keys: ['/', { text: 'ELF' }, 'Enter'], wait: (s) => /ELF: match 1\/\d+ /.test(s) },
    ],
  },
  {
    // The reducer's two versions from its history (f, Tab, d): a unified diff in several hunks.
    name: 'file-diff',
    make: sourceImage,
    image: 'source.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'Tab', '/', { text: 'reducer.ts' }, 'Enter', 'f'], wait: (s) => s.includes('File history') && s.includes('L1 modified') },
      { keys: ['Tab'], wait: (s) => s.includes('▌File history') },
      { keys: ['d'], wait: (s) => s.includes('Diff /app/src/reducer.ts') && (s.match(/^@@ /gm) ?? []).length >= 2 },
    ],
  },
  {
    // The findings panel (e): which step wasted what, and how to fix it.
    name: 'findings',
    image: 'edge.docker-archive.tar',
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['e'], wait: (s) => s.includes('Findings') && s.includes('Go to the layer and path') },
    ],
  },
  {
    // The high-contrast theme: bold, bright, selections inverted in both panes.
    name: 'high-contrast',
    args: ['--theme', 'high-contrast', 'edge.docker-archive.tar'],
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['j', 'j', 'j', 'j'], wait: (s) => s.includes('L4: changes of L4') },
      { keys: ['Tab', 'C-Space'], wait: (s) => s.includes('─⊕ usr') },
      { keys: ['j', 'l', 'l'], wait: (s) => s.includes('── same') && s.includes('big.bin') },
    ],
  },
  {
    // The real-shaped benchmark image (small scale): its last layer purged and upgraded packages.
    name: 'packages',
    prepare: packageImages,
    args: ['real.tar'],
    steps: [
      { wait: (s) => s.includes('changes of L0') },
      { keys: ['G'], wait: (s) => s.includes('L13: changes of L13') },
      { keys: ['p'], wait: (s) => s.includes('▌Packages') && s.includes('L13 +0') },
    ],
  },
  {
    // The same image against itself four layers earlier: the packages the later layers changed.
    name: 'diff-packages',
    prepare: packageImages,
    args: ['diff', 'real-earlier.tar', 'real.tar'],
    steps: [
      { wait: (s) => s.includes('OLD → NEW') && s.includes('Totals') },
      { keys: ['p'], wait: (s) => s.includes('▌Packages') && s.includes('OLD → NEW +') },
    ],
  },
];

/** The packages scenarios' images: the real-shaped image at a small scale, and as it was after ten layers. */
async function packageImages() {
  const dir = join(root, '.bench', 'screenshots');
  const gen = await import(pathToFileURL(join(root, 'scripts', 'synth-real-image.mjs')).href);
  if (!existsSync(join(dir, 'real.tar'))) gen.writeImage(join(dir, 'real.tar'), { scale: 0.02 });
  if (!existsSync(join(dir, 'real-earlier.tar'))) gen.writeImage(join(dir, 'real-earlier.tar'), { scale: 0.02, upTo: 10 });
  return dir;
}

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

async function shoot(sc, check = false) {
  const session = `shots-${sc.name}-${process.pid}`;
  const cwd = mkdtempSync(join(tmpdir(), 'shots-'));
  // An image the scenario makes is written beside where it runs.
  if (sc.make) await sc.make(cwd);
  // Run beside the image so the screen shows a short relative reference.
  const args = (sc.args ?? [sc.image]).map((a) => `'${a}'`).join(' ');
  const dir = sc.make ? cwd : sc.prepare ? await sc.prepare() : (sc.dir ?? fixtures);
  const cmd = `cd '${dir}' && env -u CI -u NO_COLOR TERM=xterm-256color node '${main}' ${args}; exec sleep 600`;
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
    if (check) {
      console.log(`---- ${sc.name}\n${tmux('capture-pane', '-t', session, '-p')}`);
      return;
    }
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
  const check = process.argv.includes('--check');
  const only = process.argv.slice(2).filter((a) => a !== '--check');
  for (const sc of SCENARIOS) if (only.length === 0 || only.includes(sc.name)) await shoot(sc, check);
}
