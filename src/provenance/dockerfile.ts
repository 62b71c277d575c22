import { DockerfileParser, type Instruction } from 'dockerfile-ast';

/**
 * A Dockerfile as a builder reads it, from the maintained parser `dockerfile-ast` (which gives
 * instructions, line ranges, heredocs and the escape directive): stages, and for each
 * instruction its lines and its text with continuations joined the way BuildKit's parser joins
 * them (buildah, kaniko and Docker's legacy builder use the same parser): the escape character
 * at the end of a line and the line break are removed, comment and empty lines inside a
 * continuation are dropped.
 */

/** One instruction: where it is, and its text as a builder records it. */
export type DockerfileInstruction = {
  /** Upper-case keyword. */
  readonly keyword: string;
  /** 1-based, inclusive: the keyword's line and the last line (continuation or heredoc terminator). */
  readonly line: number;
  readonly endLine: number;
  /** The logical line, keyword included, as written (white space kept); heredoc bodies are not part of it. */
  readonly logical: string;
  /** Leading `--flag[=value]` words (RUN, COPY, ADD, FROM, HEALTHCHECK). */
  readonly flags: readonly string[];
  /** The arguments after the keyword and the flags, on one logical line. */
  readonly args: string;
  /** The heredocs, in order: name and body (the lines between the marker and the terminator, each with its line break). */
  readonly heredocs: readonly { readonly name: string; readonly body: string }[];
  /** The heredoc lines as written: bodies and terminators, joined by line breaks ('' without heredocs). */
  readonly heredocText: string;
};

/** A stage: `FROM` and the instructions up to the next `FROM`. */
export type DockerfileStage = {
  readonly index: number;
  /** The `AS` name, lower-cased as builders compare it. */
  readonly name?: string;
  readonly from: DockerfileInstruction;
  /** The `FROM` image as written (`$BASE`, `alpine:3.20`, `builder`). */
  readonly image: string;
  readonly instructions: readonly DockerfileInstruction[];
};

export type ParsedDockerfile = {
  /** The escape character (`\`, or `` ` `` by the `escape` directive). */
  readonly escape: string;
  /** `ARG`s before the first `FROM`. */
  readonly globalArgs: readonly DockerfileInstruction[];
  readonly stages: readonly DockerfileStage[];
};

const FLAGGED = new Set(['RUN', 'COPY', 'ADD', 'FROM', 'HEALTHCHECK']);

type WithHeredocs = {
  getHeredocs(): { getName(): string; getContentRange(): { start: { line: number }; end: { line: number } } | null; getDelimiterRange(): { start: { line: number } } | null }[];
};

/** Parses a Dockerfile. Never throws: text that is not a Dockerfile gives no stages. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter();
  const lines = text.split(/\r\n|\r|\n/);
  const globalArgs: DockerfileInstruction[] = [];
  const stages: { index: number; name?: string; from: DockerfileInstruction; image: string; instructions: DockerfileInstruction[] }[] = [];
  for (const ins of ast.getInstructions()) {
    const parsed = toInstruction(ins, lines, escape);
    if (parsed.keyword === 'FROM') {
      const words = parsed.args.trim().split(/\s+/);
      const name = words.length >= 3 && words[1]!.toUpperCase() === 'AS' ? words[2]!.toLowerCase() : undefined;
      stages.push({ index: stages.length, name, from: parsed, image: words[0] ?? '', instructions: [] });
    } else if (stages.length === 0) {
      if (parsed.keyword === 'ARG') globalArgs.push(parsed);
    } else stages[stages.length - 1]!.instructions.push(parsed);
  }
  return { escape, globalArgs, stages };
}

function toInstruction(ins: Instruction, lines: readonly string[], escape: string): DockerfileInstruction {
  const keyword = ins.getKeyword().toUpperCase();
  const range = ins.getRange();
  const first = range.start.line; // 0-based
  const last = range.end.line;
  const heredocs: { name: string; body: string }[] = [];
  let commandEnd = last;
  let heredocText = '';
  const docs = keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD' ? (ins as unknown as WithHeredocs).getHeredocs() : [];
  if (docs.length > 0) {
    let firstBodyLine = last + 1;
    for (const d of docs) {
      const content = d.getContentRange();
      const delim = d.getDelimiterRange();
      const start = content?.start.line ?? delim?.start.line ?? last + 1;
      const end = delim ? delim.start.line : last + 1;
      firstBodyLine = Math.min(firstBodyLine, start);
      heredocs.push({ name: d.getName(), body: content ? lines.slice(content.start.line, end).map((l) => `${l}\n`).join('') : '' });
    }
    commandEnd = Math.min(last, firstBodyLine - 1);
    heredocText = lines.slice(commandEnd + 1, last + 1).join('\n');
  }
  const logical = joinContinuations(lines.slice(first, commandEnd + 1), escape);
  const rest = logical.replace(/^\s*\S+\s*/, '');
  const flags: string[] = [];
  let args = rest;
  if (FLAGGED.has(keyword)) {
    for (;;) {
      const m = /^--\S+\s*/.exec(args);
      if (!m) break;
      flags.push(m[0].trim());
      args = args.slice(m[0].length);
    }
  }
  return { keyword, line: first + 1, endLine: last + 1, logical, flags, args: args.trim(), heredocs, heredocText };
}

/**
 * The logical line of an instruction's physical lines: a line ending in the escape character
 * (white space after it allowed) goes on with the next; inside a continuation, comment lines and
 * empty lines are skipped, as BuildKit's parser does.
 */
function joinContinuations(physical: readonly string[], escape: string): string {
  const cont = new RegExp(`${escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}[ \\t]*$`);
  let out = '';
  for (let i = 0; i < physical.length; i++) {
    const line = physical[i]!;
    if (i > 0 && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    const m = cont.exec(line);
    if (!m) return out + line;
    out += line.slice(0, m.index);
  }
  return out;
}
