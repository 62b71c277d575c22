import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/viewmodel/commands.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap, parseKeyConfig } from '../../src/viewmodel/keymap.js';
import { decodeKey, displayKey, normalizeKeyName } from '../../src/viewmodel/keys.js';
import { selectHelpLines, selectStatusBar } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState } from '../../src/viewmodel/state.js';

describe('decodeKey', () => {
  it.each([
    ['\x00', 'ctrl+space'], // what a terminal sends for Ctrl+Space; Ink drops it
    ['\x1f', 'ctrl+/'],
    ['\r', 'enter'], // also Ctrl+M
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
    ['ctrl+m', 'enter'],
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
    expect(k.resolve('tree', 'enter')).toBe('tree.toggleModified');
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
});
