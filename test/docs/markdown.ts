/**
 * Just enough Markdown for the documentation tests: headings, fenced code blocks and pipe
 * tables, as the README writes them. Not a general parser: a construct it does not know is
 * plain text to it.
 */

export type Table = {
  /** The nearest heading above the table, without its `#`s. */
  readonly heading: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line of the header row. */
  readonly line: number;
};

export type CodeBlock = { readonly heading: string; readonly lang: string; readonly text: string; readonly line: number };

export type Section = { readonly heading: string; readonly level: number; readonly line: number };

type Parsed = { tables: Table[]; blocks: CodeBlock[]; sections: Section[] };

/** Splits `| a | b |` into its cells, trimmed; `\|` and pipes inside backticks stay in the cell. */
export function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cur = '';
  let code = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && body[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '`') {
      code = !code;
      cur += c;
    } else if (c === '|' && !code) {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

/** The text of each `code` span in a cell, in order. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** Headings, fenced code blocks and pipe tables of a Markdown text, in order. */
export function parseMarkdown(text: string): Parsed {
  const lines = text.split('\n');
  const out: Parsed = { tables: [], blocks: [], sections: [] };
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(\S*)/.exec(line);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      out.blocks.push({ heading, lang: fence[1]!, text: body.join('\n'), line: start + 1 });
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      heading = h[2]!.trim();
      out.sections.push({ heading, level: h[1]!.length, line: i + 1 });
      continue;
    }
    if (line.startsWith('|') && lines[i + 1]?.match(/^\|\s*:?-{3,}/)) {
      const header = splitRow(line);
      const rows: string[][] = [];
      let j = i + 2;
      for (; j < lines.length && lines[j]!.startsWith('|'); j++) rows.push(splitRow(lines[j]!));
      out.tables.push({ heading, header, rows, line: i + 1 });
      i = j - 1;
    }
  }
  return out;
}

/**
 * GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped,
 * spaces to `-` (enough for the headings these documents use).
 */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
