import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/viewmodel/commands.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap, parseKeyConfig } from '../../src/viewmodel/keymap.js';
import { decodeKey, displayKey, normalizeKeyName } from '../../src/viewmodel/keys.js';
import { selectHelpLines, selectStatusBar } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { ENTER_TIP, reduce } from '../../src/viewmodel/reducer.js';
import { imageView } from '../../src/viewmodel/view-data.js';
import { buildAnalysis, dir, file } from '../helpers/build-analysis.js';

describe('decodeKey', () => {
  it.each([
    ['\x00', 'ctrl+space'], // what a terminal sends for Ctrl+Space; Ink drops it
    ['\x1f', 'ctrl+/'],
    ['\r', 'enter'], // also Ctrl+M, in a terminal without kitty's keyboard protocol
    // kitty's keyboard protocol (CSI code ; modifiers u): Enter and Ctrl+M apart
    ['\x1b[13u', 'enter'],
    ['\x1b[109;5u', 'ctrl+m'],
    ['\x1b[27u', 'esc'],
    ['\x1b[99;5u', 'ctrl+c'],
    ['\x1b[32;5u', 'ctrl+space'],
    ['\x1b[47;5u', 'ctrl+/'],
    ['\x1b[97;69u', 'ctrl+a'], // with caps lock on: still Ctrl+A
    ['\x1b[9;2u', 'shift+tab'],
    ['\x1b[120;3u', 'alt+x'],
    ['\x1b[103;2u', 'G'],
    ['\t', 'tab'],
    ['\x01', 'ctrl+a'],
    ['\x12', 'ctrl+r'],
    ['\x7f', 'backspace'],
    ['\x1b', 'esc'],
    ['\x1b[A', 'up'],
    ['\x1bOB', 'down'],
    ['\x1b[5~', 'pgup'],
    ['\x1b[6~', 'pgdn'],
    ['\x1b[1;5C', 'right'],
    [' ', 'space'],
    ['G', 'G'],
    ['?', '?'],
  ])('%j → %s', (seq, name) => expect(decodeKey(seq)).toBe(name));
});

describe('key names in the config', () => {
  it.each([
    ['Ctrl-A', 'ctrl+a'],
    ['ctrl+m', 'ctrl+m'], // its own name: Enter where the terminal cannot tell them apart
    ['Ctrl-I', 'tab'],
    ['PageDown', 'pgdn'],
    ['ctrl+space', 'ctrl+space'],
    ['q', 'q'],
    ['hyper+x', undefined],
  ])('%s → %s', (raw, name) => expect(normalizeKeyName(raw)).toBe(name));
  it('displays keys compactly', () => expect(['ctrl+a', 'pgdn', 'up', 'ctrl+space'].map(displayKey)).toEqual(['^A', 'PgDn', '↑', '^Space']));
});

describe('keymap', () => {
  it("resolves dive's defaults per pane: Ctrl+A is aggregated in layers, toggle added in the tree", () => {
    const k = createKeymap();
    expect(k.resolve('layers', 'ctrl+a')).toBe('layers.compareAggregated');
    expect(k.resolve('tree', 'ctrl+a')).toBe('tree.toggleAdded');
    expect(k.resolve('tree', 'ctrl+m')).toBe('tree.toggleModified');
    expect(k.resolve('tree', 'enter')).toBe('tree.collapse'); // only where Enter is not Ctrl+M (see interpretKey)
    expect(k.resolve('tree', 'j')).toBe('cursor.down');
    expect(k.resolve('layers', 'ctrl+space')).toBeUndefined();
  });

  it('every default key of a scope is unique within it and the global scope', () => {
    const k = createKeymap();
    for (const c of COMMANDS) for (const key of k.keysFor(c.id)) expect([c.id, k.resolve(c.scope === 'global' ? 'tree' : c.scope, key)]).toEqual([c.id, c.id]);
  });

  it('reads overrides from YAML and reports unknown commands and keys', () => {
    const { overrides, problems } = parseKeyConfig('keybindings:\n  app.quit: [x, ctrl+c]\n  tree.collapse: Tab\n  no.such: q\n  cursor.up: hyper+k\n');
    expect(overrides['app.quit']).toEqual(['x', 'ctrl+c']);
    expect(problems).toEqual(['unknown command "no.such"', 'cursor.up: unknown key "hyper+k"']);
    const k = createKeymap(overrides);
    expect(k.resolve('tree', 'x')).toBe('app.quit');
    expect(k.resolve('tree', 'q')).toBeUndefined();
    expect(k.resolve('tree', 'tab')).toBe('tree.collapse'); // the pane's own binding wins
    expect(parseKeyConfig(': : :').problems[0]).toMatch(/not valid YAML/);
    expect(parseKeyConfig('').problems).toEqual([]);
  });

  it('help and status bar follow the live bindings', () => {
    const k = createKeymap({ 'app.quit': ['x'] });
    const help = selectHelpLines(k, 100).map(lineText).join('\n');
    expect(help).toMatch(/^ {2}x +Quit/m);
    const bar = lineText(selectStatusBar(k, createInitialState({ cols: 100, rows: 30 }), 100));
    expect(bar).toContain('x Quit');
  });
});

