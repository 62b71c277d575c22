import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/core/index.js';
import { DIFF_CAP } from '../../src/viewmodel/file-diff.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { selectLayout } from '../../src/viewmodel/layout.js';
import { reduce, type Action } from '../../src/viewmodel/reducer.js';
import { selectFileHistoryPane, selectStatusBar } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { selectFileDiffScreen } from '../../src/viewmodel/viewer.js';
import { imageView } from '../../src/viewmodel/view-data.js';
import { buildAnalysis, dir, file, sampleAnalysis, type LayerSpec } from '../helpers/build-analysis.js';

const keymap = createKeymap();

function session(a: Analysis, rows = 30, cols = 120) {
  const view = imageView(a);
  let s: AppState = { ...createInitialState({ cols, rows }), focus: 'tree' };
  const dispatch = (x: Action) => (s = reduce(view, s, x));
  const press = (...keys: string[]) => {
    for (const k of keys) {
      const out = interpretKey(keymap, s, k, k.length === 1 ? k : '');
      if (out.kind === 'action') dispatch(out.action);
    }
  };
  const goTo = (path: string) => dispatch({ type: 'tree.select', pathId: a.tree.find(path)! });
  const history = () =>
    selectFileHistoryPane(view, s, a.tree.find(a.tree.pathOf(selectedPath()))!, selectLayout(s, a.layers.length)).lines.map((l) => lineText(l).trimEnd());
  const selectedPath = () => (s.tree.cursorPath < 0 ? 0 : s.tree.cursorPath);
  return { get state() { return s; }, dispatch, press, goTo, history };
}

/** A file written in each of `n` layers (and a directory that holds it). */
function manyVersions(n: number): Analysis {
  const layers: LayerSpec[] = [];
  for (let i = 0; i < n; i++) layers.push({ command: `write v${i}`, entries: [dir('app'), file('app/conf', 10 + i, { content: `v${i}`, uid: i === 10 ? 1000 : 0, gid: i === 10 ? 1000 : 0 })] });
  return buildAnalysis(layers);
}

describe('file history panel', () => {
  it('scrolls with its cursor past its height, with ↓/↑ n more markers', () => {
    const a = manyVersions(14);
    const t = session(a);
    t.goTo('app/conf');
    t.press('f');
    const h = selectLayout(t.state, a.layers.length).fileHistoryHeight;
    expect(h).toBeLessThan(14);
    let rows = t.history();
    expect(rows).toHaveLength(h);
    expect(rows[h - 1]).toMatch(/↓ \d+ more/);
    // Focus the panel and go to the last version: the window follows, the marker is now above.
    t.press('tab');
    expect(t.state.focus).toBe('history');
    t.press('G');
    rows = t.history();
    expect(rows.some((r) => /L13 modified/.test(r))).toBe(true);
    expect(rows[0]).toMatch(/↑ \d+ more/);
    expect(rows.some((r) => /↓ \d+ more/.test(r))).toBe(false);
  });

  it('lines its columns up: layer numbers and owners padded to a common width', () => {
    const a = manyVersions(12);
    const t = session(a, 60);
    t.goTo('app/conf');
    t.press('f');
    const rows = t.history().filter((r) => /L\d+/.test(r));
    expect(rows).toHaveLength(12);
    const col = (r: string, what: RegExp) => r.search(what);
    // The kind column starts at the same place for L2 and L12; so do mode and size.
    const kinds = new Set(rows.map((r) => col(r, /(added|modified)/)));
    const modes = new Set(rows.map((r) => col(r, /-rw-/)));
    const sizes = new Set(rows.map((r) => col(r, / B /)));
    expect(kinds.size).toBe(1);
    expect(modes.size).toBe(1);
    expect(sizes.size).toBe(1);
    expect(rows.find((r) => r.includes(' L2 '))).toBeDefined();
    expect(rows.find((r) => r.includes('1000:1000'))).toBeDefined();
    expect(rows.find((r) => r.includes('      0:0'))).toBeDefined();
  });

  it("says what happened to a directory: created, contents changed below it, made opaque — never 'unmodified'", () => {
    const a = sampleAnalysis();
    const t = session(a);
    t.goTo('usr/bin');
    t.press('f');
    const rows = t.history().filter((r) => /L\d/.test(r));
    expect(rows.find((r) => r.includes('L0'))).toMatch(/created/);
    expect(rows.find((r) => r.includes('L1'))).toMatch(/contents .*1 path below changed/);
    expect(rows.find((r) => r.includes('L3'))).toMatch(/made opaque .*lower contents hidden/);
    expect(rows.join('\n')).not.toContain('unmodified');
    // A chmod of a directory is a metadata change.
    const b = buildAnalysis([{ entries: [dir('d'), file('d/x')] }, { entries: [dir('d', { mode: 0o700 })] }, { entries: [dir('d'), file('d/x', 10, { content: 'same?' })] }]);
    const u = session(b);
    u.goTo('d');
    u.press('f');
    const r2 = u.history().filter((r) => /L\d/.test(r));
    expect(r2[1]).toMatch(/L1 chmod\/chown/);
    expect(r2[2]).toMatch(/L2 chmod\/chown .*1 path below changed/);
  });

  it('a layer that writes a file again with the same bytes (counted as waste) is "rewritten (same content)", not "unmodified"', () => {
    const a = buildAnalysis([{ entries: [dir('data'), file('data/big.bin', 512, { content: 'zeros' })] }, { entries: [file('data/other', 1)] }, { entries: [file('data/big.bin', 512, { content: 'zeros' })] }]);
    expect(a.wastedBytes).toBeGreaterThan(0);
    const t = session(a);
    t.goTo('data/big.bin');
    t.press('f');
    const rows = t.history().filter((r) => /L\d/.test(r));
    expect(rows[0]).toMatch(/L0 added/);
    expect(rows[1]).toMatch(/L2 rewritten \(same content\)/);
    expect(rows.join('\n')).not.toContain('unmodified');
  });

  it('Esc closes the panel (and gives the focus back to the tree)', () => {
    const a = sampleAnalysis();
    const t = session(a);
    t.goTo('etc/passwd');
    t.press('f', 'tab');
    expect(t.state.focus).toBe('history');
    t.press('esc');
    expect(t.state.tree.fileHistory).toBe(false);
    expect(t.state.focus).toBe('tree');
    t.press('f');
    t.press('esc');
    expect(t.state.tree.fileHistory).toBe(false);
  });

  it('Tab visits the history panel only while it is open; its keys show in the status bar', () => {
    const a = sampleAnalysis();
    const t = session(a);
    t.press('tab');
    expect(t.state.focus).toBe('layers');
    t.press('tab', 'f', 'tab');
    expect(t.state.focus).toBe('history');
    const bar = lineText(selectStatusBar(keymap, t.state, 120));
    expect(bar).toContain('Space Mark');
    expect(bar).toContain('d Diff');
    expect(bar).toContain('v View');
    t.press('tab');
    expect(t.state.focus).toBe('layers');
  });
});

