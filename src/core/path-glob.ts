import { createRequire } from 'node:module';
import { UsageError } from '../errors/index.js';

/**
 * Globs of the `paths:` rules, matched directory by directory. picomatch's whole-path regular
 * expressions backtrack: `/**\/node_modules/**\/test/**` takes 145 ms against one path 3000
 * `node_modules` deep and a block rule tests each of its 3000 ancestors (the CLI ran for over
 * two minutes), seven `**` against a path 60 directories deep take 23 s, and both the image and
 * `.dive-ci` can come from a pull request. Here the pattern becomes an automaton over segments
 * (split on `/`), run over the path's segments once with the set of live steps: a match costs
 * at most (pattern segments × path segments) segment tests, and nothing is retried.
 *
 * What a segment means is picomatch's: a segment with only literal characters, `*` and `?` is
 * matched by a linear wildcard scan; any other (classes, braces within the segment, extglobs,
 * quotes) by picomatch's regular expression for that one segment, compiled in the same context
 * (after a `/`, before one unless it ends the pattern). `**` spans as many segments as
 * picomatch's expression does where it stands (`/**\/x` needs at least one directory, `/a/**`
 * matches `/a` itself, `/a/*\/**` needs one more directory). A brace holding `/`
 * (`/usr/{lib,share/doc}/**`) is expanded into alternatives. Patterns picomatch answers with
 * a one-step expression (`**`, `**\/*.pem`, `**.pem`) keep that expression: it holds one `**`
 * and cannot backtrack over directories.
 *
 * Hand-written because the whole-path expression is the defect; measured over 1M paths of a
 * generated tree the automaton takes 50-240 ms per glob, picomatch's expression 15-115 ms.
 *
 * Refused, because no segment-by-segment match can give picomatch's answer: a `/` inside
 * `[...]`, `(...)`, quotes or a brace that is not a comma list, and `**` inside braces or
 * parentheses, or joined to a brace or an extglob (where picomatch lets it cross directories).
 */

/** True when an absolute path (`/etc/passwd`) matches. */
export type PathMatcher = (absolutePath: string) => boolean;

/** The most alternatives a glob's braces holding `/` may expand to. */
export const MAX_GLOB_ALTERNATIVES = 256;

type Picomatch = typeof import('picomatch');
let picomatchModule: Picomatch | undefined;
/** picomatch, loaded when the first glob is compiled (a run without `paths:` never loads it). */
const pm = (): Picomatch => (picomatchModule ??= createRequire(import.meta.url)('picomatch') as Picomatch);

const OPTIONS = { dot: true } as const;

/** One piece of a pattern before brace expansion. */
type Token =
  | { readonly t: 'sep' }
  | { readonly t: 'raw'; readonly text: string; readonly inBrace: boolean; readonly atEnd: boolean; readonly endsStar: boolean }
  | { readonly t: 'globstar'; readonly min: 0 | 1; readonly followed: boolean }
  | { readonly t: 'brace'; readonly alts: readonly Token[][] };

/** A pattern segment, compiled. */
type Segment =
  | { readonly kind: 'globstar'; readonly min: 0 | 1; readonly followed: boolean; readonly emptyTail: boolean }
  | { readonly kind: 'literal'; readonly text: string; readonly source: string }
  | { readonly kind: 'wild'; readonly text: string; readonly regex: () => RegExp; readonly final: boolean; readonly source: string }
  | { readonly kind: 'regex'; readonly regex: () => RegExp; readonly final: boolean; readonly source: string };

const refuse = (why: string): never => {
  throw new UsageError(why);
};

/**
 * Splits a pattern into separators, `**` segments, braces that hold a separator (to expand), and
 * raw text (everything else, passed to picomatch as it is), following picomatch's reading of
 * escapes, quotes, classes, parentheses and braces.
 */
