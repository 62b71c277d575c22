import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors/index.js';

/**
 * Command-line options as data: each command lists its options in a table of `OptionSpec`, and
 * the parser, the help and (later) shell completions are all made from that table, so they
 * cannot disagree.
 */

/** What an option's value (or an operand) is, for a completion to offer the right words. */
export type ValueKind =
  /** A path to a file (`-` may mean stdin or stdout where the description says so). */
  | 'file'
  | 'directory'
  /** An image argument: a transport prefix, then a file, a directory or a name. */
  | 'image'
  /** `--report`'s FORMAT[=FILE]: a report format, then a file. */
  | 'report'
  /** One of `choices`. */
  | 'choice'
  /** `os/arch[/variant]`. */
  | 'platform'
  /** A size with a unit (20MB, 1.5GiB) or bytes. */
  | 'size'
  /** A number (a fraction for the efficiency rules, a count of layers). */
  | 'number'
  /** A size (20MB) or a fraction (0.05): a growth limit of `diff`. */
  | 'limit'
  /** A command name of this table (`help diff`). */
  | 'command'
  /** Anything else (a user name, a namespace). */
  | 'text';

/** One row of an option table: what the parser accepts and the help and a completion show. */
export type OptionSpec = {
  /** The long name without `--`: `json`, `ci-config`, `lowestEfficiency`. */
  readonly name: string;
  /** A one-letter alias without `-`. */
  readonly alias?: string;
  /** The value the option takes; absent for a switch. */
  readonly value?: { readonly label: string; readonly kind: ValueKind; readonly choices?: readonly string[] };
  /** May be given more than once (each value is kept, in order). */
  readonly repeatable?: boolean;
  /** One line for the help. */
  readonly description: string;
  /** Accepted but not listed (another spelling of a listed option). */
  readonly hidden?: boolean;
};

/** An operand (positional argument) as the help shows it and a completion offers it; `choices` with the kind `choice`. */
export type OperandSpec = { readonly label: string; readonly kind: ValueKind; readonly repeatable?: boolean; readonly choices?: readonly string[] };

/** Parsed values by option name: a string (or list) for an option with a value, true for a switch given. */
export type OptionValues = {
  readonly [name: string]: string | boolean | readonly string[] | undefined;
};

/** What `parseOptions` returns: the values by option name, and the operands in order. */
export type Parsed = { readonly values: OptionValues; readonly operands: readonly string[] };

/**
 * Parses `argv` against `specs` (strict: an unknown option is an error) and checks every value
 * with `choices`. Errors are one UsageError line; `prefix` starts it (`init: `), `hint` ends it.
 * An unknown option is named with the nearest option of the table, when one is near
 * (`unknown option --jsn; did you mean --json?`).
 */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], prefix: string, hint: string): Parsed {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const s of specs) {
    options[s.name] = { type: s.value ? 'string' : 'boolean', ...(s.alias ? { short: s.alias } : {}), ...(s.repeatable ? { multiple: true } : {}) };
  }
  // A first, lenient pass finds what the strict one would only describe in prose: the word that
  // is no option of the table, an option without its value, a switch given one.
  const { tokens } = parseArgs({ args: [...argv], allowPositionals: true, strict: false, tokens: true, options });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = specs.find((s) => s.name === t.name || s.alias === t.name);
    const word = argv[t.index] ?? t.rawName;
    if (!spec) {
      const near = suggestOption(word, specs);
      throw new UsageError(`${prefix}unknown option ${t.rawName}${near ? `; did you mean ${near}?` : ''} (${hint})`, { subject: t.rawName, reason: 'unknown option' });
    }
    if (spec.value && t.value === undefined) throw new UsageError(`${prefix}${t.rawName} needs a value: ${spec.value.label} (${hint})`, { subject: t.rawName, reason: 'missing value' });
    if (!spec.value && t.inlineValue) throw new UsageError(`${prefix}${t.rawName} takes no value (${hint})`, { subject: t.rawName, reason: 'takes no value' });
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError(`${prefix}${(e as Error).message.split('\n')[0]} (${hint})`, { cause: e });
  }
  const values = parsed.values as OptionValues;
  for (const s of specs) {
    const choices = s.value?.choices;
    const v = values[s.name];
    if (!choices || v === undefined) continue;
    for (const one of typeof v === 'string' ? [v] : (v as readonly string[])) {
      if (!choices.includes(one)) throw new UsageError(`${prefix}--${s.name} "${one}" is not one of ${choices.join(', ')}`, { subject: `--${s.name}`, reason: 'not one of the choices' });
    }
  }
  return { values, operands: parsed.positionals };
}

/**
 * Edit distance with transpositions (optimal string alignment): insertions, deletions,
 * substitutions and swaps of two neighbours each cost 1. Written here rather than taken from a
 * package: it runs once per unknown option over a table of at most a few dozen short names.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The listed option nearest to an unknown word, written `--name`, or undefined when none is near:
 * case is ignored (`--lowestefficiency`), one dash is forgiven (`-json`), a unique prefix
 * counts (`--json-f`), and otherwise the edit distance must be at most a third of the word
 * (at least 1, at most 3). Ties go to the option listed first.
 */
export function suggestOption(word: string, specs: readonly OptionSpec[]): string | undefined {
  const typed = word.replace(/^-+/, '').split('=')[0]!.toLowerCase();
  if (typed.length < 2) return undefined;
  const names = specs.filter((s) => !s.hidden).map((s) => s.name);
  const exact = names.find((n) => n.toLowerCase() === typed);
  if (exact) return `--${exact}`;
  const prefixed = names.filter((n) => n.toLowerCase().startsWith(typed));
  if (prefixed.length === 1) return `--${prefixed[0]}`;
  let best: { name: string; d: number } | undefined;
  for (const n of names) {
    const d = editDistance(typed, n.toLowerCase());
    if (!best || d < best.d) best = { name: n, d };
  }
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  return best && best.d <= limit ? `--${best.name}` : undefined;
}

/** The string value of an option with a value (the last one given), or undefined. */
export function stringOf(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable option, in order. */
export function listOf(values: OptionValues, name: string): readonly string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** True when a switch was given. */
export function flagOf(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

const WIDTH = 100;
const LEFT = 34;

/** Wraps `text` to lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** Two columns: a term at two spaces' indent, its description beside it (below it when the term is long), wrapped. */
export function formatRows(rows: readonly (readonly [string, string])[]): string {
  const out: string[] = [];
  for (const [term, description] of rows) {
    const body = wrap(description, WIDTH - LEFT - 2);
    const head = `  ${term}`;
    if (head.length < LEFT) out.push(`${head.padEnd(LEFT)}  ${body[0]}`);
    else out.push(head, `${' '.repeat(LEFT)}  ${body[0]}`);
    for (const more of body.slice(1)) out.push(`${' '.repeat(LEFT)}  ${more}`);
  }
  return `${out.join('\n')}\n`;
}

/** How an option is written in the help: `-h, --help`, `--json FILE`, `--theme dark|light|high-contrast`. */
export function optionTerm(s: OptionSpec): string {
  const long = `--${s.name}`;
  const value = s.value ? ` ${s.value.choices ? s.value.choices.join('|') : s.value.label}` : '';
  return `${s.alias ? `-${s.alias}, ` : ''}${long}${value}`;
}

/** The option table as help lines (hidden options left out). */
export function formatOptions(specs: readonly OptionSpec[]): string {
  return formatRows(specs.filter((s) => !s.hidden).map((s) => [optionTerm(s), s.description + (s.repeatable ? ' (repeatable)' : '')]));
}
