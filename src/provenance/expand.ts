/**
 * Dockerfile words as a builder processes them: quotes removed, escapes applied, `$VAR`,
 * `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}` and `${VAR:?msg}`
 * substituted (the rules of the Dockerfile reference, "Environment replacement"). A variable
 * whose value cannot be known here (set by the base image, or a build argument nobody told us)
 * becomes `ANY`, so an expanded word is a pattern, matched against a history entry with
 * `matchesWords`.
 */

/** A value this module cannot know. */
export const ANY: unique symbol = Symbol('any');

/** One processed word: literal pieces and unknown values, in order. */
export type Word = readonly (string | typeof ANY)[];

/** A variable's value: a string, `null` when it is declared but unset (it expands to nothing), `undefined` when unknown. */
export type Lookup = (name: string) => string | null | undefined;

const NAME_CHAR = /[A-Za-z0-9_]/;
const SPACE = /\s/;

/** Processes `text` as one word (an `ENV` value, a `WORKDIR` path): nothing is split. */
export function expandWord(text: string, lookup: Lookup, escape: string): Word {
  return process(text, lookup, escape, false)[0] ?? [];
}

/** Processes `text` as the words of an instruction (a `COPY`'s sources and destination): split on unquoted white space. */
export function expandWords(text: string, lookup: Lookup, escape: string): Word[] {
  return process(text, lookup, escape, true);
}

/** The word as text, or undefined when part of it is unknown. */
export function wordText(w: Word): string | undefined {
  let s = '';
  for (const p of w) {
    if (p === ANY) return undefined;
    s += p;
  }
  return s;
}

/** Runs of white space as one space, trimmed: builders keep a continuation's indentation, and tools disagree on it. */
export function normalizeSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

// A pattern with unknown parts is matched only against short texts and with few unknowns, so
// that a lazy `.*?` cannot backtrack for long over a hostile history entry.
const MAX_PATTERN_TEXT = 4096;
const MAX_UNKNOWNS = 8;

/**
 * True when `text` (white space normalized) equals the words joined by one space, each unknown
 * part standing for any run of characters.
 */
export function matchesWords(words: readonly Word[], text: string): boolean {
  const target = normalizeSpace(text);
  const unknowns = words.reduce((n, w) => n + w.filter((p) => p === ANY).length, 0);
  if (unknowns === 0) return normalizeSpace(words.map((w) => (w as string[]).join('')).join(' ')) === target;
  if (unknowns > MAX_UNKNOWNS || target.length > MAX_PATTERN_TEXT) return false;
  const src = words.map((w) => w.map((p) => (p === ANY ? '[^]*?' : escapeRegExp(p.replace(/\s+/g, ' ')))).join('')).join(' ');
  return new RegExp(`^${src.trim()}$`).test(target);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

type Piece = string | typeof ANY;

function process(text: string, lookup: Lookup, escape: string, split: boolean): Word[] {
  const words: Piece[][] = [];
  let cur: Piece[] = [];
  let lit = '';
  let inWord = false;
  const flush = () => {
    if (lit !== '') cur.push(lit);
    lit = '';
  };
  const push = (pieces: readonly Piece[]) => {
    flush();
    cur.push(...pieces);
  };
  const endWord = () => {
    flush();
    if (inWord) words.push(cur);
    cur = [];
    inWord = false;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (split && SPACE.test(c)) {
      endWord();
      i++;
      continue;
    }
    inWord = true;
    if (c === escape) {
      // Outside quotes the escape character makes the next one literal.
      lit += i + 1 < text.length ? text[i + 1] : c;
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      lit += end < 0 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        const d = text[i]!;
        const next = text[i + 1];
        if (d === escape && (next === '"' || next === '$' || next === escape)) {
          lit += next;
          i += 2;
        } else if (d === '$') {
          const v = variable(text, i, lookup, escape);
          push(v.pieces);
          i = v.end;
        } else {
          lit += d;
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      const v = variable(text, i, lookup, escape);
      push(v.pieces);
      i = v.end;
    } else {
      lit += c;
      i++;
    }
  }
  endWord();
  return words;
}

/** The variable reference at `text[at] === '$'`: what it expands to, and where the text goes on. */
function variable(text: string, at: number, lookup: Lookup, escape: string): { pieces: Piece[]; end: number } {
  const next = text[at + 1];
  if (next !== undefined && NAME_CHAR.test(next)) {
    let j = at + 1;
    while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
    return { pieces: valueOf(lookup(text.slice(at + 1, j))), end: j };
  }
  if (next !== '{') return { pieces: ['$'], end: at + 1 };
  const close = matchingBrace(text, at + 1);
  if (close < 0) return { pieces: [ANY], end: text.length };
  const inner = text.slice(at + 2, close);
  const m = /^([A-Za-z0-9_]+)(?:(:?[-+?])([^]*))?$/.exec(inner);
  if (!m) return { pieces: [ANY], end: close + 1 }; // `${a#b}`, `${a/b/c}`…: pattern operators are not evaluated here
  const value = lookup(m[1]!);
  const op = m[2];
  if (op === undefined) return { pieces: valueOf(value), end: close + 1 };
  if (value === undefined) return { pieces: [ANY], end: close + 1 };
  const word = () => [...expandWord(m[3]!, lookup, escape)];
  const set = value !== null;
  const nonEmpty = set && value !== '';
  let pieces: Piece[];
  switch (op) {
    case ':-':
      pieces = nonEmpty ? [value] : word();
      break;
    case '-':
      pieces = set ? [value] : word();
      break;
    case ':+':
      pieces = nonEmpty ? word() : [];
      break;
    case '+':
      pieces = set ? word() : [];
      break;
    default: // `:?` and `?` fail the build when unset: a built image had it set.
      pieces = set ? [value] : [ANY];
  }
  return { pieces, end: close + 1 };
}

function valueOf(v: string | null | undefined): Piece[] {
  if (v === undefined) return [ANY];
  return v === null || v === '' ? [] : [v];
}

/** Index of the `}` closing the `{` at `open`, counting nested braces; -1 when there is none. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}
