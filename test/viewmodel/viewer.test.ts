import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/core/index.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { lineText, type Line } from '../../src/viewmodel/segments.js';
import { createComparisonState, createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { WINDOW_BYTES } from '../../src/viewmodel/viewer-state.js';
import { selectViewerScreen } from '../../src/viewmodel/viewer.js';
import { loadHighlighter } from '../../src/viewmodel/viewer-text.js';
import { compareImages } from '../../src/core/compare-images.js';
import { comparisonView, imageView } from '../../src/viewmodel/view-data.js';
import { buildAnalysis, dir, file, hardlink, symlink } from '../helpers/build-analysis.js';
import { contentOfEntry } from '../helpers/layers.js';

const keymap = createKeymap();

/** A window of `body` as the reader would hand it over. */
function windowOf(body: Buffer, offset: number, length: number) {
  const bytes = body.subarray(offset, Math.min(body.length, offset + length));
  let linesBefore = 0;
  for (let i = 0; i < offset; i++) if (body[i] === 10) linesBefore++;
  return { offset, bytes, size: body.length, linesBefore };
}

function session(a: Analysis, bodies: Record<string, Buffer>, rows = 24, cols = 100) {
  const view = imageView(a);
  let s: AppState = { ...createInitialState({ cols, rows }), focus: 'tree' };
  const dispatch = (x: Action) => (s = reduce(view, s, x));
  /** Answers the viewer's pending read or search, as the UI does with the reader. */
  const serve = () => {
    const v = s.viewer;
    const find = v?.search.find;
    if (v && find) {
      const body = bodies[a.tree.pathOf(v.pathId)]!.toString('latin1').toLowerCase();
      const needle = v.search.text.toLowerCase();
      const offset = find.backward ? (find.from - 1 < 0 ? -1 : body.lastIndexOf(needle, find.from - 1)) : body.indexOf(needle, find.from);
      dispatch({ type: 'viewer.found', offset });
      return true;
    }
    if (!v?.pending) return false;
    const body = bodies[a.tree.pathOf(v.pathId)]!;
    dispatch({ type: 'viewer.window', pathId: v.pathId, layer: v.layer, window: windowOf(body, v.pending.offset, v.pending.length) });
    return true;
  };
  const press = (...keys: string[]) => {
    for (const k of keys) {
      const out = interpretKey(keymap, s, k, k.length === 1 ? k : '');
      if (out.kind === 'action') dispatch(out.action);
      else if (out.kind === 'quit') throw new Error('quit');
      while (serve());
    }
  };
  const goTo = (path: string) => dispatch({ type: 'tree.select', pathId: a.tree.find(path)! });
  const screen = () => selectViewerScreen(keymap, s, s.viewer!).map(lineText);
  return { get state() { return s; }, dispatch, press, goTo, screen, serve };
}

const numbered = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join(''));