function tokenize(p: string): Token[] {
  let i = 0;
  const classEnd = (start: number): number => {
    // picomatch opens a class only when a `]` follows somewhere; `]` right after `[` or `[^`
    // is a member, `[:name:]` is one member, `\x` escapes.
    if (!p.slice(start + 1).includes(']')) return -1;
    let j = start + 1;
    let body = '';
    while (j < p.length) {
      const c = p[j]!;
      if (c === '\\' && j + 1 < p.length) {
        body += c + p[j + 1];
        j += 2;
        continue;
      }
      if (c === '[' && p[j + 1] === ':') {
        const close = p.indexOf(':]', j + 2);
        if (close > 0) {
          body += p.slice(j, close + 2);
          j = close + 2;
          continue;
        }
      }
      if (c === ']' && body !== '' && body !== '^') return j;
      body += c;
      j++;
    }
    return p.length; // unclosed: everything after is taken as class text
  };

  /** Reads tokens until the end, or (inside a brace) a `,` or `}` at this level. */
  const seq = (inBrace: boolean): { tokens: Token[]; stop: string } => {
    const out: Token[] = [];
    let text = '';
    let endsStar = false;
    let parens = 0;
    let quoted = false;
    const flush = (atEnd: boolean) => {
      if (text !== '') out.push({ t: 'raw', text, inBrace, atEnd, endsStar });
      text = '';
      endsStar = false;
    };
    while (i < p.length) {
      const c = p[i]!;
      if (quoted) {
        if (c === '/') refuse('a "/" inside quotes cannot be matched directory by directory');
        if (c === '"') quoted = false;
        text += c;
        i++;
        endsStar = false;
        continue;
      }
      if (c === '\\') {
        if (p[i + 1] === '/') {
          i++; // `\/` is a separator
          continue;
        }
        if (p[i + 1] === '\\' && p[i + 2] === '\\') refuse('runs of three or more backslashes are not supported');
        text += p.slice(i, i + 2);
        i += 2;
        endsStar = false;
        continue;
      }
      if (c === '"') {
        quoted = true;
        text += c;
        i++;
        endsStar = false;
        continue;
      }
      if (c === '[') {
        const end = classEnd(i);
        if (end < 0) {
          text += c;
          i++;
        } else {
          const cls = p.slice(i, end + 1);
          if (cls.includes('/')) refuse('a "/" inside [...] cannot be matched directory by directory');
          text += cls;
          i = end + 1;
        }
        endsStar = false;
        continue;
      }
      if (c === '(') parens++;
      if (c === ')') {
        parens = Math.max(0, parens - 1);
        if (p.startsWith('**', i + 1) && p[i + 3] !== '*') refuse('"**" after ")" would cross directories; write it as its own segment (/**/)');
      }
      if (parens > 0) {
        if (c === '/') refuse('a "/" inside (...) cannot be matched directory by directory; use {a,b/c}');
        if (c === '*' && p[i + 1] === '*') refuse('"**" inside (...) is not supported; write it as its own segment (/**/)');
        text += c;
        i++;
        endsStar = false;
        continue;
      }
      if (inBrace && (c === ',' || c === '}')) {
        flush(false);
        return { tokens: out, stop: c };
      }
      if (c === '{') {
        flush(false);
        i++;
        const open = i - 1;
        const alts: Token[][] = [];
        let closed = false;
        let stop = '';
        do {
          const r = seq(true);
          alts.push(r.tokens);
          stop = r.stop;
          if (stop === '}') closed = true;
          if (stop !== '') i++;
        } while (stop === ',');
        const hasSep = alts.some((a) => a.some((t) => t.t === 'sep' || t.t === 'brace'));
        if (hasSep) {
          if (!closed || alts.length < 2) refuse('a "/" inside a brace that is not a list ({a,b/c}) cannot be matched directory by directory');
          if (p.slice(open, i).includes('..')) refuse('a "/" inside a brace range cannot be matched directory by directory');
          out.push({ t: 'brace', alts });
        } else {
          text += p.slice(open, i);
          endsStar = false;
        }
        continue;
      }
      if (c === '/') {
        flush(false);
        out.push({ t: 'sep' });
        i++;
        continue;
      }
      if (c === '*') {
        let n = 1;
        while (p[i + n] === '*') n++;
        const next = p[i + n];
        const alone = n === 2 && (text === '' && (out.length === 0 || out.at(-1)!.t === 'sep')) && (next === undefined || next === '/');
        if (inBrace && n === 2) refuse('"**" inside braces is not supported; write it as its own segment (/**/)');
        if (alone) {
          out.push({ t: 'globstar', min: 0, followed: false });
          i += 2;
          continue;
        }
        if (n === 2 && (next === '{' || next === '(' || (next !== undefined && '!@+?*'.includes(next) && p[i + n + 1] === '('))) {
          refuse('"**" joined to a brace or an extglob would cross directories; write it as its own segment (/**/)');
        }
        text += p.slice(i, i + n);
        i += n;
        endsStar = true;
        continue;
      }
      text += c;
      i++;
      endsStar = false;
    }
    flush(!inBrace);
    return { tokens: out, stop: '' };
  };
  const { tokens } = seq(false);
  return tokens;
}

