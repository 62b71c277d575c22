import { describe, expect, it } from 'vitest';
import { COMMANDS, DEFAULT_STATUS_PRIORITY, type CommandSpec } from '../../src/viewmodel/commands.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { MIN_VIEWPORT, selectLayout } from '../../src/viewmodel/layout.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { imageName, selectFileHistoryPane, selectImageDetails, selectInfoLines, selectLayerDetails, selectLayerPane, selectStatusBar, selectTreePane } from '../../src/viewmodel/rows.js';
import { imageView, type ViewData } from '../../src/viewmodel/view-data.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { selectTreeView } from '../../src/viewmodel/tree-view.js';
import { cellWidth } from '../../src/format/text.js';
import { buildAnalysis, dir, file } from '../helpers/build-analysis.js';

const LONG_RUN =
  'apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git openssh-client build-essential pkg-config libssl-dev && rm -rf /var/lib/apt/lists/* && useradd --create-home --shell /bin/bash builder';
const DEEP = 'usr/lib/python3.12/site-packages/requests/packages/urllib3/contrib/emscripten/fetch_response_handler.py';
const deepDirs = DEEP.split('/').slice(0, -1).map((_, i, parts) => dir(parts.slice(0, i + 1).join('/')));

/** Fourteen layers (as dive's test image has): a config rewritten three times, a long RUN, a deep path. */
const a = buildAnalysis([
  { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/app.conf', 4000, { content: 'v0' }), dir('data'), ...deepDirs, file(DEEP, 900, { content: 'p0' })] },
  ...Array.from({ length: 11 }, (_, i) => ({ command: `cp /src/${i} /data/f${i}`, entries: [file(`data/f${i}`, 100 + i)] })),
  { command: LONG_RUN, entries: [file('etc/app.conf', 4100, { content: 'v1' }), file(DEEP, 950, { content: 'p1' })] },
  { command: 'chmod 600 /etc/app.conf', entries: [file('etc/app.conf', 4200, { content: 'v2', mode: 0o600 })] },
]);
const data = imageView(a, { symbols: false });
const run = (s: AppState, ...xs: (Action | CommandSpec['id'])[]) => xs.reduce((st, x) => reduce(data, st, typeof x === 'string' ? { type: 'command', id: x } : x), s);
const at = (cols: number, rows: number, layer = 0) => run(createInitialState({ cols, rows }), { type: 'layers.select', layer });
const texts = (lines: readonly { segments: readonly { text: string }[] }[]) => lines.map(lineText);
const SIZES = [
  [200, 60],
  [160, 45],
  [120, 40],
  [100, 30],
  [80, 24],
] as const;

describe('resizing keeps the selection in view', () => {
  it('the selected layer stays visible when the terminal shrinks, and the list re-fits when it grows', () => {
    expect(a.layers).toHaveLength(14);
    let s = at(160, 45, 12);
    const selectedRow = (st: AppState) => texts(selectLayerPane(data, st).lines.filter((l) => l.selected)).join('');
    expect(selectedRow(s)).toMatch(/^. 12 /);
    s = run(s, { type: 'resize', viewport: { cols: 80, rows: 24 } });
    const h = selectLayout(s, 14).layersHeight;
    expect(h).toBeLessThan(13);
    expect(selectedRow(s)).toMatch(/^. 12 /);
    expect(s.layers.scroll).toBe(12 - h + 1);
    // Growing back: every layer fits again, so the list starts at L0.
    s = run(s, { type: 'resize', viewport: { cols: 160, rows: 45 } });
    expect(s.layers.scroll).toBe(0);
    expect(texts(selectLayerPane(data, s).lines)[0]).toMatch(/^. {2}0 /);
    expect(selectedRow(s)).toMatch(/^. 12 /);
  });

  it('the tree scroll is re-clamped too: the cursor row stays on screen and a taller tree starts higher', () => {
    let s = run(at(100, 40, 13), 'app.switchPane', 'cursor.bottom');
    const tall = selectTreeView(data, s);
    s = run(s, { type: 'resize', viewport: { cols: 100, rows: 18 } });
    const v = selectTreeView(data, s);
    expect(s.tree.scroll).toBe(v.scroll);
    expect(v.cursorRow).toBeGreaterThanOrEqual(s.tree.scroll);
    expect(v.cursorRow).toBeLessThan(s.tree.scroll + v.height);
    s = run(s, { type: 'resize', viewport: { cols: 100, rows: 40 } });
    expect(s.tree.scroll).toBe(tall.scroll);
  });
});

describe('what stays visible at each size', () => {
  for (const [cols, rows] of [...SIZES, [MIN_VIEWPORT.cols, MIN_VIEWPORT.rows]] as const) {
    it(`image details keep the score, the waste, the reclaimable bytes and the total at ${cols}x${rows}`, () => {
      const s = at(cols, rows, 12);
      const lines = texts(selectImageDetails(data, s).lines);
      const all = lines.join('\n');
      expect(all).toMatch(/(Image efficiency score|Efficiency): \d+(\.\d)? %/);
      expect(all).toMatch(/(Potential wasted space|Wasted): \d/);
      expect(all).toMatch(/(Reclaimable by squashing|Reclaimable): \d/);
      expect(all).toMatch(/Total(?: size)?: \d/);
      if (cols >= 80) expect(all).toContain('linux/amd64');
      // The left column adds up to the screen: three titles, three panes, the status bar.
      const l = selectLayout(s, 14);
      expect(l.layersHeight + l.layerDetailsHeight + l.imageDetailsHeight + 3).toBe(rows - 1);
    });
  }

  it('layer details shorten the digest to 19 characters where the whole one would be cut', () => {
    const narrow = texts(selectLayerDetails(data, at(80, 24, 3)).lines).find((l) => l.startsWith('Digest:'))!;
    expect(narrow.trimEnd()).toMatch(/^Digest: sha256:[0-9a-f]{12}$/);
    const wide = texts(selectLayerDetails(data, at(240, 60, 3)).lines).find((l) => l.startsWith('Digest:'))!;
    expect(wide.trimEnd()).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
  });

  it('a long RUN is wrapped whole where there is room, and marked where it is cut', () => {
    const whole = texts(selectLayerDetails(data, at(160, 45, 12)).lines).join(' ').replace(/\s+/g, ' ');
    expect(whole).toContain(LONG_RUN);
    expect(whole).not.toContain('…[i]');
    const cut = texts(selectLayerDetails(data, at(80, 24, 12)).lines);
    expect(cut.some((l) => l.startsWith('Command: /bin/sh -c apt-get'))).toBe(true);
    expect(cut.filter((l) => l.trim() !== '').at(-1)!.trimEnd()).toMatch(/…\[i\]$/);
  });

  it('layer details say 1 entry, and the history says 1 step, 1 layer', () => {
    const one = buildAnalysis([{ command: 'ADD x /', entries: [file('x', 1)] }]);
    const d: ViewData = imageView(one);
    const s = createInitialState({ cols: 120, rows: 40 });
    expect(texts(selectLayerDetails(d, s).lines).join('\n')).toMatch(/\b1 entry\b/);
    expect(lineText(selectInfoLines(one, 120)[0]!)).toContain('1 step, 1 layer');
    expect(texts(selectImageDetails(d, s).lines).join('\n')).toMatch(/\(1 file\)/);
  });
});

describe('the tree at every width', () => {
  it('below the full width the attributes become a size column, and Ctrl+B still toggles them', () => {
    const s = run(at(80, 24, 12), 'app.switchPane');
    const layout = selectLayout(s, 14);
    expect(layout.attributes && layout.compactAttributes).toBe(true);
    const pane = selectTreePane(data, s);
    expect(lineText(pane.head[1]!).trim()).toMatch(/^Size {2}Name$/);
    const etc = texts(pane.lines).find((l) => l.includes('── etc'))!;
    expect(etc).toMatch(/^ +\d+(\.\d)? k?B {2}├── etc/);
    const off = run(s, 'tree.toggleAttributes');
    const pane2 = selectTreePane(data, off);
    expect(lineText(pane2.head[1]!).trim()).toBe('Name');
    expect(texts(pane2.lines).find((l) => l.includes('── etc'))).toMatch(/^├── etc/);
    expect(run(off, 'tree.toggleAttributes').tree.attributes).toBe(true);
  });

  it('wide trees head all their columns', () => {
    const pane = selectTreePane(data, run(at(160, 45, 12), 'app.switchPane'));
    expect(lineText(pane.head[1]!)).toMatch(/^Permission +UID:GID +Size {2}Name/);
    expect(texts(pane.lines).find((l) => l.includes('── etc'))).toMatch(/^drwxr-xr-x +0:0 +\S+ k?B {2}├── etc/);
  });

  it('the selected row\'s full path is shown above the rows, cut in its middle so the file name stays', () => {
    let s = run(at(80, 24, 12), 'app.switchPane', { type: 'command', id: 'filter.open' }, { type: 'input.text', text: 'fetch_response' }, { type: 'input.submit' }, 'cursor.bottom');
    const pane = selectTreePane(data, s);
    const path = lineText(pane.head[0]!).trimEnd();
    expect(path).toContain('…');
    expect(path.startsWith('/usr/')).toBe(true);
    expect(path.endsWith('fetch_response_handler.py')).toBe(true);
    expect(cellWidth(path)).toBeLessThanOrEqual(selectLayout(s, 14).rightWidth);
    // The file history's title keeps the file name the same way.
    s = run(s, 'tree.fileHistory');
    const title = lineText(selectFileHistoryPane(data, s, a.tree.find(DEEP)!).title);
    expect(title).toContain('fetch_response_handler.py');
  });

  it('inefficient files keep their file names', () => {
    const all = texts(selectImageDetails(data, at(100, 40, 0)).lines).join('\n');
    expect(all).toMatch(/ \/\S*…\S*_handler\.py/);
  });
});

describe('titles agree on what is compared', () => {
  it('a base marked above the cursor: layer details and the tree both name the range', () => {
    // L4 marked, then the cursor moves up to L1: the range is L1→L4.
    const s = run(at(120, 40, 4), 'layers.markBase', 'cursor.up', 'cursor.up', 'cursor.up');
    expect(s.layers).toMatchObject({ cursor: 1, mark: 4 });
    const details = lineText(selectLayerDetails(data, s).title);
    const tree = lineText(selectTreePane(data, s).title);
    expect(details).toContain('L1 base of L1→L4');
    expect(tree).toContain('compare L1→L4');
    expect(tree).not.toMatch(/L4: /);
    // The layer list marks the same range: B on its base L1, ● on L2..L4.
    const marks = texts(selectLayerPane(data, s).lines).map((l) => l.slice(0, 4));
    expect(marks.slice(0, 6)).toEqual(['   0', 'B  1', '●  2', '●  3', '●  4', '   5']);
    const top = run(s, 'cursor.down', 'cursor.down', 'cursor.down', 'cursor.down');
    expect(lineText(selectLayerDetails(data, top).title)).toContain('L5 top of L4→L5');
  });
});

describe('the history and config view', () => {
  it('wraps long commands whole and shows every time as YYYY-MM-DD HH:MM:SS', () => {
    const lines = selectInfoLines(a, 100).map(lineText);
    const joined = lines.join(' ').replace(/\s+/g, ' ');
    expect(joined).toContain(LONG_RUN);
    expect(lines.every((l) => cellWidth(l) <= 100)).toBe(true);
    const stepLines = lines.filter((l) => /^L\d+ /.test(l));
    expect(stepLines).toHaveLength(14);
    for (const l of stepLines) expect(l).toMatch(/ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} /);
  });
});