describe('file viewer', () => {
  // The UI loads the highlighter beside the first read of a file (see use-documents.ts).
  beforeAll(() => loadHighlighter('c'));
  const c = Buffer.from('#include <stdio.h>\n\tint main(void) { return 0; } /* done */\nevil \x1b[31mred\x1b]0;title\x07 \r\n');
  const bin = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0x41, 0x42, 0x0a, 0x1b, 0xff, 0x20, 0x7e, 0x80, 0x10]);
  const a = buildAnalysis([
    {
      entries: [
        dir('src'),
        file('src/main.c', c.length),
        file('bin/tool', bin.length),
        symlink('bin/sh', 'busybox'),
        hardlink('bin/ls', 'bin/tool'),
        file('empty', 0),
        file('big.txt', numbered(40_000).length),
      ],
    },
  ]);
  const bodies = { 'src/main.c': c, 'bin/tool': bin, 'big.txt': numbered(40_000), empty: Buffer.alloc(0) };

  it('opens a text file with numbered, highlighted, sanitized lines and tabs expanded', () => {
    const t = session(a, bodies);
    t.goTo('src/main.c');
    t.press('v');
    expect(t.state.viewer?.show).toBe('text');
    const lines = t.screen();
    expect(lines[0]).toContain('View /src/main.c');
    expect(lines[0]).toContain('text (c)');
    expect(lines[1]).toMatch(/^ {3}1 │ #include <stdio.h>/);
    expect(lines[2]).toMatch(/^ {3}2 │ {9}int main/); // the tab is 8 columns
    expect(lines[3]).toContain('evil ?[31mred?]0;title? ');
    const all = selectViewerScreen(keymap, t.state, t.state.viewer!);
    // Nothing that reaches the terminal holds a control character.
    // eslint-disable-next-line no-control-regex
    for (const l of all) for (const sg of l.segments) expect(sg.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    const styles = new Set(all.flatMap((l: Line) => l.segments.map((x) => x.style)));
    expect(styles).toContain('code-keyword');
    expect(styles).toContain('code-comment');
    expect(styles).toContain('gutter');
  });

  it('shows a binary file as a hex dump: offset, 16 bytes in hex, ASCII', () => {
    const t = session(a, bodies);
    t.goTo('bin/tool');
    t.press('v');
    expect(t.state.viewer?.show).toBe('binary');
    const lines = t.screen();
    expect(lines[1]).toBe('00000000  7f 45 4c 46 00 01 02 03  41 42 0a 1b ff 20 7e 80  |.ELF....AB... ~.|'.padEnd(100));
    expect(lines[2]!.trimEnd()).toBe('00000010  10                                                |.|');
  });

  it('says what a symlink and a hard link point at, and that a directory is one', () => {
    const t = session(a, bodies);
    t.goTo('bin/sh');
    t.press('v');
    expect(t.screen()[1]).toContain('symbolic link → busybox');
    t.press('q');
    t.goTo('bin/ls');
    t.press('v');
    expect(t.screen()[1]).toContain('hard link to /bin/tool');
    t.press('esc');
    t.goTo('src');
    t.press('v');
    expect(t.screen()[1]).toContain('/src is a directory');
    expect(t.state.viewer?.pending).toBeUndefined();
  });

  it('q and Esc close the viewer, not the program; Enter is not bound to it', () => {
    const t = session(a, bodies);
    t.goTo('src/main.c');
    t.press('enter');
    expect(t.state.viewer).toBeUndefined();
    expect(t.state.tree.hidden.modified).toBe(true); // still dive's Ctrl+M
    t.press('v');
    expect(t.state.viewer).toBeDefined();
    t.press('q');
    expect(t.state.viewer).toBeUndefined();
    t.press('v', 'esc');
    expect(t.state.viewer).toBeUndefined();
    expect(() => t.press('q')).toThrow('quit'); // back in the panes, q quits again
  });

  it('reads a big file in windows and numbers every line right as it scrolls down, to the end and back', () => {
    const t = session(a, bodies, 30);
    const h = 28;
    t.goTo('big.txt');
    t.press('v');
    const v = t.state.viewer!;
    expect(v.text!.offset).toBe(0);
    expect(v.text!.eof).toBe(false);
    const firstWindowLines = v.text!.lines.length;
    // Page down past the first window: a second window is read, starting at a whole line.
    const pages = Math.ceil(firstWindowLines / h) + 2;
    for (let i = 0; i < pages; i++) t.press('pgdn');
    const s2 = t.state.viewer!;
    expect(s2.text!.offset).toBeGreaterThan(0);
    expect(s2.scroll).toBe(pages * h);
    const screen = t.screen();
    expect(screen[1]).toMatch(new RegExp(`^ *${pages * h + 1} │ line ${pages * h + 1} *$`));
    // Every window the viewer holds is at most the window size.
    expect(s2.text!.lines.length).toBeLessThan(firstWindowLines + 2);
    t.press('G');
    const end = t.state.viewer!;
    expect(end.text!.eof).toBe(true);
    expect(t.screen()[h]).toMatch(/^ *40000 │ line 40000 *$/);
    expect(t.screen()[0]).toContain('line 39973/40000');
    t.press('up');
    expect(t.screen()[h]).toMatch(/^ *39999 │ line 39999 *$/);
    t.press('g');
    expect(t.state.viewer!.text!.offset).toBe(0);
    expect(t.screen()[1]).toMatch(/^ +1 │ line 1 *$/);
    // Scrolling up into an earlier window: back from the end, page by page, lines stay right.
    t.press('G');
    for (let i = 0; i < Math.ceil(WINDOW_BYTES / 11 / h) + 3; i++) t.press('pgup');
    const top = t.state.viewer!.scroll;
    expect(t.screen()[1]).toMatch(new RegExp(`^ *${top + 1} │ line ${top + 1} *$`));
  });

  it('searches the text: / types, Enter jumps, n and N move, with a count and a wrap notice', () => {
    const body = Buffer.from('alpha\nbeta\ngamma alpha\ndelta\nALPHA\n');
    const b = buildAnalysis([{ entries: [file('notes.txt', body.length)] }]);
    const t = session(b, { 'notes.txt': body });
    t.goTo('notes.txt');
    t.press('v', '/', 'a', 'l', 'p', 'h', 'a');
    expect(t.screen()[23]).toContain('Search: alpha');
    t.press('enter');
    expect(t.state.viewer!.search.hit).toBe(0);
    expect(t.screen()[23]).toContain('match 1/3');
    t.press('n');
    expect(t.state.viewer!.search.hit).toBe(2);
    t.press('n');
    expect(t.state.viewer!.search.hit).toBe(4);
    t.press('n');
    expect(t.state.viewer!.search.hit).toBe(0);
    expect(t.screen()[23]).toContain('wrapped to the top');
    t.press('N');
    expect(t.state.viewer!.search.hit).toBe(4);
    expect(t.screen()[23]).toContain('wrapped to the bottom');
    t.press('/', 'z', 'z', 'enter');
    expect(t.screen()[23]).toContain('no match for zz');
    // Esc while typing cancels the search only; the viewer stays open.
    t.press('/', 'x', 'esc');
    expect(t.state.viewer).toBeDefined();
  });

  it('pages a big binary in windows: the end and back to the start', () => {
    const big = Buffer.alloc(300_000, 0x41);
    big[0] = 0;
    big.write('END!', big.length - 4);
    const b = buildAnalysis([{ entries: [file('blob.bin', big.length)] }]);
    const t = session(b, { 'blob.bin': big }, 30);
    t.goTo('blob.bin');
    t.press('v');
    expect(t.state.viewer!.show).toBe('binary');
    expect(t.state.viewer!.binary!.bytes.length).toBe(WINDOW_BYTES);
    t.press('G');
    const v = t.state.viewer!;
    expect(v.binary!.offset).toBeGreaterThan(0);
    expect(v.binary!.bytes.length).toBeLessThanOrEqual(WINDOW_BYTES);
    const lines = t.screen();
    expect(lines[28]).toMatch(/^000493d0 {2}41 41 41 41 41 41 41 41 {2}41 41 41 41 45 4e 44 21 {2}\|AAAAAAAAAAAAEND!\|/);
    expect(lines[0]).toContain('0x49220/0x493e0'); // the first row shown, of the size
    t.press('g');
    expect(t.state.viewer!.binary!.offset).toBe(0);
    expect(t.screen()[1]).toMatch(/^00000000 {2}00 41/);
  });

  it('searches past the loaded window through the reader: the match loads its window, n wraps, a missing text says so', () => {
    const t = session(a, bodies, 30);
    t.goTo('big.txt');
    t.press('v', '/', ...'LINE 39000', 'enter');
    const v = t.state.viewer!;
    expect(v.search.hit).toBe(38999);
    expect(v.text!.offset).toBeGreaterThan(0);
    expect(t.screen().find((l) => l.includes('line 39000'))).toMatch(/39000 │ line 39000/);
    expect(t.screen()[29]).toContain('match at line 39000');
    // The only match: n finds nothing after it, wraps to the top and comes back to it.
    t.press('n');
    expect(t.state.viewer!.search.hit).toBe(38999);
    expect(t.screen()[29]).toContain('wrapped to the top');
    // Backwards from the top of the file: wraps to the bottom.
    t.press('g', '/', ...'line 3', 'enter');
    expect(t.state.viewer!.search.hit).toBe(2);
    t.press('N');
    expect(t.state.viewer!.search.hit).toBe(39998); // line 39999, the last "line 3…" of the file
    expect(t.screen()[29]).toContain('wrapped to the bottom');
    t.press('/', ...'nowhere', 'enter');
    expect(t.screen()[29]).toContain('no match for nowhere');
    expect(t.state.viewer!.search.find).toBeUndefined();
  });

  it('an empty file and a read error show as such', () => {
    const t = session(a, bodies);
    t.goTo('empty');
    t.press('v');
    expect(t.screen()[1]).toMatch(/1 │ *$/);
    t.press('q');
    t.goTo('src/main.c');
    t.dispatch({ type: 'command', id: 'tree.view' });
    t.dispatch({ type: 'viewer.error', text: 'cannot read /src/main.c\x1b[2J: this source was read in one pass' });
    expect(t.screen()[1]).toContain('/src/main.c?[2J: this source was read in one pass');
  });

  it('in a comparison of two images the viewer says it is not available', () => {
    const base = [dir('etc'), file('etc/os', 10, { content: 'os' })];
    const old = buildAnalysis([{ entries: base }]);
    const neu = buildAnalysis([{ entries: base }, { entries: [file('etc/os', 12, { content: 'os2' })] }]);
    const c = compareImages(old, neu, { old: (g) => contentOfEntry(old.tree.entry(g)), new: (g) => contentOfEntry(neu.tree.entry(g)) });
    const d = comparisonView(c, old, neu);
    const s = reduce(d, { ...createComparisonState({ cols: 100, rows: 24 }), focus: 'tree' }, { type: 'tree.select', pathId: d.diff.find('etc/os')! });
    const v = reduce(d, s, { type: 'command', id: 'tree.view' }).viewer!;
    expect(v.show).toBe('message');
    expect(v.message).toContain('not available in a comparison');
    expect(v.pending).toBeUndefined();
  });
});

