import { cellWidth, sanitize } from '../format/index.js';
import { fitLine, seg, type Line, type Segment } from './segments.js';
import type { AppState } from './state.js';

/**
 * The "compare with" prompt (`c`): the other image typed as an image argument, with Tab
 * completing it from what the UI's completer finds (files and directories in the working
 * directory, a daemon's image names), as a shell completes: one candidate is taken whole,
 * several extend the text to what they share and are listed in the status line.
 */

/** The prompt while open: the text, whether a completion is asked for, and the candidates listed after an ambiguous Tab. */
export type ComparePrompt = { readonly text: string; readonly completing?: boolean; readonly choices?: readonly string[] };

/** The longest text every one of `xs` starts with. */
function commonPrefix(xs: readonly string[]): string {
  if (xs.length === 0) return '';
  let p = xs[0]!;
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/**
 * The prompt after the completer answered for `asked`: the one candidate taken whole (a
 * directory ends in `/`, ready for more), several extended to what they share and listed,
 * none said so. An answer for text that has changed since is dropped.
 */
export function applyCompletion(s: AppState, asked: string, candidates: readonly string[]): AppState {
  const p = s.compare;
  if (!p || p.text !== asked || !p.completing) return s;
  const fitting = [...new Set(candidates.filter((c) => c.startsWith(asked)))].sort();
  if (fitting.length === 0) return { ...s, compare: { text: asked }, message: { text: `nothing to complete ${sanitize(asked) || 'here'} with`, tone: 'info' } };
  if (fitting.length === 1) return { ...s, compare: { text: fitting[0]! } };
  return { ...s, compare: { text: commonPrefix(fitting), choices: fitting } };
}

/** What a candidate is called in the list: its last path component (a directory with its `/`), or the name. */
function shortName(c: string, text: string): string {
  const cut = text.lastIndexOf('/') + 1;
  return sanitize(cut > 0 && c.startsWith(text.slice(0, cut)) ? c.slice(cut) : c.replace(/^[a-z-]+:/, ''));
}

/** The status line while the prompt is open: the text, the candidates of the last Tab that fit, and the keys. */
export function selectComparePrompt(p: ComparePrompt, width: number): Line {
  const head: Segment[] = [seg(' Compare with: ', 'header'), seg(`${sanitize(p.text)}▏`)];
  const keys: Segment[] = [seg('  Tab', 'key'), seg(' Complete '), seg(' Enter', 'key'), seg(' Compare '), seg(' Esc', 'key'), seg(' Cancel')];
  if (!p.choices?.length) return fitLine([...head, ...(p.completing ? [seg('  …', 'dim')] : []), ...keys], width);
  // The candidates take the room the keys would: as many as fit, then how many more.
  let room = width - head.reduce((n, x) => n + cellWidth(x.text), 0) - 2;
  const shown: string[] = [];
  for (const [i, c] of p.choices.entries()) {
    const name = shortName(c, p.text);
    const more = p.choices.length - i - 1;
    const need = cellWidth(name) + 2 + (more > 0 ? cellWidth(` +${more}`) : 0);
    if (need > room) break;
    shown.push(name);
    room -= cellWidth(name) + 2;
  }
  const rest = p.choices.length - shown.length;
  return fitLine([...head, seg(`  ${shown.join('  ')}`, 'label'), seg(rest > 0 ? `  +${rest}` : '', 'dim')], width);
}