/**
 * How many directories each `**` must span, as picomatch decides it from where it stands
 * (parse.js, "globstar"): consecutive `/**` collapse into one; at the start (`**\/x`) any number,
 * the root's empty segment included; right after the root (`/**\/x`) at least one unless it
 * ends the pattern; at the end after a segment ending in `*` (`/a*\/**`) at least one;
 * anywhere else any number.
 */
function placeGlobstars(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    // `/**/**` is `/**`
    if (t.t === 'globstar' && out.at(-1)?.t === 'sep' && out.at(-2)?.t === 'globstar') {
      out.pop();
      continue;
    }
    out.push(t);
  }
  return out.map((t, k): Token => {
    if (t.t !== 'globstar') return t;
    const atEnd = k === out.length - 1;
    const before = out[k - 2];
    const afterStar = before?.t === 'raw' && before.endsStar;
    const min = k === 0 ? 0 : k === 1 && out[0]!.t === 'sep' ? (atEnd ? 0 : 1) : atEnd && afterStar ? 1 : 0;
    return { t: 'globstar', min, followed: k + 2 < out.length };
  });
}

/** Every alternative of the braces that hold a separator, as token lists without braces. */
function expand(tokens: readonly Token[]): Token[][] {
  let alts: Token[][] = [[]];
  for (const t of tokens) {
    if (t.t !== 'brace') {
      for (const a of alts) a.push(t);
      continue;
    }
    const inner = t.alts.flatMap((a) => expand(a));
    const next: Token[][] = [];
    for (const a of alts) {
      for (const b of inner) {
        next.push([...a, ...b]);
        if (next.length > MAX_GLOB_ALTERNATIVES) refuse(`its braces expand to more than ${MAX_GLOB_ALTERNATIVES} alternatives`);
      }
    }
    alts = next;
  }
  return alts;
}