describe('window requests', () => {
  it('scrolling while a window is on its way keeps the same request (the read in flight is not restarted)', () => {
    const body = numbered(40_000);
    const a = imageView(buildAnalysis([{ entries: [file('big.txt', body.length)] }]));
    let s: AppState = { ...createInitialState({ cols: 100, rows: 30 }), focus: 'tree' };
    s = reduce(a, s, { type: 'tree.select', pathId: a.analysis.tree.find('big.txt')! });
    s = reduce(a, s, { type: 'command', id: 'tree.view' });
    s = reduce(a, s, { type: 'viewer.window', pathId: s.viewer!.pathId, layer: 0, window: windowOf(body, 0, WINDOW_BYTES) });
    const lines = s.viewer!.text!.lines.length;
    // Jump to the last loaded line: the next window is asked for.
    while (s.viewer!.scroll < lines - 1) s = reduce(a, s, { type: 'doc.scroll', to: 'pageDown' });
    const asked = s.viewer!.pending;
    expect(asked).toBeDefined();
    s = reduce(a, s, { type: 'doc.scroll', to: 'down' });
    s = reduce(a, s, { type: 'doc.scroll', to: 'down' });
    expect(s.viewer!.pending).toBe(asked);
    // A stale answer (another offset) is ignored; the asked one is taken.
    const stale = reduce(a, s, { type: 'viewer.window', pathId: s.viewer!.pathId, layer: 0, window: windowOf(body, 5, 100) });
    expect(stale).toBe(s);
    s = reduce(a, s, { type: 'viewer.window', pathId: s.viewer!.pathId, layer: 0, window: windowOf(body, asked!.offset, asked!.length) });
    expect(s.viewer!.pending).toBeUndefined();
    expect(s.viewer!.text!.offset).toBe(asked!.offset);
  });
});
