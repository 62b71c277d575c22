/**
 * Raw terminal input → canonical key names, the vocabulary of the keymap and of the YAML
 * config: `a`, `G`, `?`, `space`, `tab`, `enter`, `esc`, `backspace`, `up`, `down`, `left`,
 * `right`, `pgup`, `pgdn`, `home`, `end`, `ctrl+a` … `ctrl+z`, `ctrl+space`, `ctrl+/`.
 *
 * Decoded here rather than through Ink's `useInput` because a terminal sends Ctrl+Space as NUL
 * and Ctrl+/ as 0x1f, which Ink's key parser drops. Ctrl+I is the same byte as Tab, and most
 * terminals send Ctrl+M as Enter's byte (0x0d): `ctrl+i` is an alias of `tab`, while `ctrl+m`
 * stays a name of its own, because a terminal speaking kitty's keyboard protocol tells the two
 * apart (see `KeyboardProtocol`).
 */
export type KeyName = string;

/**
 * How the terminal reports keys. `legacy`: Enter and Ctrl+M are one byte, so a key bound to
 * Ctrl+M (dive's "toggle modified") runs on Enter too. `kitty`: the terminal took
 * `KITTY_KEYS_ON` (kitty's progressive enhancement "disambiguate escape codes", answered by
 * the reply to `KITTY_KEYS_QUERY`): Ctrl+M arrives as `CSI 109;5u`, so Enter is only Enter.
 */
export type KeyboardProtocol = 'legacy' | 'kitty';

/** Pushes kitty's "disambiguate escape codes" flag (CSI > 1 u); terminals that do not know it ignore it. */
export const KITTY_KEYS_ON = '\x1b[>1u';
/** Asks which flags are on (CSI ? u): a terminal that took them answers `CSI ? flags u`. */
export const KITTY_KEYS_QUERY = '\x1b[?u';
/** Pops the flags pushed by `KITTY_KEYS_ON` (CSI < u), restoring the terminal's own. */
export const KITTY_KEYS_OFF = '\x1b[<u';

/** True for the terminal's answer to `KITTY_KEYS_QUERY` (`ESC [ ? 1 u`): it speaks kitty's protocol. */
export function isKeyboardReply(seq: string): boolean {
  return /^\x1b\[\?\d+u$/.test(seq);
}

/** Keys kitty's protocol reports by their Unicode code point (`CSI code ; modifiers u`). */
const KITTY_CODES: Record<number, KeyName> = { 9: 'tab', 13: 'enter', 27: 'esc', 32: 'space', 127: 'backspace' };

/**
 * A key in kitty's form, `CSI code [; modifiers] u` (modifiers are 1 + shift 1, alt 2, ctrl 4,
 * super 8; caps and num lock ignored): `CSI 109;5u` is `ctrl+m`, `CSI 13u` `enter`, `CSI 27u`
 * `esc`. Undefined when the sequence is not one.
 */
function decodeKittyKey(body: string): KeyName | undefined {
  const m = /^\[(\d+)(?::\d*)*(?:;(\d+)(?::\d+)?)?(?:;[\d:]*)?u$/.exec(body);
  if (!m) return undefined;
  const code = Number(m[1]);
  const mods = Math.max(0, Number(m[2] ?? 1) - 1) & ~(64 | 128);
  const shift = (mods & 1) !== 0;
  const alt = (mods & 2) !== 0;
  const ctrl = (mods & 4) !== 0;
  const named = KITTY_CODES[code];
  if (ctrl) {
    if (code === 32) return 'ctrl+space';
    if (code === 47) return 'ctrl+/';
    if (code >= 97 && code <= 122) return `ctrl+${String.fromCharCode(code)}`;
    return named ?? `unknown:ctrl+${code}`;
  }
  if (named) return named === 'tab' && shift ? 'shift+tab' : named;
  if (code < 32 || code > 0x10ffff) return `unknown:${code}`;
  const ch = String.fromCodePoint(code);
  const c = shift ? ch.toUpperCase() : ch;
  return alt ? `alt+${c}` : c;
}

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
    const kitty = decodeKittyKey(body);
    if (kitty) return kitty;
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
