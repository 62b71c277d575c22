import { cellWidth, fit, sanitize, wrap } from '../format/index.js';
import { displayKey } from './keys.js';
import { formatKeys, type Keymap } from './keymap.js';
import { fitLine, seg, titleLine, type Line, type Segment } from './segments.js';
import type { AppState } from './state.js';
import { docHeight, viewerSummary, type DocSearch, type FileDiffState, type ViewerState } from './viewer-state.js';
import { columnsOf, hexRowSegments, lineIndexAt, markColumns } from './viewer-text.js';
import { HEX_SEARCH_HINT, lastAtOrBefore } from './doc-search.js';
import { diffText } from './reduce-viewer.js';

/**
 * Where a search stands, for the status line: `match 2/3` (of every match in the whole
 * document), the place of a match past the counted ones, `counting…` while the reader counts,
 * the wrap, or what the search has instead of a match.
 */
export function selectDocSearchNote(search: DocSearch, place?: (at: number) => string): string | undefined {
  if (search.notice) return search.notice;
  const hit = search.hit;
  if (!hit) return undefined;
  const m = search.matches;
  const rank = m ? lastAtOrBefore(m.starts, hit.at) : -1;
  const exact = m && rank >= 0 && m.starts[rank] === hit.at;
  const where = exact ? `match ${rank + 1}/${m.total}` : place ? `match ${place(hit.at)}${m ? ` (${m.total} in the file)` : ''}` : 'match';
  const wrap = search.wrapped ? ` · search wrapped to the ${search.wrapped}` : '';
  return `${where}${search.counting ? ' · counting…' : ''}${wrap}`;
}

/** The status line of a document: the search being typed, its result, or the keys. */
function docStatus(keymap: Keymap, search: DocSearch, width: number, opts: { readonly hex?: boolean; readonly place?: (at: number) => string } = {}): Line {
  if (search.editing) {
    const hint = opts.hex ? [seg(`  ${HEX_SEARCH_HINT}`, 'dim')] : [];
    return fitLine([seg(' Search: ', 'header'), seg(`${sanitize(search.text)}▏`), seg('  Enter', 'key'), seg(' Find '), seg(' Esc', 'key'), seg(' Cancel'), ...hint], width);
  }
  const keys: Segment[] = [
    seg(` ${displayKey('up')}${displayKey('down')}/${formatKeys(keymap, 'cursor.pageUp')}/${formatKeys(keymap, 'cursor.pageDown')}`, 'key'),
    seg(' Scroll '),
    seg(` ${formatKeys(keymap, 'cursor.top')}/${formatKeys(keymap, 'cursor.bottom')}`, 'key'),
    seg(' Top/Bottom '),
    seg(' /', 'key'),
    seg(opts.hex ? ' Search (text, 7f 45, @0x200) ' : ' Search '),
    seg(` ${formatKeys(keymap, 'search.next')}/${formatKeys(keymap, 'search.prev')}`, 'key'),
    seg(' Next/Prev '),
    seg(' Esc/q', 'key'),
    seg(' Back'),
  ];
  const said = selectDocSearchNote(search, opts.place);
  const note = said ? [seg(` ${sanitize(search.text)}: ${said} `, 'label'), seg('│', 'dim')] : [];
  return fitLine([...note, ...keys], width);
}

