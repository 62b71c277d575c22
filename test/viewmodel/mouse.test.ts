import { describe, expect, it } from 'vitest';
import { compareImages } from '../../src/core/compare-images.js';
import { decodeKey } from '../../src/viewmodel/keys.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { selectLayout } from '../../src/viewmodel/layout.js';
import { createInputSplitter, decodeMouse, hitTest, interpretMouse, type MouseEvent } from '../../src/viewmodel/mouse.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectLayerPane, selectTreePane } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createComparisonState, createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { comparisonView, imageView, pathsOf, type ViewData } from '../../src/viewmodel/view-data.js';
import { selectCursorPath, selectTreeView } from '../../src/viewmodel/tree-view.js';
import { buildAnalysis, dir, file, sampleAnalysis } from '../helpers/build-analysis.js';
import { contentOfEntry, numberedImage } from '../helpers/layers.js';

const sample = imageView(sampleAnalysis(), { symbols: true });
/** 30 layers; the first adds 60 files, so both panes can scroll at 80x24. */
const big = imageView(buildAnalysis([
  { command: 'ADD big', entries: [dir('data'), ...Array.from({ length: 60 }, (_, i) => file(`data/f${String(i).padStart(2, '0')}`, 10 + i))] },
  ...Array.from({ length: 29 }, (_, i) => ({ command: `step ${i + 1}`, entries: [file(`data/f${String(i).padStart(2, '0')}`, 99)] })),
]), { symbols: true });

const keymap = createKeymap();
const apply = (a: ViewData, s: AppState, actions: readonly Action[]) => actions.reduce((st, x) => reduce(a, st, x), s);
const click = (col: number, row: number): MouseEvent => ({ kind: 'press', button: 0, col, row });
const wheel = (dir: 'up' | 'down', col: number, row: number): MouseEvent => ({ kind: dir === 'up' ? 'wheel-up' : 'wheel-down', button: dir === 'up' ? 0 : 1, col, row });
const mouse = (a: ViewData, s: AppState, ev: MouseEvent) => apply(a, s, interpretMouse(a, s, ev));
const cursorName = (a: ViewData, s: AppState) => `/${pathsOf(a).pathOf(selectCursorPath(a, s))}`;
const treeRows = (a: ViewData, s: AppState) => selectTreePane(a, { ...s, tree: { ...s.tree, attributes: false } }).lines.map((l) => lineText(l).trim());

describe('decodeMouse', () => {
  it.each([
    ['\x1b[<0;10;5M', { kind: 'press', button: 0, col: 10, row: 5 }],
    ['\x1b[<0;10;5m', { kind: 'release', button: 0, col: 10, row: 5 }],
    ['\x1b[<2;1;1M', { kind: 'press', button: 2, col: 1, row: 1 }],
    ['\x1b[<64;3;4M', { kind: 'wheel-up', button: 0, col: 3, row: 4 }],
    ['\x1b[<65;300;200M', { kind: 'wheel-down', button: 1, col: 300, row: 200 }],
    ['\x1b[<16;7;8M', { kind: 'press', button: 0, col: 7, row: 8 }], // Ctrl+click: still a left press
    ['\x1b[M !!', { kind: 'press', button: 0, col: 1, row: 1 }], // legacy X10: value + 32
    ['\x1b[M#*%', { kind: 'release', button: 3, col: 10, row: 5 }],
    ['\x1b[Ma!!', { kind: 'wheel-down', button: 1, col: 1, row: 1 }],
  ])('%j', (raw, ev) => expect(decodeMouse(raw)).toEqual(ev));

  it.each(['\x1b[<32;1;1M', '\x1b[<66;1;1M', '\x1b[<0;0;5M', '\x1b[<0;1M', '\x1b[A', 'M', '\x1b[<0;1;1X'])('%j is no event', (raw) => expect(decodeMouse(raw)).toBeUndefined());
});

