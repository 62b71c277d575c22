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
import { viewerPattern } from '../../src/viewmodel/reduce-viewer.js';
import { MAX_MATCHES } from '../../src/viewmodel/doc-search.js';
import { createMatcher } from '../../src/extract/match.js';
import type { BytePattern } from '../../src/extract/types.js';
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
  /** Every match in a whole body, as the reader finds them (its own matcher). */
  const allMatches = (body: Buffer, pattern: BytePattern) => createMatcher(pattern).push(body, 0);
  /** Answers the viewer's pending read, search or count, as the UI does with the reader (`hold` keeps counts unanswered). */
  const serve = (hold = false) => {
    const v = s.viewer;
    const find = v?.search.find;
    const pattern = v ? viewerPattern(v) : undefined;
    const body = v ? bodies[a.tree.pathOf(v.bodyPathId)]! : undefined;
    if (v && find && body && pattern && !('error' in pattern) && pattern.kind === 'bytes') {
      const all = allMatches(body, pattern);
      const offset = find.backward ? (all.filter((x) => x < find.from).at(-1) ?? -1) : (all.find((x) => x >= find.from) ?? -1);
      dispatch({ type: 'viewer.found', offset });
      return true;
    }
    if (v?.pending && body) {
      dispatch({ type: 'viewer.window', pathId: v.pathId, layer: v.layer, window: windowOf(body, v.pending.offset, v.pending.length) });
      return true;
    }
    if (!hold && v?.search.counting && body && pattern && !('error' in pattern) && pattern.kind === 'bytes') {
      const all = allMatches(body, pattern);
      dispatch({ type: 'viewer.counted', text: v.search.text, starts: all.slice(0, MAX_MATCHES), total: all.length });
      return true;
    }
    return false;
  };
  let holdCounts = false;
  const press = (...keys: string[]) => {
    for (const k of keys) {
      const out = interpretKey(keymap, s, k, k.length === 1 ? k : '');
      if (out.kind === 'action') dispatch(out.action);
      else if (out.kind === 'quit') throw new Error('quit');
      while (serve(holdCounts));
    }
  };
  /** Counts stay unanswered (the reader is still counting) until `release`. */
  const hold = () => void (holdCounts = true);
  const release = () => {
    holdCounts = false;
    while (serve());
  };
  const goTo = (path: string) => dispatch({ type: 'tree.select', pathId: a.tree.find(path)! });
  const screen = () => selectViewerScreen(keymap, s, s.viewer!).map(lineText);
  return { get state() { return s; }, dispatch, press, goTo, screen, serve, hold, release };
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
    // nothing to search there: said, and the prompt closes
    t.press('/', 'x', 'enter');
    expect(t.state.viewer!.search.editing).toBe(false);
    expect(t.screen()[23]).toContain('no contents to search');
    t.press('q');
    // A hard link is the same file as its target: its contents are shown, the title says whose.
    t.goTo('bin/ls');
    t.press('v');
    expect(t.state.viewer?.show).toBe('binary');
    expect(t.screen()[0]).toContain('View /bin/ls');
    expect(t.screen()[0]).toContain('hard link to /bin/tool');
    expect(t.screen()[1]).toMatch(/^00000000 {2}7f 45 4c 46/);
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

  it('searches the text: / types, Enter jumps, n and N move, with a count of every occurrence and a wrap notice', () => {
    const body = Buffer.from('alpha\nbeta\ngamma alpha\ndelta\nALPHA\n');
    const b = buildAnalysis([{ entries: [file('notes.txt', body.length)] }]);
    const t = session(b, { 'notes.txt': body });
    t.goTo('notes.txt');
    t.press('v', '/', 'a', 'l', 'p', 'h', 'a');
    expect(t.screen()[23]).toContain('Search: alpha');
    t.press('enter');
    expect(t.state.viewer!.search.hit).toEqual({ at: 0, length: 5 });
    expect(t.screen()[23]).toContain('match 1/3');
    t.press('n');
    expect(t.state.viewer!.search.hit?.at).toBe(17); // "gamma alpha", line 3
    t.press('n');
    expect(t.state.viewer!.search.hit?.at).toBe(29); // ALPHA, line 5
    t.press('n');
    expect(t.state.viewer!.search.hit?.at).toBe(0);
    expect(t.screen()[23]).toContain('wrapped to the top');
    t.press('N');
    expect(t.state.viewer!.search.hit?.at).toBe(29); // ALPHA, line 5
    expect(t.screen()[23]).toContain('match 3/3 · search wrapped to the bottom');
    t.press('/', 'z', 'z', 'enter');
    expect(t.screen()[23]).toContain('no match for zz');
    // Esc while typing cancels the search only; the viewer stays open.
    t.press('/', 'x', 'esc');
    expect(t.state.viewer).toBeDefined();
  });

  it('a search entered before the file is read runs once it is', () => {
    const body = Buffer.from('root:x:0:0:root:/root:/bin/sh\n');
    const b = buildAnalysis([{ entries: [dir('etc'), file('etc/passwd', body.length)] }]);
    const view = imageView(b);
    let s: AppState = { ...createInitialState({ cols: 100, rows: 24 }), focus: 'tree' };
    s = reduce(view, s, { type: 'tree.select', pathId: b.tree.find('etc/passwd')! });
    s = reduce(view, s, { type: 'command', id: 'tree.view' });
    for (const op of [{ op: 'open' }, { op: 'text', text: 'root' }, { op: 'submit' }] as const) s = reduce(view, s, { type: 'doc.search', ...op });
    expect(s.viewer!.search.notice).toBe('searching once the file is read…');
    s = reduce(view, s, { type: 'viewer.window', pathId: s.viewer!.pathId, layer: 0, window: windowOf(body, 0, WINDOW_BYTES) });
    expect(s.viewer!.search.hit).toEqual({ at: 0, length: 4 });
    expect(lineText(selectViewerScreen(keymap, s, s.viewer!).at(-1)!)).toContain('root: match 1/3');
  });

  it('counts occurrences, not lines, and marks the match itself, not its whole line', () => {
    const body = Buffer.from('root:x:0:0:root:/root:/bin/sh\n\tdaemon:x:1:1::/usr/sbin:/sbin/nologin\n');
    const b = buildAnalysis([{ entries: [dir('etc'), file('etc/passwd', body.length)] }]);
    const t = session(b, { 'etc/passwd': body });
    t.goTo('etc/passwd');
    t.press('v', '/', ...'root', 'enter');
    expect(t.screen()[23]).toContain('root: match 1/3');
    const marked = () => {
      const line = selectViewerScreen(keymap, t.state, t.state.viewer!)[1]!;
      expect(line.selected).toBeUndefined(); // the line is not inverted
      const text = lineText(line);
      const seg = line.segments.find((x) => x.style === 'match')!;
      return { text: seg.text, col: text.indexOf(seg.text, line.segments.slice(0, line.segments.indexOf(seg)).reduce((n, x) => n + x.text.length, 0)) };
    };
    expect(marked()).toEqual({ text: 'root', col: 7 }); // after the gutter "   1 │ "
    t.press('n');
    expect(t.screen()[23]).toContain('root: match 2/3');
    expect(marked()).toEqual({ text: 'root', col: 7 + 11 });
    t.press('n');
    expect(marked()).toEqual({ text: 'root', col: 7 + 17 });
    // On a line after a tab, the mark is where the text is drawn (the tab is 8 columns).
    t.press('/', ...'DAEMON', 'enter');
    const line = selectViewerScreen(keymap, t.state, t.state.viewer!)[2]!;
    const before = line.segments.slice(0, line.segments.findIndex((x) => x.style === 'match')).map((x) => x.text).join('');
    expect(before).toBe('   2 │         ');
    expect(line.segments.find((x) => x.style === 'match')!.text).toBe('daemon');
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

  it('searches past the loaded window: the match loads its window, the whole file is counted, n wraps, a missing text says so', () => {
    const t = session(a, bodies, 30);
    t.goTo('big.txt');
    t.hold(); // the reader is still counting
    t.press('v', '/', ...'LINE 39000', 'enter');
    let v = t.state.viewer!;
    expect(v.search.hit?.at).toBe(numbered(38999).length);
    expect(v.text!.offset).toBeGreaterThan(0);
    expect(t.screen().find((l) => l.includes('line 39000'))).toMatch(/39000 │ line 39000/);
    expect(t.screen()[29]).toContain('match at line 39000 · counting…');
    t.release();
    expect(t.screen()[29]).toContain('LINE 39000: match 1/1');
    // The only match: n goes round to it again.
    t.press('n');
    expect(t.state.viewer!.search.hit?.at).toBe(numbered(38999).length);
    expect(t.screen()[29]).toContain('match 1/1 · search wrapped to the top');
    // 11 111 lines hold "line 3": more than the starts kept; the count stays exact.
    t.press('g', '/', ...'line 3', 'enter');
    v = t.state.viewer!;
    expect(v.search.hit?.at).toBe(numbered(2).length);
    expect(v.search.matches?.total).toBe(11_111);
    expect(v.search.matches?.starts.length).toBe(MAX_MATCHES);
    expect(t.screen()[29]).toContain('match 1/11111');
    // Backwards from the first: past the kept starts, the reader finds the last one (line 39999).
    t.press('N');
    v = t.state.viewer!;
    expect(v.search.hit?.at).toBe(numbered(39998).length);
    expect(t.screen()[29]).toContain('match at line 39999 (11111 in the file) · search wrapped to the bottom');
    t.press('/', ...'nowhere', 'enter');
    expect(t.screen()[29]).toContain('no match for nowhere');
    expect(t.state.viewer!.search.find).toBeUndefined();
  });

  it('searches the hex view: text in the ASCII column, hex pairs as bytes, @ an offset', () => {
    const t = session(a, bodies);
    t.goTo('bin/tool'); // 7f 45 4c 46 00 01 02 03 41 42 0a 1b ff 20 7e 80 | 10
    t.press('v', '/');
    expect(t.screen()[23]).toContain('@0x200 goes to an offset');
    t.press(...'ELF', 'enter');
    expect(t.state.viewer!.search.hit).toEqual({ at: 1, length: 3 });
    expect(t.screen()[23]).toContain('ELF: match 1/1');
    const row = selectViewerScreen(keymap, t.state, t.state.viewer!)[1]!;
    expect(row.segments.filter((x) => x.style === 'match').map((x) => x.text.trim()).filter(Boolean)).toEqual(['45', '4c', '46', 'E', 'L', 'F']);
    t.press('/', ...'7f 45', 'enter');
    expect(t.state.viewer!.search.hit).toEqual({ at: 0, length: 2 });
    t.press('/', ...'0001', 'enter');
    expect(t.state.viewer!.search.hit).toEqual({ at: 4, length: 2 });
    t.press('/', ...'"ab"', 'enter'); // quoted: text, A B without case
    expect(t.state.viewer!.search.hit).toEqual({ at: 8, length: 2 });
    t.press('/', ...'@0x10', 'enter');
    expect(t.state.viewer!.search.hit).toEqual({ at: 16, length: 1 });
    expect(t.screen()[23]).toContain('@0x10: match at 0x10');
    t.press('/', ...'@0x100', 'enter');
    expect(t.screen()[23]).toContain('0x100 is past the end (the file is 0x11 bytes)');
    t.press('/', ...'@zz', 'enter');
    expect(t.screen()[23]).toContain('not an offset');
  });

  it('goes to an offset far into a big binary, reading its window', () => {
    const big = Buffer.alloc(300_000, 0x41);
    big[0] = 0;
    big.write('HERE', 0x40000);
    const b = buildAnalysis([{ entries: [file('blob.bin', big.length)] }]);
    const t = session(b, { 'blob.bin': big }, 30);
    t.goTo('blob.bin');
    t.press('v', '/', ...'@0x40000', 'enter');
    const v = t.state.viewer!;
    expect(v.binary!.offset).toBeGreaterThan(0);
    expect(t.screen().find((l) => l.startsWith('00040000'))).toMatch(/\|HEREAAAAAAAAAAAA\|/);
    // Text in a big binary: counted through the reader, past the window.
    t.press('/', ...'here', 'enter');
    expect(t.state.viewer!.search.hit).toEqual({ at: 0x40000, length: 4 });
    expect(t.screen()[29]).toContain('here: match 1/1');
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
