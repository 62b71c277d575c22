import type { Analysis, LayerSummary } from '../core/index.js';
import type { AlignedLayer } from '../core/index.js';
import { formatBytes } from '../format/bytes.js';
import { fit, plural, sanitize } from '../format/text.js';
import { formatSignedBytes, TOTAL_ROWS } from '../format/totals.js';
import { formatPlatform } from '../reference/platform.js';
import type { Layout } from './layout.js';
import { fitLine, seg, titleLine, type Line, type Style } from './segments.js';
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
    lines.push(fitLine([seg(fit(label, 12), 'header'), seg(`${fit(r.value(s.old), 9, 'right')} → ${fit(r.value(s.new), 9, 'right')}  `), seg(r.delta(s.delta), style)], width));
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

/** A path's history in each image (`f` in a comparison): the rows the image's own panel shows, per side. */
export function selectDiffHistory(d: ComparisonView, rel: string, width: number): Line[] {
  const lines: Line[] = [];
  for (const [label, a] of [
    ['OLD', d.old],
    ['NEW', d.new],
  ] as const satisfies readonly (readonly [string, Analysis])[]) {
    const p = a.tree.find(rel);
    const rows = p === undefined ? [] : historyRows(a, p);
    if (rows.length === 0) {
      lines.push(fitLine([seg(`${label} `, 'header'), seg('never had this path', 'dim')], width));
      continue;
    }
    const whatW = Math.max(11, ...rows.map((r) => r.what.length));
    for (const r of rows) {
      const size = r.entry ? fit(formatBytes(r.entry.size), 8, 'right') : ''.padStart(8);
      const note = r.note ? ` ${sanitize(r.note)} ` : '';
      lines.push(
        fitLine(
          [seg(`${label} `, 'header'), seg(`L${String(r.layer).padEnd(3)}`, 'marker'), seg(fit(r.what, whatW), r.style), seg(` ${size}  ${note}`, 'dim'), seg(sanitize(a.layers[r.layer]?.command ?? ''))],
          width,
        ),
      );
    }
  }
  return lines;
}