// Characters that make a segment more than literal text, `*` and `?` for picomatch.
const SPECIAL = /[[\]{}()!+@"\\|$^,]/;

/** The segments of one alternative (split at every separator), compiled. */
function segments(tokens: readonly Token[]): Segment[] {
  const groups: Exclude<Token, { t: 'sep' }>[][] = [[]];
  for (const t of tokens) {
    if (t.t === 'sep') groups.push([]);
    else groups.at(-1)!.push(t);
  }
  const out = groups.map((g): Segment => {
    const first = g[0];
    if (first?.t === 'globstar') return { kind: 'globstar', min: first.min, followed: first.followed, emptyTail: false };
    const pieces = g as Extract<Token, { t: 'raw' }>[];
    const text = pieces.map((x) => x.text).join('');
    const final = pieces.length > 0 && pieces.at(-1)!.atEnd;
    const braced = pieces.some((x) => x.inBrace);
    // Compiled as picomatch reads it in the whole pattern: after a `/`, before one unless it
    // ends the pattern, and a piece that came from inside a brace inside a brace again
    // (`{piece,\/}`, whose second alternative never matches within a segment), since
    // picomatch reads `.` and `*` differently there.
    const source = `/${pieces.map((x) => (x.inBrace ? `{${x.text},\\/}` : x.text)).join('')}`;
    let re: RegExp | undefined;
    const regex = () => (re ??= pm().makeRe(final ? source : `${source}/`, { ...OPTIONS, fastpaths: false }));
    if (!braced && !SPECIAL.test(text) && !/[*?]/.test(text)) return { kind: 'literal', text, source };
    if (!braced && !SPECIAL.test(text)) return { kind: 'wild', text, regex, final, source };
    return { kind: 'regex', regex, final, source };
  });
  // picomatch writes a `**` between two segments as `(?:/…/|/|$)`: with the path at its end, a
  // rest that can match nothing (`?(a)`, or `?(a)/**`) matches there too.
  for (let k = 1; k < out.length - 1; k++) {
    const g = out[k]!;
    const rest = out.slice(k + 1);
    const afterRoot = k === 1 && out[0]!.kind === 'literal' && out[0]!.text === '';
    const next = rest[0]!;
    if (g.kind !== 'globstar' || !g.followed || afterRoot || next.kind === 'globstar') continue;
    const tail = rest[1];
    if (rest.length === 1 || (rest.length === 2 && tail!.kind === 'globstar' && tail!.min === 0)) {
      out[k] = { ...g, emptyTail: pm().makeRe(next.source, { ...OPTIONS, fastpaths: false }).test('/') };
    }
  }
  return out;
}

/**
 * `*` any run, `?` one UTF-16 unit (as picomatch's `[^/]`), anything else itself: the classic
 * scan that returns to the last `*`, O(pattern × segment) at worst. Used for segments that are
 * not '', '.' or '..' (where picomatch adds its dot rules).
 */
function wildMatch(pat: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    const c = pat.charCodeAt(p);
    if (p < pat.length && c !== 42 && (c === 63 || c === s.charCodeAt(i))) {
      p++;
      i++;
    } else if (p < pat.length && c === 42) {
      star = p++;
      mark = i;
    } else if (star >= 0) {
      p = star + 1;
      i = ++mark;
    } else return false;
  }
  while (p < pat.length && pat.charCodeAt(p) === 42) p++;
  return p === pat.length;
}

/** One step of the segment automaton. */
type Step =
  /** Where a `**` starts; moves on to its loop and past it without a segment. `emptyTail`: accepts where the path ends. */
  | { readonly op: 'star'; readonly emptyTail: boolean }
  /** A `**` taking one more segment but '.' and '..'. */
  | { readonly op: 'loop' }
  /** Any one segment but '.' and '..' (the directory a `**` must span at least). */
  | { readonly op: 'one' }
  | { readonly op: 'seg'; readonly seg: Exclude<Segment, { kind: 'globstar' }> }
  | { readonly op: 'end' };

/** The alternatives as one automaton: their steps one after the other, each closed by `end`. */
function program(alternatives: readonly Segment[][]): { steps: Step[]; starts: number[] } {
  const steps: Step[] = [];
  const starts: number[] = [];
  for (const alt of alternatives) {
    starts.push(steps.length);
    for (const seg of alt) {
      if (seg.kind !== 'globstar') steps.push({ op: 'seg', seg });
      else {
        if (seg.min === 1) steps.push({ op: 'one' });
        steps.push({ op: 'star', emptyTail: seg.emptyTail }, { op: 'loop' });
      }
    }
    steps.push({ op: 'end' });
  }
  return { steps, starts };
}

const OP_STAR = 0;
const OP_LOOP = 1;
const OP_ONE = 2;
const OP_LITERAL = 3;
const OP_TEST = 4;
const OP_END = 5;

/** The automaton's steps as flat tables (one shape for the hot loops). */
type Tables = {
  readonly op: Uint8Array;
  readonly literal: readonly string[];
  readonly segs: readonly (Exclude<Segment, { kind: 'globstar' }> | undefined)[];
};

