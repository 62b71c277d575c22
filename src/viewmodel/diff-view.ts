import type { Analysis, LayerSummary } from '../core/index.js';
import type { AlignedLayer } from '../core/index.js';
import { formatBytes, cellWidth, fit, plural, sanitize, formatSignedBytes, TOTAL_ROWS } from '../format/index.js';
import { formatPlatform } from '../reference/index.js';
import type { Layout } from './layout.js';
import { fitLine, seg, titleLine, type Line, type Segment, type Style } from './segments.js';
import type { AppState } from './state.js';
import type { ComparisonView } from './view-data.js';
import { historyRows } from './file-history.js';

/**
 * The comparison of two images in the inspector: the left column shows the aligned layers
 * (their rows narrow the tree to what one NEW layer wrote), the totals side by side and who is
 * compared with whom; the tree walks the comparison's merged tree (`DiffTree`).
 */

/** Rows of the left list: "all changes", then the aligned layers. */
type DiffRow = { readonly kind: 'all' } | AlignedLayer;

function diffRows(d: ComparisonView): readonly DiffRow[] {
  return [{ kind: 'all' }, ...d.diff.comparison.layers];
}

/** The NEW layer the selected row narrows the tree to (its paths only), or -1 for all. */
export function selectNarrowLayer(d: ComparisonView, state: AppState): number {
  const row = diffRows(d)[state.layers.cursor];
  if (!row || row.kind === 'all' || row.kind === 'old-only') return -1;
  return row.new.index;
}

/** The layer the selected row is (NEW's, or OLD's for a layer only OLD has); undefined on "all changes". */
export function selectDiffLayer(d: ComparisonView, state: AppState): LayerSummary | undefined {
  const row = diffRows(d)[state.layers.cursor];
  return !row || row.kind === 'all' ? undefined : row.kind === 'old-only' ? row.old : row.new;
}

const signed = formatSignedBytes;

/** Signed size, as the delta column shows it. */
export function formatDelta(n: number): string {
  return signed(n);
}

/** The aligned layer list: `=` shared, `-` only in OLD, `+` only in NEW (`↕` moved). */
export function selectDiffLayerPane(d: ComparisonView, state: AppState, layout: Layout): { title: Line; lines: Line[] } {
  const width = layout.leftWidth;
  const rows = diffRows(d);
  const lines: Line[] = [];
  const { scroll, cursor } = state.layers;
  for (let i = scroll; i < Math.min(rows.length, scroll + layout.layersHeight); i++) {
    const r = rows[i]!;
    const sel = i === cursor ? (state.focus === 'layers' ? 'focused' : 'unfocused') : undefined;
    if (r.kind === 'all') {
      lines.push(fitLine([seg('  all changes', 'header'), seg(`  ${plural(d.diff.comparison.files.length, 'path')}`, 'dim')], width, sel));
      continue;
    }
    const [mark, style, l, who]: [string, Style, LayerSummary, string] =
      r.kind === 'shared' ? ['=', 'dim', r.new, '   '] : r.kind === 'old-only' ? ['-', 'removed', r.old, 'OLD'] : ['+', 'added', r.new, 'NEW'];
    lines.push(
      fitLine(
        [
          seg(`${mark} `, style),
          seg(`${who} L${String(l.index).padEnd(2)} `, 'dim'),
          seg(`${fit(formatBytes(l.sizeBytes), 7, 'right')}  `),
          seg(sanitize(l.command || '(no history)'), r.kind === 'shared' ? 'dim' : 'normal'),
          seg('moved' in r && r.moved ? '  ↕ moved' : '', 'label'),
        ],
        width,
        sel,
      ),
    );
  }
  while (lines.length < layout.layersHeight) lines.push(fitLine([], width));
  const c = d.diff.comparison;
  return { title: titleLine('Layers', `${c.sharedLayers} shared · OLD ${c.totals.layerCount.old} → NEW ${c.totals.layerCount.new}`, width, state.focus === 'layers'), lines };
}

