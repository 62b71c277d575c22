import type { createLowlight } from 'lowlight';
import { sanitize } from '../format/index.js';
import { LANGUAGES, languageNamed } from './highlight-languages.js';
import { seg, type Segment, type Style } from './segments.js';

/** A window of a file's body as the reader hands it over (see `readWindow`). */
export type LoadedWindow = {
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** The body's full size. */
  readonly size: number;
  /** Newlines before `offset`. */
  readonly linesBefore: number;
};

/** One displayed line: where it starts in the body, and its text, highlighted, sanitized and with tabs expanded. */
export type TextLine = { readonly start: number; readonly segments: readonly Segment[] };

/**
 * The whole lines of one window of a text file. A window that does not start the file drops
 * everything up to its first newline (that line belongs to the window before), and one that
 * does not reach the end drops the tail after its last newline.
 */
export type TextWindow = {
  readonly offset: number;
  /** Absolute index (0-based) of `lines[0]`. */
  readonly firstLine: number;
  readonly lines: readonly TextLine[];
  /** The window reaches the end of the file: its last line is the file's last. */
  readonly eof: boolean;
  /** Byte offset just past the last whole line: where the next window's first line starts. */
  readonly end: number;
  /** The window's bytes as read (searched, and mapped to columns, byte for byte). */
  readonly raw: Uint8Array;
};

/** Longest line part shown (a minified file's line is cut here; the pane cuts it again). */
const MAX_LINE_CHARS = 2000;
const TAB = 8;

/**
 * The highlighter, loaded the first time a file is viewed, and each language the first time a
 * file in it is: highlight.js with its common languages was ~140 ms of module loading on its
 * own, and every start of the inspector paid for it (its modules loaded in 925 ms with it,
 * 850 ms without; medians of 3). The package's bundle keeps the engine and every grammar in
 * chunks of their own (see `LANGUAGES`).
 */
let lowlight: ReturnType<typeof createLowlight> | undefined;
let engine: Promise<ReturnType<typeof createLowlight>> | undefined;
const grammars = new Map<string, Promise<void>>();

/**
 * Loads the highlighter's engine and `language` (a name `languageFor` gave) with the languages
 * it embeds, each once. Until then text is shown plain; a grammar that cannot be loaded leaves
 * its files plain. Never rejects.
 */
export function loadHighlighter(language?: string): Promise<void> {
  engine ??= import('./lowlight-core.js').then((m) => (lowlight = m.createLowlight()));
  if (language === undefined) return engine.then(noop, noop);
  // Each grammar registers on its own; a language waits for every grammar it embeds, however
  // deep (the embeddings have cycles: xml embeds javascript, which embeds xml).
  const register = (name: string): Promise<void> => {
    let p = grammars.get(name);
    if (!p) {
      p = Promise.all([engine!, LANGUAGES[name]!.load()]).then(([ll, grammar]) => {
        if (!ll.registered(name)) ll.register(name, grammar.default);
      }, noop);
      grammars.set(name, p);
    }
    return p;
  };
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name) || !LANGUAGES[name]) return;
    needed.add(name);
    for (const u of LANGUAGES[name]!.uses ?? []) visit(u);
  };
  visit(language);
  return Promise.all([...needed].map(register)).then(noop);
}

const noop = () => undefined;

const BY_NAME: Record<string, string> = {
  dockerfile: 'bash',
  containerfile: 'bash',
  makefile: 'makefile',
  gnumakefile: 'makefile',
  '.bashrc': 'bash',
  '.profile': 'bash',
  '.bash_profile': 'bash',
};

/** The language of a file name (extension or well-known name) as `LANGUAGES` names it, or undefined: plain text. */
export function languageFor(path: string): string | undefined {
  const name = (path.split('/').pop() ?? '').toLowerCase();
  if (BY_NAME[name]) return BY_NAME[name];
  const dot = name.lastIndexOf('.');
  if (dot <= 0 && !name.startsWith('.')) return undefined;
  const ext = name.slice(dot + 1);
  if (ext === '' || ext === 'txt') return undefined;
  return languageNamed(ext);
}