describe('interpretKey', () => {
  const k = createKeymap();
  const s = createInitialState({ cols: 100, rows: 30 });
  it('maps keys to commands in the focused pane (Ctrl+E too: extraction is asked for in the state), and q to the quit effect', () => {
    expect(interpretKey(k, s, 'ctrl+l', '\x0c')).toEqual({ kind: 'action', action: { type: 'command', id: 'layers.compareLayer' } });
    expect(interpretKey(k, s, 'q', 'q')).toEqual({ kind: 'quit' });
    // in the layers pane: the whole filesystem of the layer (the reducer asks first)
    expect(interpretKey(k, s, 'ctrl+e', '\x05')).toEqual({ kind: 'action', action: { type: 'command', id: 'layers.extract' } });
    expect(interpretKey(k, { ...s, focus: 'tree' }, 'ctrl+e', '\x05')).toEqual({ kind: 'action', action: { type: 'command', id: 'tree.extract' } });
  });
  it('sends text to an open filter line, and Enter/Esc/Backspace edit it; Ctrl+C still quits', () => {
    const f = { ...s, filter: { text: '', editing: true } };
    expect(interpretKey(k, f, 'q', 'q')).toEqual({ kind: 'action', action: { type: 'input.text', text: 'q' } });
    expect(interpretKey(k, f, 'enter', '\r')).toEqual({ kind: 'action', action: { type: 'input.submit' } });
    expect(interpretKey(k, f, 'esc', '\x1b')).toEqual({ kind: 'action', action: { type: 'input.cancel' } });
    expect(interpretKey(k, f, 'backspace', '\x7f')).toEqual({ kind: 'action', action: { type: 'input.backspace' } });
    expect(interpretKey(k, f, 'ctrl+c', '\x03')).toEqual({ kind: 'quit' });
  });
  it('a pending overwrite prompt takes y/n first', () => {
    const p = { ...s, focus: 'tree' as const, prompt: { kind: 'overwrite' as const, path: '/etc', existing: ['etc/passwd'] } };
    expect(interpretKey(k, p, 'y', 'y')).toEqual({ kind: 'action', action: { type: 'extract.start', overwrite: true } });
    expect(interpretKey(k, p, 'n', 'n')).toEqual({ kind: 'action', action: { type: 'prompt.decline' } });
    expect(interpretKey(k, p, 'j', 'j')).toEqual({ kind: 'none' });
  });
  it('in an overlay only scrolling and closing work', () => {
    const o = { ...s, overlay: 'help' as const };
    expect(interpretKey(k, o, 'esc', '\x1b')).toEqual({ kind: 'action', action: { type: 'overlay.close' } });
    expect(interpretKey(k, o, 'tab', '\t')).toEqual({ kind: 'none' });
    expect(interpretKey(k, o, 'j', 'j')).toEqual({ kind: 'action', action: { type: 'command', id: 'cursor.down' } });
  });

  describe('Enter and Ctrl+M', () => {
    const tree = { ...s, focus: 'tree' as const };
    it("where they are one byte (most terminals), Enter in the tree is dive's Ctrl+M: toggle modified; elsewhere it stays Enter", () => {
      expect(interpretKey(k, tree, 'enter', '\r')).toEqual({ kind: 'action', action: { type: 'command', id: 'tree.toggleModified', enterAsCtrlM: true } });
      expect(interpretKey(k, { ...s, focus: 'waste' }, 'enter', '\r')).toEqual({ kind: 'action', action: { type: 'command', id: 'waste.jump' } });
    });
    it("where the terminal tells them apart (kitty's protocol), Enter opens or closes a directory and Ctrl+M toggles modified", () => {
      const kitty = { ...tree, keyboard: 'kitty' as const };
      expect(interpretKey(k, kitty, decodeKey('\r'), '\r')).toEqual({ kind: 'action', action: { type: 'command', id: 'tree.collapse' } });
      expect(interpretKey(k, kitty, decodeKey('\x1b[109;5u'), '\x1b[109;5u')).toEqual({ kind: 'action', action: { type: 'command', id: 'tree.toggleModified' } });
      // Esc and Ctrl+C arrive in kitty's form too, and still work
      expect(interpretKey(k, { ...kitty, filter: { text: 'x', editing: false } }, decodeKey('\x1b[27u'), '\x1b[27u')).toEqual({ kind: 'action', action: { type: 'filter.clear' } });
      expect(interpretKey(k, kitty, decodeKey('\x1b[99;5u'), '\x1b[99;5u')).toEqual({ kind: 'quit' });
    });
  });
});

describe('the Enter tip', () => {
  const a = buildAnalysis([{ entries: [dir('d'), file('d/x', 10, { content: '1' })] }, { entries: [file('d/x', 10, { content: '2' })] }]);
  const view = imageView(a);
  const k = createKeymap();
  const press = (st: AppState, key: string, raw: string) => {
    const out = interpretKey(k, st, key, raw);
    return out.kind === 'action' ? reduce(view, st, out.action) : st;
  };
  const tree: AppState = { ...createInitialState({ cols: 160, rows: 45 }), focus: 'tree' };
  it('the first time Enter hides modified files, the status bar says why they vanished (once)', () => {
    let st = press(tree, 'enter', '\r');
    expect(st.tree.hidden.modified).toBe(true);
    expect(lineText(selectStatusBar(k, st, 160))).toContain(ENTER_TIP);
    st = press(press(st, 'j', 'j'), 'enter', '\r'); // shown again: no tip on showing
    expect(st.tree.hidden.modified).toBe(false);
    expect(st.message).toBeUndefined();
    st = press(st, 'enter', '\r'); // hidden again: the tip was given
    expect(st.tree.hidden.modified).toBe(true);
    expect(st.message).toBeUndefined();
  });
  it('no tip where Enter is Enter, nor when the toggle was not run by Enter', () => {
    expect(press({ ...tree, keyboard: 'kitty' }, 'ctrl+m', '\x1b[109;5u').message).toBeUndefined();
    expect(reduce(view, tree, { type: 'command', id: 'tree.toggleModified' }).message).toBeUndefined();
  });
});