describe('createInputSplitter', () => {
  const kinds = (pieces: ReturnType<ReturnType<typeof createInputSplitter>>) => pieces.map((p) => (p.kind === 'mouse' ? `M:${p.event?.kind ?? '-'}` : decodeKey(p.raw)));

  it('separates several reports glued to keys in one chunk', () => {
    const split = createInputSplitter();
    expect(kinds(split('ab\x1b[<0;10;5Mc\x1b[<64;3;4M\x1b[<65;3;4Mq'))).toEqual(['a', 'b', 'M:press', 'c', 'M:wheel-up', 'M:wheel-down', 'q']);
  });

  it('keeps a report cut between chunks whole, and nothing of it leaks as keys', () => {
    const split = createInputSplitter();
    expect(kinds(split('x\x1b[<0;1'))).toEqual(['x']);
    expect(kinds(split('0;5'))).toEqual([]);
    const last = split('My');
    expect(kinds(last)).toEqual(['M:press', 'y']);
    expect(last[0]).toMatchObject({ raw: '\x1b[<0;10;5M', event: { col: 10, row: 5 } });
  });

  it('splits keys as before: escape sequences whole, text per character', () => {
    const split = createInputSplitter();
    expect(kinds(split('\x1b[A\x1b[Bjk'))).toEqual(['up', 'down', 'j', 'k']);
    expect(kinds(split('\x1b'))).toEqual(['esc']);
    expect(kinds(split('\x1bOA\x1b[5~\x1b[1;5C'))).toEqual(['up', 'pgup', 'right']);
    expect(kinds(split('\x1bj'))).toEqual(['alt+j']);
    expect(kinds(split('é😀'))).toEqual(['é', '😀']);
  });

  it('a legacy X10 report, even when the terminal sends its three bytes apart, is one report', () => {
    const split = createInputSplitter();
    expect(kinds(split('\x1b[M'))).toEqual([]);
    expect(kinds(split(' !!j'))).toEqual(['M:press', 'j']);
  });

  it('motion reports are reports, of no use: dropped, never keys', () => {
    expect(kinds(createInputSplitter()('\x1b[<35;4;4M'))).toEqual(['M:-']);
  });
});

describe('hit testing', () => {
  it('at 160x45: the left column, the gap, the right column and the status bar', () => {
    const s = createInitialState({ cols: 160, rows: 45 });
    const L = selectLayout(s, 4);
    expect([L.leftWidth, L.rightWidth, L.layersHeight]).toEqual([60, 99, 4]);
    expect(hitTest(L, false, 0, 0)).toEqual({ area: 'layers-title' });
    expect(hitTest(L, false, 10, 1)).toEqual({ area: 'layers', row: 0 });
    expect(hitTest(L, false, 59, 4)).toEqual({ area: 'layers', row: 3 });
    expect(hitTest(L, false, 10, 5)).toEqual({ area: 'layer-details' });
    expect(hitTest(L, false, 10, 5 + 1 + L.layerDetailsHeight)).toEqual({ area: 'image-details' });
    expect(hitTest(L, false, 60, 3)).toEqual({ area: 'none' }); // the gap
    expect(hitTest(L, false, 61, 0)).toEqual({ area: 'tree-title' });
    expect(hitTest(L, false, 61, 1)).toEqual({ area: 'tree-title' }); // the path line
    expect(hitTest(L, false, 61, L.treeRowsTop - 1)).toEqual({ area: 'tree-title' }); // the column headers
    expect(hitTest(L, false, 61, L.treeRowsTop)).toEqual({ area: 'tree', row: 0 });
    expect(hitTest(L, false, 159, 43)).toEqual({ area: 'tree', row: 43 - L.treeRowsTop });
    expect(hitTest(L, false, 100, 44)).toEqual({ area: 'status' });
    expect(hitTest(L, true, 10, 2)).toEqual({ area: 'overlay', row: 2 });
    expect(hitTest(L, false, 160, 2)).toEqual({ area: 'none' });
  });

  it('at 80x24 with the filter line and the file history: rows shift below the input line', () => {
    const s: AppState = { ...createInitialState({ cols: 80, rows: 24 }), filter: { text: 'x', editing: false }, tree: { ...createInitialState({ cols: 80, rows: 24 }).tree, fileHistory: true } };
    const L = selectLayout(s, 4);
    expect([L.leftWidth, L.inputLine]).toEqual([33, true]);
    expect(hitTest(L, false, 34, 0)).toEqual({ area: 'tree-title' });
    expect(hitTest(L, false, 34, 1)).toEqual({ area: 'input' });
    expect(L.treeRowsTop).toBeGreaterThan(2); // the input line, then the path and header lines
    expect(hitTest(L, false, 34, L.treeRowsTop)).toEqual({ area: 'tree', row: 0 });
    expect(hitTest(L, false, 34, L.treeRowsTop + L.treeHeight - 1)).toEqual({ area: 'tree', row: L.treeHeight - 1 });
    expect(hitTest(L, false, 34, L.treeRowsTop + L.treeHeight)).toEqual({ area: 'file-history' }); // its title
    expect(hitTest(L, false, 34, 23)).toEqual({ area: 'status' });
  });
});