function bodyLines(v: ViewerState, width: number, height: number): Line[] {
  const lines: Line[] = [];
  if (v.show === 'loading') return [fitLine([seg('reading…', 'dim')], width)];
  if (v.show === 'message') {
    // Kept exact when it fits (a link target's spaces matter); wrapped when it does not.
    const m = v.message ?? '';
    return (cellWidth(m) <= width ? [m] : wrap(m, width)).map((t) => fitLine([seg(t, 'header')], width));
  }
  if (v.show === 'binary' && v.binary) {
    const b = v.binary;
    const digits = Math.max(8, v.size.toString(16).length);
    const first = b.offset / 16;
    const rows = Math.ceil(b.bytes.length / 16);
    const start = Math.max(first, Math.min(v.scroll, first + rows - 1));
    for (let r = start; r < Math.min(first + rows, start + height); r++) {
      const at = (r - first) * 16;
      lines.push(fitLine(hexRowSegments(r * 16, b.bytes.subarray(at, at + 16), digits, v.search.hit), width));
    }
    return lines;
  }
  const t = v.text;
  if (!t || t.lines.length === 0) return [fitLine([seg('(empty file)', 'dim')], width)];
  const last = t.firstLine + t.lines.length;
  const digits = Math.max(4, String(last).length);
  const start = Math.max(t.firstLine, Math.min(v.scroll, last - 1));
  // The match the cursor is on, drawn in its own style on its line (not the whole line).
  const hit = v.search.hit;
  const hitLine = hit && hit.at >= (t.lines[0]?.start ?? 0) && hit.at < t.end ? t.firstLine + lineIndexAt(t, hit.at) : -1;
  const cols = hitLine >= 0 ? columnsOf(t, hit!.at, hit!.length) : undefined;
  for (let n = start; n < Math.min(last, start + height); n++) {
    const l = t.lines[n - t.firstLine]!;
    const body = n === hitLine && cols ? markColumns(l.segments, cols.from, cols.to, 'match') : l.segments;
    lines.push(fitLine([seg(`${fit(String(n + 1), digits, 'right')} │ `, 'gutter'), ...body], width));
  }
  return lines;
}

function pad(lines: Line[], height: number, width: number): Line[] {
  while (lines.length < height) lines.push(fitLine([], width));
  return lines.slice(0, height);
}

/** The viewer, full screen: title (path, layer, size, kind, position), the visible lines, and its status line. */
export function selectViewerScreen(keymap: Keymap, state: AppState, v: ViewerState): Line[] {
  const width = state.viewport.cols;
  const height = docHeight(state);
  const pos =
    v.show === 'text' && v.text
      ? `line ${Math.max(v.scroll, v.text.firstLine) + 1}${v.text.eof ? `/${v.text.firstLine + v.text.lines.length}` : ''}`
      : v.show === 'binary'
        ? `0x${(v.scroll * 16).toString(16)}/0x${v.size.toString(16)}`
        : '';
  const right = [viewerSummary(v), pos, v.pending && v.show !== 'loading' ? 'reading…' : ''].filter(Boolean).join(' · ');
  // Where a match past the counted ones is: its line, or in the hex view its offset.
  const place = (at: number): string => {
    if (v.show === 'binary') return `at 0x${at.toString(16)}`;
    const t = v.text;
    return t && at >= (t.lines[0]?.start ?? 0) && at < t.end ? `at line ${t.firstLine + lineIndexAt(t, at) + 1}` : `at byte ${at}`;
  };
  return [titleLine(`View ${v.path}`, right, width, true), ...pad(bodyLines(v, width, height), height, width), docStatus(keymap, v.search, width, { hex: v.show === 'binary', place })];
}

/** The diff of two versions, full screen: title, the visible rows of the unified diff, status line. */
export function selectFileDiffScreen(keymap: Keymap, state: AppState, d: FileDiffState): Line[] {
  const width = state.viewport.cols;
  const height = docHeight(state);
  const versions = `${d.oldLayer < 0 ? 'absent' : `L${d.oldLayer}`} → L${d.newLayer}`;
  // The match the cursor is on, in its own style on its row.
  const hit = d.search.hit;
  const starts = hit ? diffText(d).rowStarts : [];
  const hitRow = hit ? lastAtOrBefore(starts, hit.at) : -1;
  const body: Line[] = d.pending
    ? [fitLine([seg('reading both versions…', 'dim')], width)]
    : d.rows.slice(d.scroll, d.scroll + height).map((r, i) => {
        const row = d.scroll + i;
        if (row !== hitRow) return fitLine(r, width);
        const from = hit!.at - starts[row]!;
        return fitLine(markColumns(r, from, from + hit!.length, 'match'), width);
      });
  const pos = d.pending ? '' : `${Math.min(d.rows.length, d.scroll + 1)}/${d.rows.length}`;
  return [titleLine(`Diff ${d.path}`, [versions, pos].filter(Boolean).join(' · '), width, true), ...pad(body, height, width), docStatus(keymap, d.search, width)];
}