describe('the status bar', () => {
  const keymap = createKeymap();
  it('shows the most useful keys that fit, never cut, and always ends with ? Help', () => {
    for (const focus of ['layers', 'tree'] as const) {
      for (const width of [60, 80, 100, 120, 160, 200]) {
        const s: AppState = { ...at(width, 40), focus };
        const t = lineText(selectStatusBar(keymap, s, width)).trimEnd();
        expect(t, `${focus} at ${width}`).not.toContain('…');
        expect(t.endsWith('? Help'), `${focus} at ${width}: ${t}`).toBe(true);
        expect(t).toContain('Tab Switch view');
        expect(t).toContain('q Quit');
      }
    }
    const narrow = lineText(selectStatusBar(keymap, { ...at(80, 24), focus: 'tree' }, 80));
    expect(narrow).toContain('Space Collapse');
    expect(narrow).toContain('f File history');
    expect(narrow).not.toContain('w Whiteouts');
    const wide = lineText(selectStatusBar(keymap, { ...at(280, 40), focus: 'tree' }, 280));
    expect(wide).toContain('w Whiteouts');
  });

  it('a label without a priority ranks below every ranked one', () => {
    const labelled = COMMANDS.filter((c: CommandSpec) => c.label !== undefined && c.id !== 'app.help');
    for (const c of labelled as readonly CommandSpec[]) expect(c.priority ?? DEFAULT_STATUS_PRIORITY, c.id).toBeGreaterThan(DEFAULT_STATUS_PRIORITY);
  });

  it('keeps room for the verifying mark', () => {
    const t = lineText(selectStatusBar(keymap, { ...at(80, 24), focus: 'tree' }, 80, 'verifying')).trimEnd();
    expect(t.startsWith(' verifying…')).toBe(true);
    expect(t.endsWith('? Help')).toBe(true);
  });
});