function tables(steps: readonly Step[]): Tables {
  const op = new Uint8Array(steps.length);
  const literal: string[] = [];
  const segs: (Exclude<Segment, { kind: 'globstar' }> | undefined)[] = [];
  steps.forEach((s, i) => {
    literal.push(s.op === 'seg' && s.seg.kind === 'literal' ? s.seg.text : '');
    segs.push(s.op === 'seg' ? s.seg : undefined);
    op[i] = s.op === 'star' ? OP_STAR : s.op === 'loop' ? OP_LOOP : s.op === 'one' ? OP_ONE : s.op === 'end' ? OP_END : s.seg.kind === 'literal' ? OP_LITERAL : OP_TEST;
  });
  return { op, literal, segs };
}

/**
 * Runs the automaton over the path's segments, keeping the set of live steps (a Thompson
 * simulation: each segment is tested at most once per step, nothing is ever retried), as one
 * 31-bit mask. Two shortcuts: a path that lacks a literal segment every alternative needs is
 * refused without a walk, and once only a closing `**` is left the rest is not walked.
 */
function simulateSmall(steps: readonly Step[], starts: readonly number[], required: readonly string[]): PathMatcher {
  const n = steps.length;
  const { op, literal, segs } = tables(steps);
  const closure = new Int32Array(n);
  let accepts = 0;
  let rest = 0; // loops of a `**` that ends the pattern
  for (let i = n - 1; i >= 0; i--) {
    closure[i] = (1 << i) | (op[i] === OP_STAR || op[i] === OP_LOOP ? closure[i + 1]! : 0);
    const s = steps[i]!;
    if (s.op === 'end' || (s.op === 'star' && s.emptyTail)) accepts |= 1 << i;
    if (op[i] === OP_LOOP && op[i + 1] === OP_END) rest |= 1 << i;
  }
  let start = 0;
  for (const s of starts) start |= closure[s]!;
  return (path) => {
    if (required.length > 0) {
      let found = false;
      for (let k = 0; k < required.length && !found; k++) found = path.includes(required[k]!);
      if (!found) return false;
    }
    let cur = start;
    let from = 0;
    for (;;) {
      let to = path.indexOf('/', from);
      if (to < 0) to = path.length;
      const len = to - from;
      const dots = (len === 1 || len === 2) && path.charCodeAt(from) === 46 && (len === 1 || path.charCodeAt(from + 1) === 46);
      let text: string | undefined;
      let next = 0;
      for (let bits = cur; bits !== 0; bits &= bits - 1) {
        const i = 31 - Math.clz32(bits & -bits);
        switch (op[i]) {
          case OP_LOOP:
            if (!dots) next |= closure[i]!;
            break;
          case OP_ONE:
            if (!dots) next |= closure[i + 1]!;
            break;
          case OP_LITERAL:
            if (literal[i]!.length === len && path.startsWith(literal[i]!, from)) next |= closure[i + 1]!;
            break;
          case OP_TEST:
            if (testSegment(segs[i]!, (text ??= path.slice(from, to)))) next |= closure[i + 1]!;
            break;
        }
      }
      cur = next;
      if (cur === 0) return false;
      if (to === path.length) return (cur & accepts) !== 0;
      // a closing `**` takes the rest when no '.' or '..' segment is in it
      if ((cur & rest) !== 0 && path.indexOf('/.', to) < 0) return true;
      from = to + 1;
    }
  };
}

