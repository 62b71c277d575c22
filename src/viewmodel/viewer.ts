import { cellWidth, fit, sanitize, wrap } from '../format/text.js';
import { displayKey } from './keys.js';
import { formatKeys, type Keymap } from './keymap.js';
import { fitLine, seg, titleLine, type Line, type Segment } from './segments.js';
import type { AppState } from './state.js';
import { docHeight, viewerSummary, type DocSearch, type FileDiffState, type ViewerState } from './viewer-state.js';
import { hexRow } from './viewer-text.js';

/** The status line of a document: the search being typed, its result, or the keys. */
function docStatus(keymap: Keymap, search: DocSearch, width: number, extra: Segment[] = []): Line {
  if (search.editing) return fitLine([seg(' Search: ', 'header'), seg(`${sanitize(search.text)}▏`), seg('  Enter', 'key'), seg(' Find '), seg(' Esc', 'key'), seg(' Cancel')], width);
  const keys: Segment[] = [
    seg(` ${displayKey('up')}${displayKey('down')}/${formatKeys(keymap, 'cursor.pageUp')}/${formatKeys(keymap, 'cursor.pageDown')}`, 'key'),
    seg(' Scroll '),
    seg(` ${formatKeys(keymap, 'cursor.top')}/${formatKeys(keymap, 'cursor.bottom')}`, 'key'),
    seg(' Top/Bottom '),
    seg(' /', 'key'),
    seg(' Search '),
    seg(` ${formatKeys(keymap, 'search.next')}/${formatKeys(keymap, 'search.prev')}`, 'key'),
    seg(' Next/Prev '),
    seg(' Esc/q', 'key'),
    seg(' Back'),
  ];
  const note = search.notice ? [seg(` ${sanitize(search.text)}: ${search.notice} `, 'label'), seg('│', 'dim')] : [];
  return fitLine([...note, ...extra, ...keys], width);
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
      const row = hexRow(r * 16, b.bytes.subarray(at, at + 16), digits);
      lines.push(fitLine([seg(row.slice(0, digits), 'gutter'), seg(row.slice(digits))], width));
    }
    return lines;
  }
  const t = v.text;
  if (!t || t.lines.length === 0) return [fitLine([seg('(empty file)', 'dim')], width)];
  const last = t.firstLine + t.lines.length;
  const digits = Math.max(4, String(last).length);
  const start = Math.max(t.firstLine, Math.min(v.scroll, last - 1));
  for (let n = start; n < Math.min(last, start + height); n++) {
    const l = t.lines[n - t.firstLine]!;
    lines.push(fitLine([seg(`${fit(String(n + 1), digits, 'right')} │ `, 'gutter'), ...l.segments], width, v.search.hit === n ? 'focused' : undefined));
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
  return [titleLine(`View ${v.path}`, right, width, true), ...pad(bodyLines(v, width, height), height, width), docStatus(keymap, v.search, width)];
}

/** The diff of two versions, full screen: title, the visible rows of the unified diff, status line. */
export function selectFileDiffScreen(keymap: Keymap, state: AppState, d: FileDiffState): Line[] {
  const width = state.viewport.cols;
  const height = docHeight(state);
  const versions = `${d.oldLayer < 0 ? 'absent' : `L${d.oldLayer}`} → L${d.newLayer}`;
  const body: Line[] = d.pending
    ? [fitLine([seg('reading both versions…', 'dim')], width)]
    : d.rows.slice(d.scroll, d.scroll + height).map((r, i) => fitLine(r, width, d.search.hit === d.scroll + i ? 'focused' : undefined));
  const pos = d.pending ? '' : `${Math.min(d.rows.length, d.scroll + 1)}/${d.rows.length}`;
  return [titleLine(`Diff ${d.path}`, [versions, pos].filter(Boolean).join(' · '), width, true), ...pad(body, height, width), docStatus(keymap, d.search, width)];
}