describe('a terminal below the minimum', () => {
  it('is too small below 60x15 and fine from there', () => {
    const tooSmall = (cols: number, rows: number) => selectLayout(createInitialState({ cols, rows }), 14).tooSmall;
    expect(tooSmall(30, 8)).toBe(true);
    expect(tooSmall(59, 40)).toBe(true);
    expect(tooSmall(120, 14)).toBe(true);
    expect(tooSmall(60, 15)).toBe(false);
    expect(tooSmall(80, 24)).toBe(false);
  });
});

describe('the image line', () => {
  it('drops the transport, then the directories, before cutting the name in the middle', () => {
    const a = buildAnalysis([{ entries: [file('a', 1)] }], {}, 'docker-archive:examples/example-image.tar');
    expect(imageName(a, 80)).toBe('docker-archive:examples/example-image.tar · linux/amd64');
    expect(imageName(a, 45)).toBe('examples/example-image.tar · linux/amd64');
    expect(imageName(a, 34)).toBe('example-image.tar · linux/amd64');
    expect(imageName(a, 24)).toMatch(/^ex.*….*\.tar · linux\/amd64$/); // the file name cut in the middle
    const r = buildAnalysis([{ entries: [file('a', 1)] }], {}, 'docker://registry.example:5000/team/app:1.2');
    expect(imageName(r, 40)).toBe('app:1.2 · linux/amd64');
  });
});