/** `simulateSmall` for automata of more than 31 steps: the set in words of 30. */
function simulate(steps: readonly Step[], starts: readonly number[]): PathMatcher {
  const n = steps.length;
  const words = Math.ceil(n / 30);
  const { op, literal, segs } = tables(steps);
  const accepts = new Int32Array(words);
  steps.forEach((s, i) => {
    if (s.op === 'end' || (s.op === 'star' && s.emptyTail)) accepts[(i / 30) | 0]! |= 1 << i % 30;
  });
  // closure[i * words + w]: i and every step reachable from it without taking a segment
  const closure = new Int32Array(n * words);
  for (let i = n - 1; i >= 0; i--) {
    closure[i * words + ((i / 30) | 0)]! |= 1 << i % 30;
    if (op[i] === OP_STAR || op[i] === OP_LOOP) for (let w = 0; w < words; w++) closure[i * words + w]! |= closure[(i + 1) * words + w]!;
  }
  const start = new Int32Array(words);
  for (const s of starts) for (let w = 0; w < words; w++) start[w]! |= closure[s * words + w]!;
  let cur = new Int32Array(words);
  let next = new Int32Array(words);
  return (path) => {
    cur.set(start);
    let from = 0;
    for (;;) {
      let to = path.indexOf('/', from);
      if (to < 0) to = path.length;
      const len = to - from;
      const dots = (len === 1 || len === 2) && path.charCodeAt(from) === 46 && (len === 1 || path.charCodeAt(from + 1) === 46);
      let text: string | undefined;
      next.fill(0);
      let live = 0;
      for (let w = 0; w < words; w++) {
        for (let bits = cur[w]!; bits !== 0; bits &= bits - 1) {
          const i = w * 30 + 31 - Math.clz32(bits & -bits);
          let target = -1;
          switch (op[i]) {
            case OP_LOOP:
              if (!dots) target = i;
              break;
            case OP_ONE:
              if (!dots) target = i + 1;
              break;
            case OP_LITERAL:
              if (literal[i]!.length === len && path.startsWith(literal[i]!, from)) target = i + 1;
              break;
            case OP_TEST:
              if (testSegment(segs[i]!, (text ??= path.slice(from, to)))) target = i + 1;
              break;
          }
          if (target >= 0) {
            for (let v = 0; v < words; v++) next[v]! |= closure[target * words + v]!;
            live = 1;
          }
        }
      }
      const t = cur;
      cur = next;
      next = t;
      if (live === 0) return false;
      if (to === path.length) break;
      from = to + 1;
    }
    for (let w = 0; w < words; w++) if ((cur[w]! & accepts[w]!) !== 0) return true;
    return false;
  };
}

const dotName = (s: string) => s === '' || s === '.' || s === '..';

function testSegment(seg: Exclude<Segment, { kind: 'globstar' }>, s: string): boolean {
  if (seg.kind === 'literal') return seg.text === s;
  if (seg.kind === 'wild' && !dotName(s)) return wildMatch(seg.text, s);
  return seg.regex().test(seg.final ? `/${s}` : `/${s}/`);
}

// picomatch's whole-pattern replacements, then the patterns it compiles by its fast path.
const REPLACEMENTS: Readonly<Record<string, string>> = { '***': '*', '**/**': '**', '**/**/**': '**' };
const FAST = /^(?:\*|\*\*(?:\/\*|\/\*\.\*|\/\.\*)?(?:\.\w+)*)$/;

/**
 * Compiles a `paths:` glob (picomatch syntax, `dot: true`, matched against absolute paths) into
 * a matcher that costs at most (pattern segments × path segments) segment tests.
 *
 * @throws UsageError (its reason a clause: `a "/" inside [...] cannot be matched directory by
 * directory`) for the constructs that cannot be matched segment by segment.
 */
export function compilePathGlob(pattern: string): PathMatcher {
  if (FAST.test(REPLACEMENTS[pattern] ?? pattern)) {
    const re = pm().makeRe(pattern, OPTIONS);
    return (p) => re.test(p);
  }
  const alternatives = expand(placeGlobstars(tokenize(pattern))).map(segments);
  const { steps, starts } = program(alternatives);
  // `/name` for one literal segment of each alternative (its longest), when every alternative has one
  const needs = alternatives.map((a) => a.reduce((best, x) => (x.kind === 'literal' && x.text.length > best.length ? x.text : best), ''));
  const required = needs.every((x) => x !== '') ? [...new Set(needs.map((x) => `/${x}`))] : [];
  const run = steps.length <= 31 ? simulateSmall(steps, starts, required) : simulate(steps, starts);
  // The root is the one path with an empty last segment, where what picomatch reads beyond a
  // segment differs; its expression answers it (one character: nothing to backtrack over).
  let whole: RegExp | undefined;
  return (p) => (p === '/' ? (whole ??= pm().makeRe(pattern, OPTIONS)).test(p) : run(p));
}