/** The totals side by side, with their deltas. */
export function selectDiffTotals(d: ComparisonView, layout: Layout): { title: Line; lines: Line[] } {
  const width = layout.leftWidth;
  const t = d.diff.comparison.totals;
  const lines: Line[] = [];
  // Growth is red and shrinking green, except where higher is better (efficiency).
  for (const r of TOTAL_ROWS) {
    const s = t[r.key];
    const worse = 'higherIsBetter' in r ? s.delta < 0 : s.delta > 0;
    const style: Style = s.delta === 0 ? 'dim' : worse ? 'removed' : 'added';
    const label = `${r.label[0]!.toUpperCase()}${r.label.slice(1)}`;
    const [o, n, d] = [r.value(s.old), r.value(s.new), r.delta(s.delta)];
    // Columns where they fit; narrower, the padding goes, then the change (NEW keeps its
    // colour), then the label shrinks: OLD and NEW always stay.
    const forms: Segment[][] = [
      [seg(fit(label, 12), 'header'), seg(`${fit(o, 9, 'right')} → ${fit(n, 9, 'right')}  `), seg(d, style)],
      [seg(`${fit(label, 8)} `, 'header'), seg(`${o} → ${n} `), seg(d, style)],
      [seg(`${fit(label, 8)} `, 'header'), seg(`${o} → `), seg(n, style)],
      [seg(`${label.slice(0, 4)} `, 'header'), seg(`${o}→`), seg(n, style)],
    ];
    const cells = (x: Segment[]) => x.reduce((k, g) => k + cellWidth(g.text), 0);
    lines.push(fitLine(forms.find((f) => cells(f) <= width) ?? forms.at(-1)!, width));
  }
  while (lines.length < layout.layerDetailsHeight) lines.push(fitLine([], width));
  return { title: titleLine('Totals', 'OLD → NEW', width, false), lines: lines.slice(0, layout.layerDetailsHeight) };
}

/** Who is compared with whom, and how many paths changed. */
export function selectDiffImages(d: ComparisonView, layout: Layout): { title: Line; lines: Line[] } {
  const width = layout.leftWidth;
  const c = d.diff.comparison;
  const lines: Line[] = [];
  const who = (label: string, id: typeof c.old.identity) =>
    lines.push(fitLine([seg(`${label} `, 'header'), seg(sanitize(id.reference)), seg(id.platform ? `  ${formatPlatform(id.platform)}` : '', 'dim')], width));
  who('OLD:', c.old.identity);
  who('NEW:', c.new.identity);
  const po = c.old.identity.platform;
  const pn = c.new.identity.platform;
  if (po && pn && formatPlatform(po) !== formatPlatform(pn)) lines.push(fitLine([seg('different platforms', 'error')], width));
  const n = { added: 0, removed: 0, modified: 0 };
  for (const f of c.files) if (f.change !== 'unchanged') n[f.change]++;
  lines.push(
    fitLine(
      c.identical
        ? [seg('identical: same layers, same files', 'header')]
        : [seg(`+${n.added} added  `, 'added'), seg(`-${n.removed} removed  `, 'removed'), seg(`~${n.modified} modified  `, 'modified'), seg(`${c.unchangedCount} unchanged`, 'dim')],
      width,
    ),
  );
  while (lines.length < layout.imageDetailsHeight) lines.push(fitLine([], width));
  return { title: titleLine('Images', '', width, false), lines: lines.slice(0, layout.imageDetailsHeight) };
}

/**
 * A path's history in each image (`f` in a comparison): the rows the image's own panel shows,
 * per side, in `height` lines. When they do not fit, each image keeps its share, its latest
 * rows last under a line saying how many earlier ones there are: NEW never drops out of sight.
 */
export function selectDiffHistory(d: ComparisonView, rel: string, width: number, height = Number.MAX_SAFE_INTEGER): Line[] {
  const sides = ([
    ['OLD', d.old],
    ['NEW', d.new],
  ] as const satisfies readonly (readonly [string, Analysis])[]).map(([label, a]) => {
    const p = a.tree.find(rel);
    const rows = p === undefined ? [] : historyRows(a, p);
    const whatW = Math.max(11, ...rows.map((r) => r.what.length));
    const lines = rows.map((r) => {
      const size = r.entry ? fit(formatBytes(r.entry.size), 8, 'right') : ''.padStart(8);
      const note = r.note ? ` ${sanitize(r.note)} ` : '';
      return fitLine(
        [seg(`${label} `, 'header'), seg(`L${String(r.layer).padEnd(3)}`, 'marker'), seg(fit(r.what, whatW), r.style), seg(` ${size}  ${note}`, 'dim'), seg(sanitize(a.layers[r.layer]?.command ?? ''))],
        width,
      );
    });
    return { label, lines: lines.length ? lines : [fitLine([seg(`${label} `, 'header'), seg('never had this path', 'dim')], width)] };
  });
  const [o, n] = sides as [(typeof sides)[0], (typeof sides)[0]];
  if (o.lines.length + n.lines.length <= height) return [...o.lines, ...n.lines];
  // Each side gets half the room (a side that needs less gives the rest to the other).
  const half = Math.max(1, Math.floor(height / 2));
  const oRoom = Math.min(o.lines.length, Math.max(half, height - n.lines.length));
  const nRoom = Math.max(1, height - oRoom);
  const cut = (side: (typeof sides)[0], room: number): Line[] => {
    if (side.lines.length <= room) return side.lines;
    const keep = Math.max(0, room - 1);
    const more = side.lines.length - keep;
    return [fitLine([seg(`${side.label} `, 'header'), seg(`↑ ${more} earlier`, 'dim')], width), ...side.lines.slice(side.lines.length - keep)];
  };
  return [...cut(o, oRoom), ...cut(n, nRoom)];
}
