/**
 * Raw terminal input → canonical key names, the vocabulary of the keymap and of the YAML
 * config: `a`, `G`, `?`, `space`, `tab`, `enter`, `esc`, `backspace`, `up`, `down`, `left`,
 * `right`, `pgup`, `pgdn`, `home`, `end`, `ctrl+a` … `ctrl+z`, `ctrl+space`, `ctrl+/`.
 *
 * Decoded here rather than through Ink's `useInput` because a terminal sends Ctrl+Space as NUL
 * and Ctrl+/ as 0x1f, which Ink's key parser drops. Ctrl+M is the same byte as Enter (0x0d),
 * and Ctrl+I the same as Tab: the names `ctrl+m` and `ctrl+i` are accepted as aliases.
 */
export type KeyName = string;

const CSI: Record<string, KeyName> = {
  '[A': 'up',
  '[B': 'down',
  '[C': 'right',
  '[D': 'left',
  OA: 'up',
  OB: 'down',
  OC: 'right',
  OD: 'left',
  '[H': 'home',
  '[F': 'end',
  OH: 'home',
  OF: 'end',
  '[1~': 'home',
  '[4~': 'end',
  '[7~': 'home',
  '[8~': 'end',
  '[5~': 'pgup',
  '[6~': 'pgdn',
  '[3~': 'delete',
  '[Z': 'shift+tab',
};

/** Decodes one key sequence (as a terminal sends it for one key press) into its name. */
export function decodeKey(seq: string): KeyName {
  if (seq.length === 0) return '';
  if (seq === '\x1b' || seq === '\x1b\x1b') return 'esc';
  if (seq.startsWith('\x1b')) {
    const body = seq.slice(1);
    const named = CSI[body];
    if (named) return named;
    // xterm modifiers: ESC [ 1 ; 5 A (ctrl+up) — keep the base key
    const mod = /^\[1;\d([ABCDHF])$/.exec(body);
    if (mod) return CSI[`[${mod[1]}`]!;
    if (body.length === 1) return `alt+${body}`;
    return `unknown:${JSON.stringify(seq)}`;
  }
  if (seq.length === 1) {
    const c = seq.charCodeAt(0);
    if (c === 0) return 'ctrl+space';
    if (c === 9) return 'tab';
    if (c === 13 || c === 10) return 'enter';
    if (c === 0x7f || c === 8) return 'backspace';
    if (c === 0x1f) return 'ctrl+/';
    if (c === 0x20) return 'space';
    if (c >= 1 && c <= 26) return `ctrl+${String.fromCharCode(96 + c)}`;
    return seq;
  }
  return seq; // a paste or a multi-unit character: text
}

/** Canonical form of a key name written by a user: `Ctrl-A` → `ctrl+a`, `PgDn` → `pgdn`. */
export function normalizeKeyName(name: string): KeyName | undefined {
  const raw = name.trim();
  if (raw.length === 1) return raw;
  const lower = raw.toLowerCase().replace(/-/g, '+').replace(/\s+/g, '');
  const alias: Record<string, string> = {
    'ctrl+m': 'enter',
    'ctrl+i': 'tab',
    return: 'enter',
    escape: 'esc',
    pageup: 'pgup',
    pagedown: 'pgdn',
    'page+up': 'pgup',
    'page+down': 'pgdn',
    arrowup: 'up',
    arrowdown: 'down',
    arrowleft: 'left',
    arrowright: 'right',
    'ctrl+_': 'ctrl+/',
    'ctrl+@': 'ctrl+space',
    ' ': 'space',
  };
  const a = alias[lower] ?? lower;
  const known = new Set(['space', 'tab', 'shift+tab', 'enter', 'esc', 'backspace', 'delete', 'up', 'down', 'left', 'right', 'pgup', 'pgdn', 'home', 'end', 'ctrl+space', 'ctrl+/']);
  if (known.has(a)) return a;
  if (/^ctrl\+[a-z]$/.test(a)) return a;
  if (/^alt\+.$/.test(a)) return a;
  return undefined;
}

/** How a key is shown in help and the status bar: `ctrl+a` → `^A`, `pgdn` → `PgDn`. */
export function displayKey(k: KeyName): string {
  if (k === 'ctrl+space') return '^Space';
  if (k.startsWith('ctrl+')) return `^${k.slice(5).toUpperCase()}`;
  const names: Record<string, string> = {
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pgup: 'PgUp',
    pgdn: 'PgDn',
    space: 'Space',
    tab: 'Tab',
    enter: 'Enter',
    esc: 'Esc',
    home: 'Home',
    end: 'End',
  };
  return names[k] ?? k;
}
