/**
 * Escaping for strings an image provides (file names, tags, commands, messages that quote
 * them) before they reach a terminal, a CI log or a report. A file name must never be able to
 * clear the screen, set the window title, move the cursor, start a new line that looks like a
 * verdict, or reorder the text around it.
 */

// C0 controls (tab, newline and carriage return included), DEL, C1 controls (0x80–0x9f: CSI,
// OSC, NEL… on terminals that read 8-bit controls), the Unicode line and paragraph separators,
// and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder
// what is displayed ("Trojan Source").
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Replaces every control character with a visible escape: `\n`, `\r`, `\t`, `\xNN` below
 * 0x100 (`\x1b` for ESC, `\x07` for BEL, `\x9b` for CSI) and `\uNNNN` above. Everything else,
 * printable non-ASCII included, is kept as it is. The result holds no byte a terminal acts on.
 *
 * @example escapeControl('a\x1b[2Jb') === 'a\\x1b[2Jb'
 */
export function escapeControl(s: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const cp = c.charCodeAt(0);
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/** True when a string holds a character `escapeControl` would replace. */
export function hasControl(s: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s);
}

// What JSON.stringify leaves raw: DEL, the C1 controls, and the separators and bidi controls.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify` with every character a terminal could act on written as a `\uNNNN` escape:
 * JSON.stringify already escapes C0 controls; this adds DEL, C1, the line separators and the
 * bidi controls. The data is unchanged (a JSON parser reads the same strings back); only the
 * bytes of the file are safe to print.
 */
export function stringifyJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