describe('clicks', () => {
  for (const [cols, rows] of [
    [160, 45],
    [80, 24],
  ] as const) {
    it(`at ${cols}x${rows}: a click on a layer row selects it and focuses the layers pane`, () => {
      let s: AppState = { ...createInitialState({ cols, rows }), focus: 'tree' };
      s = mouse(sample, s, click(5, 3)); // terminal rows are 1-based: row 3 is the second layer row
      expect(s.layers.cursor).toBe(1);
      expect(s.focus).toBe('layers');
      const pane = selectLayerPane(sample, s);
      expect(pane.lines[1]!.selected).toBe('focused');
      expect(lineText(pane.lines[1]!)).toContain('apk add curl');
      // the row below the last layer is the Layer details title: nothing happens
      expect(interpretMouse(sample, { ...s, focus: 'tree' }, click(5, 6))).toEqual([]);
    });

    it(`at ${cols}x${rows}: a click on a tree row moves the cursor there and focuses the tree`, () => {
      const s0 = createInitialState({ cols, rows });
      const L = selectLayout(s0, 4);
      const x = L.leftWidth + 5;
      const s = mouse(sample, s0, click(x, L.treeRowsTop + 3)); // terminal rows are 1-based: the third tree row, /etc/passwd
      expect(s.focus).toBe('tree');
      expect(cursorName(sample, s)).toBe('/etc/passwd');
      const t = mouse(sample, s, click(x, L.treeRowsTop + 6));
      expect(cursorName(sample, t)).toBe('/usr/bin/ash');
    });
  }

  it('a click on a pane title focuses it; the details panes and the status bar do nothing', () => {
    const s = createInitialState({ cols: 80, rows: 24 });
    expect(mouse(sample, s, click(40, 1)).focus).toBe('tree');
    expect(mouse(sample, { ...s, focus: 'tree' }, click(3, 1)).focus).toBe('layers');
    expect(interpretMouse(sample, s, click(3, 8))).toEqual([]);
    expect(interpretMouse(sample, s, click(3, 24))).toEqual([]);
    expect(interpretMouse(sample, s, { kind: 'release', button: 0, col: 40, row: 3 })).toEqual([]);
    expect(interpretMouse(sample, s, { kind: 'press', button: 2, col: 40, row: 3 })).toEqual([]);
  });

  it('in a scrolled tree a click picks the row shown, and the window stays', () => {
    let s: AppState = { ...createInitialState({ cols: 80, rows: 24 }), focus: 'tree' };
    s = reduce(big, s, { type: 'command', id: 'cursor.bottom' });
    const before = selectTreeView(big, s).scroll;
    expect(before).toBeGreaterThan(0);
    s = mouse(big, s, click(40, selectLayout(s, big.analysis.layers.length).treeRowsTop + 1)); // the first row shown
    expect(selectTreeView(big, s).scroll).toBe(before);
    expect(selectTreeView(big, s).cursorRow).toBe(before);
  });
});

describe('the wheel', () => {
  it('scrolls the tree under the pointer by 3 rows, keeping the cursor in view', () => {
    const s0: AppState = createInitialState({ cols: 80, rows: 24 });
    const first = treeRows(big, s0);
    let s = mouse(big, s0, wheel('down', 40, 10));
    expect(selectTreeView(big, s).scroll).toBe(3);
    expect(treeRows(big, s).slice(0, 5)).toEqual(first.slice(3, 8));
    expect(s.focus).toBe('layers'); // scrolling does not move the focus
    s = mouse(big, s, wheel('down', 40, 1)); // over the title too
    expect(selectTreeView(big, s).scroll).toBe(6);
    expect(selectTreeView(big, s).cursorRow).toBe(6); // pushed along by the window
    s = mouse(big, s, wheel('up', 40, 10));
    expect(selectTreeView(big, s).scroll).toBe(3);
    expect(selectTreeView(big, s).cursorRow).toBe(6); // still in view: stays
    for (let i = 0; i < 30; i++) s = mouse(big, s, wheel('down', 40, 10));
    const v = selectTreeView(big, s);
    expect(v.scroll).toBe(v.rows.count - v.height);
  });

  it('scrolls the layers pane under the pointer', () => {
    const s0 = createInitialState({ cols: 80, rows: 24 });
    const h = selectLayout(s0, big.analysis.layers.length).layersHeight;
    expect(h).toBeLessThan(big.analysis.layers.length);
    const s = mouse(big, s0, wheel('down', 5, 3));
    expect(s.layers.scroll).toBe(3);
    expect(s.layers.cursor).toBe(3);
    expect(lineText(selectLayerPane(big, s).lines[0]!)).toContain('step 3');
    // the details panes do not scroll
    expect(interpretMouse(big, s0, wheel('down', 5, h + 4))).toEqual([]);
  });

  it('in an overlay scrolls the overlay, wherever the pointer is', () => {
    const s: AppState = { ...createInitialState({ cols: 80, rows: 24 }), overlay: 'help' };
    expect(mouse(sample, s, wheel('down', 70, 5)).overlayScroll).toBe(3);
    expect(mouse(sample, { ...s, overlayScroll: 5 }, wheel('up', 3, 5)).overlayScroll).toBe(2);
    expect(interpretMouse(sample, s, click(3, 2))).toEqual([]); // clicks do not reach the panes below
  });
});

