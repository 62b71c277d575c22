import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandId, type Scope } from '../../src/viewmodel/commands.js';
import { createKeymap, parseKeyConfig } from '../../src/viewmodel/keymap.js';
import { normalizeKeyName } from '../../src/viewmodel/keys.js';
import { ROOT } from '../helpers/image-files.js';
import { codeSpans, parseMarkdown, type Table } from './markdown.js';

/**
 * The README's key tables against the command table that also generates the keymap, the `?`
 * help and the status bar (src/viewmodel/commands.ts). Both directions:
 *
 * - every key a row documents runs that command, in the pane the table is about;
 * - every command of the table has a row, with every one of its default keys.
 *
 * A key table is one whose header is `key … | command | …`. Its pane comes from the header's
 * parenthesis (`key (history panel)`) or else from the heading above it (`### Layers pane`).
 * In a row naming several commands (`cursor.up` / `cursor.down`), the keys pair with them in
 * turn: `↑` `↓`, `k` `j` is up, down, up, down.
 */

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const keymap = createKeymap();

/** Words that name a pane, in a table's header or heading, and the command scope they mean. */
const PANES: readonly (readonly [RegExp, Scope])[] = [
  [/\beverywhere\b/i, 'global'],
  [/\blayers pane\b/i, 'layers'],
  [/\bfile tree pane\b/i, 'tree'],
  [/\bhistory panel\b/i, 'history'],
  [/\bwasted-files list\b/i, 'waste'],
  [/\bpackages pane\b/i, 'packages'],
];

/** Keys as the README writes them (`Ctrl+A`, `PgDn`, `↑`) → the keymap's names. */
const ARROWS: Record<string, string> = { '↑': 'up', '↓': 'down', '←': 'left', '→': 'right' };
function keyName(shown: string): string | undefined {
  return normalizeKeyName(ARROWS[shown] ?? shown);
}

type Documented = { scope: Scope; key: string; shown: string; command: string; line: number };

function scopeOf(t: Table): Scope | undefined {
  const paren = /\(([^)]*)\)/.exec(t.header[0]!)?.[1];
  const context = paren ?? t.heading;
  const hits = PANES.filter(([re]) => re.test(context));
  return hits.length === 1 ? hits[0]![1] : undefined;
}

const keyTables = parseMarkdown(README).tables.filter((t) => /^key\b/i.test(t.header[0] ?? '') && t.header[1] === 'command');

/** Every (key, command) pair the README's key tables document, with problems of form. */
function documented(): { pairs: Documented[]; problems: string[] } {
  const pairs: Documented[] = [];
  const problems: string[] = [];
  for (const t of keyTables) {
    const scope = scopeOf(t);
    if (!scope) {
      problems.push(`README line ${t.line}: a key table under "${t.heading}" whose pane is not one of everywhere / layers pane / file tree pane / history panel / wasted-files list / packages pane`);
      continue;
    }
    t.rows.forEach((row, i) => {
      const line = t.line + 2 + i;
      const commands = codeSpans(row[1] ?? '');
      const shown = codeSpans(row[0] ?? '');
      if (commands.length === 0 || shown.length === 0 || shown.length % commands.length !== 0) {
        problems.push(`README line ${line}: ${shown.length} keys cannot pair with ${commands.length} commands`);
        return;
      }
      shown.forEach((s, k) => {
        const key = keyName(s);
        if (key === undefined) problems.push(`README line ${line}: \`${s}\` is not a key name`);
        else pairs.push({ scope, key, shown: s, command: commands[k % commands.length]!, line });
      });
    });
  }
  return { pairs, problems };
}

describe("the README's key tables", () => {
  const { pairs, problems } = documented();

  it('are found, and every row is well formed', () => {
    // One table per pane at least; a rename of the header or heading shows up here first.
    expect(new Set(keyTables.map(scopeOf))).toEqual(new Set<Scope | undefined>(['global', 'layers', 'tree', 'history', 'waste', 'packages']));
    expect(problems).toEqual([]);
  });

  it('document only keys that run that command in that pane', () => {
    const wrong: string[] = [];
    for (const d of pairs) {
      const spec = COMMANDS.find((c) => c.id === d.command);
      if (!spec) {
        wrong.push(`line ${d.line}: ${d.command} is not a command`);
        continue;
      }
      if (spec.scope !== d.scope) wrong.push(`line ${d.line}: ${d.command} is a ${spec.scope} command, listed in the ${d.scope} table`);
      if (!keymap.keysFor(spec.id).includes(d.key)) wrong.push(`line ${d.line}: \`${d.shown}\` is not bound to ${d.command} (its keys: ${keymap.keysFor(spec.id).join(', ')})`);
      // …and pressing it there runs it: a pane's own binding wins over a global one, so a
      // global key must run its command in at least one of the panes.
      const panes: Exclude<Scope, 'global'>[] = spec.scope === 'global' ? ['layers', 'tree'] : [spec.scope];
      if (!panes.some((p) => keymap.resolve(p, d.key) === spec.id)) wrong.push(`line ${d.line}: \`${d.shown}\` in the ${d.scope} table runs ${panes.map((p) => keymap.resolve(p, d.key) ?? 'nothing').join(' / ')}, not ${d.command}`);
    }
    expect(wrong).toEqual([]);
  });

  it('list every command of the command table, with all its default keys', () => {
    const missing: string[] = [];
    for (const c of COMMANDS) {
      const rows = pairs.filter((d) => d.command === c.id);
      if (rows.length === 0) {
        missing.push(`${c.id} (${c.scope}): no row`);
        continue;
      }
      for (const k of keymap.keysFor(c.id as CommandId)) if (!rows.some((d) => d.key === k)) missing.push(`${c.id}: key ${k} is not in its row`);
    }
    expect(missing).toEqual([]);
  });
});

describe("the README's key configuration", () => {
  const sections = parseMarkdown(README);
  const block = sections.blocks.find((b) => b.heading === 'Configuring keys' && b.text.includes('keybindings:'));

  it('gives an example the config reader takes without a complaint', () => {
    expect(block).toBeDefined();
    const { overrides, problems } = parseKeyConfig(block!.text);
    expect(problems).toEqual([]);
    expect(Object.keys(overrides).length).toBeGreaterThan(0);
  });

  it('names only keys the config reader knows', () => {
    const para = README.split('\n\n').find((p) => p.startsWith('Key names:'));
    expect(para).toBeDefined();
    const names = codeSpans(para!).filter((n) => n !== '…');
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => normalizeKeyName(n) === undefined)).toEqual([]);
  });
});