/** hljs scopes → the few semantic styles the theme colours. */
function styleOf(classes: readonly string[]): Style | undefined {
  for (const c of classes) {
    const k = c.replace(/^hljs-/, '');
    switch (k) {
      case 'keyword':
      case 'built_in':
      case 'type':
      case 'literal':
      case 'selector-tag':
        return 'code-keyword';
      case 'string':
      case 'regexp':
      case 'char':
      case 'template-string':
      case 'symbol':
        return 'code-string';
      case 'comment':
      case 'quote':
        return 'code-comment';
      case 'number':
        return 'code-number';
      case 'title':
      case 'function':
      case 'section':
      case 'attr':
      case 'attribute':
      case 'property':
      case 'variable':
      case 'name':
        return 'code-name';
      case 'meta':
      case 'doctag':
      case 'tag':
        return 'code-meta';
    }
  }
  return undefined;
}

type HastNode = { type: string; value?: string; properties?: { className?: unknown }; children?: HastNode[] };

/** Splits a highlighted tree into lines of styled runs (the innermost class that maps wins). */
function hastLines(root: HastNode): { text: string; style?: Style }[][] {
  const lines: { text: string; style?: Style }[][] = [[]];
  const walk = (n: HastNode, style: Style | undefined) => {
    if (n.type === 'text') {
      const parts = (n.value ?? '').split('\n');
      parts.forEach((p, i) => {
        if (i > 0) lines.push([]);
        if (p) lines[lines.length - 1]!.push(style ? { text: p, style } : { text: p });
      });
      return;
    }
    const cls = Array.isArray(n.properties?.className) ? (n.properties!.className as string[]) : [];
    const own = cls.length ? (styleOf(cls) ?? style) : style;
    for (const c of n.children ?? []) walk(c, own);
  };
  walk(root, undefined);
  return lines;
}

// Line and paragraph separators and bidirectional overrides reorder or break what follows.
const INVISIBLE = /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Expands tabs to 8-column stops and makes every character safe for the terminal. */
export function cleanRuns(runs: readonly { text: string; style?: Style }[]): Segment[] {
  let col = 0;
  const out: Segment[] = [];
  for (const r of runs) {
    let t = '';
    for (const ch of r.text) {
      if (ch === '\t') {
        const n = TAB - (col % TAB);
        t += ' '.repeat(n);
        col += n;
      } else {
        t += ch;
        col++;
      }
    }
    if (t) out.push(seg(sanitize(t).replace(INVISIBLE, '?'), r.style));
  }
  return out;
}

const decoder = new TextDecoder('utf-8');

/** True when a file's first window looks binary: a NUL byte, or bytes that are not UTF-8 (a sequence cut by the window's end excepted). */
export function looksBinary(bytes: Uint8Array, complete: boolean): boolean {
  if (bytes.includes(0)) return true;
  const strict = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut <= (complete ? 0 : 3) && cut <= bytes.length; cut++) {
    try {
      strict.decode(bytes.subarray(0, bytes.length - cut));
      return false;
    } catch {
      // try without a cut multi-byte sequence at the end
    }
  }
  return true;
}

/** Splits a window into whole lines, highlighted as `language` (plain when undefined). */
export function indexTextWindow(w: LoadedWindow, language: string | undefined): TextWindow {
  const b = w.bytes;
  const eof = w.offset + b.length >= w.size;
  let from = 0;
  let firstLine = w.linesBefore;
  if (w.offset > 0) {
    const nl = b.indexOf(10);
    if (nl >= 0 && (nl < b.length - 1 || eof)) {
      from = nl + 1;
      firstLine = w.linesBefore + 1;
    }
  }
  let to = b.length;
  if (!eof) {
    const last = b.lastIndexOf(10);
    if (last >= from) to = last + 1;
  }
  const starts: number[] = [];
  const texts: string[] = [];
  let at = from;
  while (at < to) {
    let nl = b.indexOf(10, at);
    if (nl < 0 || nl >= to) nl = to;
    starts.push(w.offset + at);
    let t = decoder.decode(b.subarray(at, nl));
    if (t.endsWith('\r')) t = t.slice(0, -1);
    texts.push(t.length > MAX_LINE_CHARS ? t.slice(0, MAX_LINE_CHARS) : t);
    at = nl + 1;
  }
  if (starts.length === 0 && eof && w.offset === 0) {
    starts.push(0);
    texts.push('');
  }
  let runs: { text: string; style?: Style }[][];
  if (language && lowlight?.registered(language)) {
    try {
      runs = hastLines(lowlight.highlight(language, texts.join('\n')) as unknown as HastNode);
    } catch {
      runs = texts.map((t) => [{ text: t }]);
    }
  } else runs = texts.map((t) => [{ text: t }]);
  const lines: TextLine[] = starts.map((start, i) => ({ start, segments: cleanRuns(runs[i] ?? []) }));
  return { offset: w.offset, firstLine, lines, eof, end: w.offset + to, raw: b };
}