describe('diff of two versions of a file', () => {
  const a = sampleAnalysis();
  const open = (...keys: string[]) => {
    const t = session(a);
    t.goTo('etc/passwd');
    t.press('f', 'tab', ...keys);
    return t;
  };

  it('d without a mark diffs the version under the cursor with the one before it', () => {
    const t = open('g', 'j', 'd');
    const d = t.state.fileDiff!;
    expect([d.oldLayer, d.newLayer]).toEqual([0, 1]);
    expect(d.pending).toBe(true);
    t.dispatch({ type: 'fileDiff.loaded', old: { kind: 'body', bytes: Buffer.from('root\nold\nkeep\n'), size: 14 }, new: { kind: 'body', bytes: Buffer.from('root\nnew\nkeep\n'), size: 14 } });
    const screen = selectFileDiffScreen(keymap, t.state, t.state.fileDiff!).map(lineText).map((l) => l.trimEnd());
    expect(screen[0]).toContain('Diff /etc/passwd');
    expect(screen[0]).toContain('L0 → L1');
    expect(screen).toContain('--- /etc/passwd (L0)');
    expect(screen).toContain('+++ /etc/passwd (L1)');
    expect(screen).toContain('@@ -1,3 +1,3 @@');
    expect(screen).toContain('-old');
    expect(screen).toContain('+new');
    const styled = selectFileDiffScreen(keymap, t.state, t.state.fileDiff!);
    const styleOf = (text: string) => styled.flatMap((l) => l.segments).find((s) => s.text.startsWith(text))?.style;
    expect(styleOf('-old')).toBe('removed');
    expect(styleOf('+new')).toBe('added');
    expect(styleOf('@@')).toBe('marker');
    t.press('q');
    expect(t.state.fileDiff).toBeUndefined();
    expect(t.state.focus).toBe('history');
  });

  it('searches the diff: every occurrence counted, the match itself marked, n goes round', () => {
    const t = open('g', 'j', 'd');
    t.dispatch({ type: 'fileDiff.loaded', old: { kind: 'body', bytes: Buffer.from('root\nold\nkeep\n'), size: 14 }, new: { kind: 'body', bytes: Buffer.from('root\nnew root\nkeep\n'), size: 19 } });
    t.press('/', 'r', 'o', 'o', 't', 'enter');
    const screen = () => selectFileDiffScreen(keymap, t.state, t.state.fileDiff!);
    let lines = screen();
    expect(lineText(lines.at(-1)!)).toContain('root: match 1/2');
    const marked = (ls: typeof lines) => ls.flatMap((l, i) => l.segments.filter((x) => x.style === 'match').map((x) => `${i}:${x.text}`));
    expect(marked(lines)).toEqual([`${lines.findIndex((l) => lineText(l).startsWith(' root'))}:root`]);
    expect(lines.some((l) => l.selected)).toBe(false);
    t.press('n');
    lines = screen();
    expect(lineText(lines.at(-1)!)).toContain('root: match 2/2');
    expect(marked(lines)).toEqual([`${lines.findIndex((l) => lineText(l).startsWith('+new root'))}:root`]);
    t.press('n');
    expect(lineText(screen().at(-1)!)).toContain('match 1/2 · search wrapped to the top');
  });

  it('space marks a version and d diffs it with the one under the cursor, older first', () => {
    const t = open('G', 'space', 'g', 'd');
    expect(t.state.history?.mark).not.toBeNull();
    expect([t.state.fileDiff!.oldLayer, t.state.fileDiff!.newLayer]).toEqual([0, 2]);
    t.press('esc');
    expect(t.state.fileDiff).toBeUndefined();
  });

  it('the first version diffs against absence; binaries give sizes and whether the content is equal', () => {
    const t = open('g', 'd');
    expect(t.state.fileDiff!.oldLayer).toBe(-1);
    t.dispatch({ type: 'fileDiff.loaded', old: { kind: 'body', bytes: Buffer.from([0, 1, 2]), size: 3 }, new: { kind: 'body', bytes: Buffer.from([0, 1, 2, 3]), size: 4 } });
    let rows = t.state.fileDiff!.rows.map((r) => r.map((x) => x.text).join(''));
    expect(rows).toContain('binary, sizes 3 B → 4 B: content differs');
    t.press('q', 'd');
    t.dispatch({ type: 'fileDiff.loaded', old: { kind: 'body', bytes: Buffer.from([0, 9]), size: 2 }, new: { kind: 'body', bytes: Buffer.from([0, 9]), size: 2 } });
    rows = t.state.fileDiff!.rows.map((r) => r.map((x) => x.text).join(''));
    expect(rows).toContain('binary, sizes 2 B → 2 B: content equal');
  });

  it('says when a side was cut at the cap, and scrolls a long diff', () => {
    const t = session(a, 10);
    t.goTo('etc/passwd');
    t.press('f', 'tab', 'G', 'd');
    const big = Buffer.from('x\n'.repeat(2000));
    t.dispatch({ type: 'fileDiff.loaded', old: { kind: 'body', bytes: Buffer.from('a\n'.repeat(30)), size: 60 }, new: { kind: 'body', bytes: big, size: DIFF_CAP * 3 } });
    const rows = t.state.fileDiff!.rows.map((r) => r.map((x) => x.text).join(''));
    expect(rows[2]).toContain('only the first 1');
    t.press('G');
    expect(t.state.fileDiff!.scroll).toBe(rows.length - 8);
    t.press('g');
    expect(t.state.fileDiff!.scroll).toBe(0);
  });

  it('versions that differ everywhere still diff at once: the changed region as one replacement, context kept', () => {
    const t = open('G', 'd');
    const lines = (f: (i: number) => string) => Buffer.from(Array.from({ length: 10_000 }, (_, i) => `${f(i)}\n`).join(''));
    const o = lines((i) => (i === 0 || i === 9999 ? `same ${i}` : `old ${i}`));
    const n = lines((i) => (i === 0 || i === 9999 ? `same ${i}` : `new ${i}`));
    const started = Date.now();
    t.dispatch({ type: 'fileDiff.loaded', old: { kind: 'body', bytes: o, size: o.length }, new: { kind: 'body', bytes: n, size: n.length } });
    expect(Date.now() - started).toBeLessThan(5000);
    const rows = t.state.fileDiff!.rows.map((r) => r.map((x) => x.text).join(''));
    expect(rows[2]).toContain('shown as one replacement');
    expect(rows[3]).toBe('@@ -1,10000 +1,10000 @@');
    expect(rows[4]).toBe(' same 0');
    expect(rows[5]).toBe('-old 1');
    expect(rows.at(-1)).toBe(' same 9999');
    expect(rows.filter((r) => r.startsWith('+new')).length).toBe(9998);
  });
});