describe('mouse reports never become text', () => {
  /** What the UI does with a chunk of input: keys to interpretKey, reports to interpretMouse. */
  function feed(a: ViewData, s: AppState, chunks: readonly string[]): AppState {
    const split = createInputSplitter();
    let st = s;
    for (const chunk of chunks) {
      for (const p of split(chunk)) {
        if (p.kind === 'mouse') {
          if (p.event) st = apply(a, st, interpretMouse(a, st, p.event));
          continue;
        }
        const out = interpretKey(keymap, st, decodeKey(p.raw), p.raw);
        if (out.kind === 'action') st = reduce(a, st, out.action);
      }
    }
    return st;
  }

  it('a click or the wheel while the filter is typed inserts nothing and moves nothing', () => {
    const s0 = feed(sample, createInitialState({ cols: 80, rows: 24 }), ['\x06']); // Ctrl+F
    expect(s0.filter.editing).toBe(true);
    const s = feed(sample, s0, ['pa\x1b[<0;40;5M', 's\x1b[<64;40;5M\x1b[<65;4', '0;5M', 's\x1b[<0;5;3m']);
    expect(s.filter.text).toBe('pass');
    expect(s.layers.cursor).toBe(0);
    expect(s.focus).toBe('layers');
  });

  it('the search prompt too', () => {
    const s = feed(sample, createInitialState({ cols: 80, rows: 24 }), ['/', 'ho\x1b[<0;5;3M', 'sts']);
    expect(s.search.text).toBe('hosts');
    expect(s.layers.cursor).toBe(0);
  });
});

describe('in a comparison', () => {
  const base = { id: 1, command: 'base', entries: [dir('etc'), file('etc/os', 10, { content: 'os' })] };
  const old = numberedImage([base, { id: 2, command: 'old app', entries: [dir('app'), file('app/main', 100, { content: 'v1' })] }]);
  const neu = numberedImage([base, { id: 3, command: 'new app', entries: [dir('app'), file('app/main', 900, { content: 'v2' })] }]);
  const c = compareImages(old, neu, { old: (g) => contentOfEntry(old.tree.entry(g)), new: (g) => contentOfEntry(neu.tree.entry(g)) });
  const d = comparisonView(c, old, neu, { symbols: true });

  it('a click on an aligned layer row selects that row', () => {
    const s0 = createComparisonState({ cols: 80, rows: 24 });
    expect(s0.focus).toBe('tree');
    const s = mouse(d, s0, click(5, 4)); // rows: all changes, = base, - old app, + new app
    expect(s.focus).toBe('layers');
    expect(s.layers.cursor).toBe(2);
    expect(lineText(selectLayerPane(d, s).lines[2]!)).toContain('old app');
    expect(selectLayerPane(d, s).lines[2]!.selected).toBe('focused');
  });
});

describe('the mouse over the file viewer', () => {
  it('the wheel scrolls the document and clicks do nothing', () => {
    const s0 = createInitialState({ cols: 100, rows: 30 });
    const viewing = { ...s0, viewer: {} } as unknown as AppState;
    expect(interpretMouse(sample, viewing, { kind: 'wheel-down', button: 0, col: 50, row: 10 })).toEqual(new Array(3).fill({ type: 'doc.scroll', to: 'down' }));
    expect(interpretMouse(sample, viewing, { kind: 'wheel-up', button: 0, col: 5, row: 3 })).toEqual(new Array(3).fill({ type: 'doc.scroll', to: 'up' }));
    expect(interpretMouse(sample, viewing, click(5, 3))).toEqual([]);
  });
});
