import type { AlignedLayer, Analysis, DiffImage, LayerSummary } from '../core/index.js';
import { formatBytes } from '../format/bytes.js';
import { fit, plural, sanitize } from '../format/text.js';
import { formatSignedBytes, TOTAL_ROWS } from '../format/totals.js';
import { formatPlatform } from '../reference/platform.js';
import type { Layout } from './layout.js';
import { fitLine, seg, titleLine, type Line, type Style } from './segments.js';
import { createInitialState, type AppState, type Viewport } from './state.js';

/**
 * The comparison of two images in the inspector. The tree walks the two-layer image of the
 * difference (`buildDiffImage`); the left column shows the aligned layers and the totals. The
 * comparison travels with its analysis (`attachDiff`), so every selector can ask `diffOf`.
 */

const KEY = 'viewmodel.diff';

/** Marks an analysis as the tree of a comparison. Call once, right after `buildDiffImage`. */
export function attachDiff(d: DiffImage): Analysis {
  d.analysis.tree.memo(KEY, () => d);
  return d.analysis;
}

/** The comparison an analysis shows, when it is the tree of one. */
export function diffOf(a: Analysis): DiffImage | undefined {
  return a.tree.memo<DiffImage | undefined>(KEY, () => undefined);
}

/** How many rows the layer list has: the image's layers, or in a comparison its aligned rows. */
export function layerRowCount(a: Analysis): number {
  const d = diffOf(a);
  return d ? d.comparison.layers.length + 1 : a.layers.length;
}

/** Rows of the left list: "all changes", then the aligned layers. */
export type DiffRow = { readonly kind: 'all' } | AlignedLayer;

export function diffRows(d: DiffImage): readonly DiffRow[] {
  return [{ kind: 'all' }, ...d.comparison.layers];
}

/** The state a comparison opens in: the difference's changes, only changed paths, the tree focused. */
export function createDiffState(viewport: Viewport): AppState {
  const s = createInitialState(viewport, 2);
  return {
    ...s,
    focus: 'tree',
    layers: { ...s.layers, cursor: 1 },
    tree: { ...s.tree, hidden: { ...s.tree.hidden, unmodified: true } },
    diff: { cursor: 0, scroll: 0 },
  };
}

/** The NEW layer the selected row narrows the tree to (its paths only), or -1 for all. */
export function selectNarrowLayer(a: Analysis, state: AppState): number {
  const d = diffOf(a);
  if (!d || !state.diff) return -1;
  const row = diffRows(d)[state.diff.cursor];
  if (!row || row.kind === 'all' || row.kind === 'old-only') return -1;
  return row.new.index;
}

/** Moves the row cursor of the aligned list. */
export function moveDiffCursor(a: Analysis, state: AppState, to: number, height: number): AppState {
  const d = diffOf(a);
  if (!d || !state.diff) return state;
  const n = diffRows(d).length;
  const cursor = Math.max(0, Math.min(n - 1, to));
  let scroll = state.diff.scroll;
  if (cursor < scroll) scroll = cursor;
  if (cursor >= scroll + height) scroll = cursor - height + 1;
  return { ...state, diff: { cursor, scroll: Math.max(0, Math.min(scroll, Math.max(0, n - height))) } };
}

const signed = formatSignedBytes;

/** Signed size, as the delta column shows it. */
export function formatDelta(n: number): string {
  return signed(n);
}

/** The aligned layer list: `=` shared, `-` only in OLD, `+` only in NEW (`↕` moved). */
export function selectDiffLayerPane(d: DiffImage, state: AppState, layout: Layout): { title: Line; lines: Line[] } {
  const width = layout.leftWidth;
  const rows = diffRows(d);
  const lines: Line[] = [];
  const scroll = state.diff?.scroll ?? 0;
  const cursor = state.diff?.cursor ?? 0;
  for (let i = scroll; i < Math.min(rows.length, scroll + layout.layersHeight); i++) {
    const r = rows[i]!;
    const sel = i === cursor ? (state.focus === 'layers' ? 'focused' : 'unfocused') : undefined;
    if (r.kind === 'all') {
      lines.push(fitLine([seg('  all changes', 'header'), seg(`  ${plural(d.comparison.files.length, 'path')}`, 'dim')], width, sel));
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
  const c = d.comparison;
  return { title: titleLine('Layers', `${c.sharedLayers} shared · OLD ${c.totals.layerCount.old} → NEW ${c.totals.layerCount.new}`, width, state.focus === 'layers'), lines };
}

/** The totals side by side, with their deltas. */
export function selectDiffTotals(d: DiffImage, state: AppState, layout: Layout): { title: Line; lines: Line[] } {
  const width = layout.leftWidth;
  const t = d.comparison.totals;
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
  void state;
  return { title: titleLine('Totals', 'OLD → NEW', width, false), lines: lines.slice(0, layout.layerDetailsHeight) };
}

/** Who is compared with whom, and how many paths changed. */
export function selectDiffImages(d: DiffImage, layout: Layout): { title: Line; lines: Line[] } {
  const width = layout.leftWidth;
  const c = d.comparison;
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

/** A path's history in each image (`f` in a comparison). */
export function selectDiffHistory(d: DiffImage, old: Analysis, neu: Analysis, rel: string, width: number): Line[] {
  const lines: Line[] = [];
  for (const [label, a] of [
    ['OLD', old],
    ['NEW', neu],
  ] as const) {
    const p = a.tree.find(rel);
    const events = p === undefined ? [] : a.tree.fileHistory(p);
    if (events.length === 0) {
      lines.push(fitLine([seg(`${label} `, 'header'), seg('never had this path', 'dim')], width));
      continue;
    }
    for (const ev of events) {
      const style: Style = ev.kind === 'added' ? 'added' : ev.kind === 'removed' ? 'removed' : ev.kind === 'unmodified' ? 'normal' : 'modified';
      const what = ev.kind === 'metadata' ? 'chmod/chown' : ev.kind;
      const size = ev.entry ? fit(formatBytes(ev.entry.size), 8, 'right') : ''.padStart(8);
      lines.push(fitLine([seg(`${label} `, 'header'), seg(`L${String(ev.layer).padEnd(3)}`, 'marker'), seg(fit(what, 11), style), seg(` ${size}  `, 'dim'), seg(sanitize(a.layers[ev.layer]!.command))], width));
    }
  }
  return lines;
}