/** The index (in `t.lines`) of the line holding byte `at` of the file: the last one starting at or before it. */
export function lineIndexAt(t: TextWindow, at: number): number {
  let lo = 0;
  let hi = t.lines.length - 1;
  let out = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t.lines[mid]!.start <= at) {
      out = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return out;
}

/**
 * The columns bytes `[at, at + length)` of the file take on their line as drawn (tabs expanded
 * as `cleanRuns` expands them, one column per character), or undefined past what is drawn.
 */
export function columnsOf(t: TextWindow, at: number, length: number): { readonly from: number; readonly to: number } | undefined {
  const line = t.lines[lineIndexAt(t, at)];
  if (!line || at < line.start) return undefined;
  const col = (s: string) => {
    let c = 0;
    for (const ch of s) c += ch === '\t' ? TAB - (c % TAB) : 1;
    return c;
  };
  const rel = line.start - t.offset;
  const head = decoder.decode(t.raw.subarray(rel, at - t.offset));
  const upto = decoder.decode(t.raw.subarray(rel, at - t.offset + length));
  if (head.length > MAX_LINE_CHARS) return undefined;
  return { from: col(head), to: Math.max(col(head) + 1, col(upto)) };
}

/** Segments with columns `[from, to)` (characters) drawn in `style`, the rest as they were. */
export function markColumns(segments: readonly Segment[], from: number, to: number, style: Style): Segment[] {
  const out: Segment[] = [];
  let c = 0;
  for (const sg of segments) {
    const chars = [...sg.text];
    const end = c + chars.length;
    if (end <= from || c >= to) out.push(sg);
    else {
      const a = Math.max(0, from - c);
      const b = Math.min(chars.length, to - c);
      if (a > 0) out.push(seg(chars.slice(0, a).join(''), sg.style));
      out.push(seg(chars.slice(a, b).join(''), style));
      if (b < chars.length) out.push(seg(chars.slice(b).join(''), sg.style));
    }
    c = end;
  }
  return out;
}

/**
 * One hex dump row as segments: the offset (gutter), the bytes in hex and their ASCII, the
 * bytes of `[mark.at, mark.at + mark.length)` of the file drawn as a match in both columns.
 */
export function hexRowSegments(offset: number, bytes: Uint8Array, offsetDigits: number, mark?: { readonly at: number; readonly length: number }): Segment[] {
  const marked = (i: number) => mark !== undefined && offset + i >= mark.at && offset + i < mark.at + mark.length;
  const out: Segment[] = [seg(offset.toString(16).padStart(offsetDigits, '0'), 'gutter'), seg('  ')];
  const hex: Segment[] = [];
  const ascii: Segment[] = [];
  for (let i = 0; i < 16; i++) {
    if (i === 8) hex.push(seg(' '));
    if (i < bytes.length) {
      const v = bytes[i]!;
      const style = marked(i) ? 'match' : undefined;
      // The space after a byte is marked too when the next byte is: a match reads as one run.
      hex.push(seg(v.toString(16).padStart(2, '0'), style), seg(' ', style && i < 15 && i !== 7 && marked(i + 1) ? style : undefined));
      ascii.push(seg(v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.', style));
    } else hex.push(seg('   '));
  }
  return [...out, ...hex, seg(' |'), ...ascii, seg('|')];
}

/** One hex dump row: offset, 16 bytes in hex (two groups of 8), and their printable ASCII. */
export function hexRow(offset: number, bytes: Uint8Array, offsetDigits: number): string {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < 16; i++) {
    if (i === 8) hex += ' ';
    if (i < bytes.length) {
      const v = bytes[i]!;
      hex += `${v.toString(16).padStart(2, '0')} `;
      ascii += v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.';
    } else hex += '   ';
  }
  return `${offset.toString(16).padStart(offsetDigits, '0')}  ${hex} |${ascii}|`;
}
