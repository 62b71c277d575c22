import { formatBytes, cellWidth, fit, plural, sanitize, truncateMiddle, formatSignedBytes } from '../format/index.js';
import { Change } from '../core/index.js';
import { comparePackages, describePackageWarning, packageIdentity, type ChangedOwners, type Package, type PackageChangeKind, type PackageRef } from '../packages/index.js';
import { clampScroll } from './cursor.js';
import { selectViewLayout, type Layout } from './layout.js';
import { comparisonOwner, ownerAt } from './package-files.js';
import { fitLine, seg, titleLine, type Line, type Segment, type Style } from './segments.js';
import { selectRange, type AppState, type PackagesPaneState } from './state.js';
import { compileMatcher } from './tree-index.js';
import type { ComparisonView, ImageView, ViewData } from './view-data.js';

/**
 * The packages pane (`p`): the packages of the selected layer or range of an image (what the
 * range changed first, marked as the tree marks files), or the packages that differ in a
 * comparison; sorted by size or name, filtered by a live expression over `manager name
 * version`. Enter narrows the file tree to one package's files. Also here: the package line of
 * the layer details and the owner of the file under the cursor.
 */

/** How a row relates to the range (or, in a comparison, how the package changed from OLD to NEW). */
export type PackageRowChange = PackageChangeKind | 'none';

/** One row of the pane. */
export type PackageRow = {
  /** The package's identity (what the tree is narrowed by). */
  readonly key: string;
  readonly change: PackageRowChange;
  readonly manager: string;
  readonly name: string;
  /** `1.2-3`, or `1.2-3 → 1.4-1` for a version change. */
  readonly version: string;
  /** Bytes of its files (a comparison: NEW's, else OLD's). */
  readonly sizeBytes: number;
  /** NEW minus OLD, in a comparison; 0 in an image. */
  readonly delta: number;
  readonly files: number;
  /** The layer that installed it or last changed its version (a comparison: NEW's). */
  readonly layer: number;
};

export const DEFAULT_PACKAGES_PANE: PackagesPaneState = { open: false, cursor: 0, scroll: 0, sort: 'size', filter: '', editing: false };

/** `dpkg coreutils 9.1-1`: how a package is named on one line (the caller sanitizes). */
export function packageLabel(p: Pick<PackageRef, 'manager' | 'name' | 'version'>): string {
  return `${p.manager} ${p.name} ${p.version}`;
}

/** The packages of an image at a layer, from the view's cache. */
function packagesAt(d: ImageView, layer: number): readonly Package[] {
  if (!d.packages || layer < 0) return [];
  let got = d.caches.packagesAt.get(layer);
  if (!got) d.caches.packagesAt.set(layer, (got = d.packages.packagesAt(layer)));
  return got;
}

const rowOf = (p: Package, change: PackageRowChange, version = p.version, delta = 0): PackageRow => ({
  key: packageIdentity(p),
  change,
  manager: p.manager,
  name: p.name,
  version,
  sizeBytes: p.sizeBytes,
  delta,
  files: p.files,
  layer: p.layer,
});

/** The last rows built per view, by range: a redraw asks for them more than once. */
const rowsMemo = new WeakMap<ViewData, { key: string; rows: readonly PackageRow[] }>();

/** Every row before filtering and sorting: an image's packages at the top of the range (and those the range removed), or a comparison's differences. */
function allRows(d: ViewData, s: AppState): readonly PackageRow[] {
  const { base, top } = selectRange(s);
  const key = d.kind === 'image' ? `${base}|${top}` : '';
  const hit = rowsMemo.get(d);
  if (hit && hit.key === key) return hit.rows;
  const rows = buildRows(d, s);
  rowsMemo.set(d, { key, rows });
  return rows;
}

function buildRows(d: ViewData, s: AppState): readonly PackageRow[] {
  switch (d.kind) {
    case 'image': {
      const { base, top } = selectRange(s);
      const at = packagesAt(d, top);
      const before = packagesAt(d, base);
      // What the range did, by the same rules as comparing two images' packages.
      const diff = comparePackages(before, at, changedInRange(d, base, top, before, at));
      const how = new Map<Package, { change: PackageRowChange; from?: string }>();
      for (const x of diff) if (x.new) how.set(x.new, { change: x.change, from: x.old?.version });
      const rows = at.map((p) => {
        const h = how.get(p);
        return h ? rowOf(p, h.change, h.from !== undefined && h.from !== p.version ? `${h.from} → ${p.version}` : p.version) : rowOf(p, 'none');
      });
      for (const x of diff) if (!x.new && x.old) rows.push(rowOf(x.old, 'removed'));
      return rows;
    }
    case 'comparison':
      return (d.packages?.diff ?? []).map((x) => {
        const p = (x.new ?? x.old)!;
        const version = x.old && x.new && x.old.version !== x.new.version ? `${x.old.version} → ${x.new.version}` : p.version;
        return rowOf(p, x.change, version, x.sizeDeltaBytes);
      });
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The packages, at the base and at the top of a range, that own a file the range added,
 * changed or removed: a package the range left at its version changed with them.
 */
function changedInRange(d: ImageView, base: number, top: number, before: readonly Package[], at: readonly Package[]): ChangedOwners {
  const out = { old: new Set<Package>(), new: new Set<Package>() };
  const p = d.packages;
  if (!p || base < 0) return out;
  const key = (x: PackageRef) => `${packageIdentity(x)}\0${x.version}`;
  const atBase = new Map(before.map((x) => [key(x), x]));
  const atTop = new Map(at.map((x) => [key(x), x]));
  const { tree } = d.analysis;
  const change = tree.diffRange(base, top);
  for (let id = 1; id < change.length; id++) {
    const c = change[id]!;
    if (c !== Change.added && c !== Change.modified && c !== Change.removed) continue;
    const n = p.ownerAt(top, id);
    const nx = n && atTop.get(key(n));
    if (nx) out.new.add(nx);
    const o = p.ownerAt(base, id);
    const ox = o && atBase.get(key(o));
    if (ox) out.old.add(ox);
  }
  return out;
}

/**
 * The rows the pane lists now: filtered, what the range changed first (an image), then by size
 * (a comparison: by the size of the change) or by name.
 */
export function selectPackageRows(d: ViewData, s: AppState): readonly PackageRow[] {
  const pane = s.packages ?? DEFAULT_PACKAGES_PANE;
  const m = compileMatcher(pane.filter);
  const rows = allRows(d, s).filter((r) => pane.filter === '' || m.test(`${r.manager} ${r.name} ${r.version}`));
  const bySize = (a: PackageRow, b: PackageRow) => (d.kind === 'comparison' ? Math.abs(b.delta) - Math.abs(a.delta) : b.sizeBytes - a.sizeBytes);
  const byName = (a: PackageRow, b: PackageRow) => cmp(a.name, b.name) || cmp(a.manager, b.manager) || cmp(a.key, b.key);
  return [...rows].sort((a, b) => +(a.change === 'none') - +(b.change === 'none') || (pane.sort === 'size' ? bySize(a, b) || byName(a, b) : byName(a, b)));
}

/** Lines above the rows: a database not read, or why there is nothing to list. */
export function selectPackageNotes(d: ViewData): string[] {
  const warnings = d.kind === 'image' ? (d.packages?.warnings ?? []) : [...(d.packages?.old.warnings ?? []).map((w) => ({ ...w, side: 'OLD ' })), ...(d.packages?.new.warnings ?? []).map((w) => ({ ...w, side: 'NEW ' }))];
  if (!d.packages) return [pending(d) ? 'reading the package databases…' : 'the package databases were not read (--no-packages)'];
  return warnings.map((w) => `not read: ${'side' in w ? w.side : ''}${describePackageWarning(w)}`);
}

/** The rows' window: where the cursor is (clamped to the list) and the first row shown. */
export function selectPackagesWindow(d: ViewData, s: AppState, layout: Layout = selectViewLayout(d, s)): { rows: readonly PackageRow[]; notes: string[]; cursor: number; scroll: number; height: number } {
  const rows = selectPackageRows(d, s);
  const notes = selectPackageNotes(d);
  // Notes take at most half the pane; the rest lists packages.
  const shownNotes = Math.min(notes.length, Math.floor(layout.packagesHeight / 2));
  const height = Math.max(1, layout.packagesHeight - shownNotes);
  const pane = s.packages ?? DEFAULT_PACKAGES_PANE;
  const cursor = Math.max(0, Math.min(rows.length - 1, pane.cursor));
  return { rows, notes: notes.slice(0, shownNotes), cursor, scroll: clampScroll(pane.scroll, cursor, height, rows.length), height };
}

const MARK: Record<PackageRowChange, { text: string; style: Style }> = {
  none: { text: ' ', style: 'normal' },
  added: { text: '+', style: 'added' },
  removed: { text: '-', style: 'removed' },
  upgraded: { text: '↑', style: 'modified' },
  downgraded: { text: '↓', style: 'modified' },
  'version-changed': { text: '~', style: 'modified' },
  changed: { text: '~', style: 'modified' },
};

/** The pane ready to draw: title, filter line, column headers, notes and the rows that fit. */
export function selectPackagesPane(d: ViewData, s: AppState, layout: Layout = selectViewLayout(d, s)): { title: Line; input?: Line; head: Line[]; lines: Line[] } {
  const width = layout.rightWidth;
  const pane = s.packages ?? DEFAULT_PACKAGES_PANE;
  const w = selectPackagesWindow(d, s, layout);
  const focused = s.focus === 'packages';
  const comparison = d.kind === 'comparison';
  // Columns by the room there is: the mark and size always, files and layer when they fit.
  const withFiles = width >= 50;
  const withLayer = width >= 58 && !comparison;
  const sizeHead = comparison ? 'Δ Size' : 'Size';
  const head = fitLine([seg(`  ${fit(sizeHead, 9, 'right')}${withFiles ? `  ${fit('Files', 5, 'right')}` : ''}${withLayer ? '  Layer' : ''}  Package`, 'header')], width);
  const lines: Line[] = w.notes.map((n) => fitLine([seg(truncateMiddle(sanitize(n), width), 'error')], width));
  for (let i = w.scroll; i < Math.min(w.rows.length, w.scroll + w.height); i++) {
    const r = w.rows[i]!;
    const mark = MARK[r.change];
    const size = comparison ? formatSignedBytes(r.delta) : formatBytes(r.sizeBytes);
    const segs: Segment[] = [
      seg(`${d.symbols || mark.text !== ' ' ? mark.text : ' '} `, mark.style),
      seg(fit(size, 9, 'right'), 'dim'),
      ...(withFiles ? [seg(`  ${fit(String(r.files), 5, 'right')}`, 'dim')] : []),
      ...(withLayer ? [seg(`  ${fit(r.change === 'removed' ? '' : `L${r.layer}`, 5)}`, 'dim')] : []),
      seg(`  ${r.manager} `, 'dim'),
      seg(sanitize(r.name), r.change === 'none' ? 'normal' : mark.style),
      seg(` ${sanitize(r.version)}`, 'label'),
    ];
    lines.push(fitLine(segs, width, i === w.cursor ? (focused ? 'focused' : 'unfocused') : undefined));
  }
  if (w.rows.length === 0) lines.push(fitLine([seg(emptyText(d, pane), 'dim')], width));
  while (lines.length < layout.packagesHeight) lines.push(fitLine([], width));
  const input = layout.packagesRowsTop > 2 ? fitLine([seg('Filter: ', 'header'), seg(`${pane.filter}${pane.editing ? '▏' : ''}`), seg(compileMatcher(pane.filter).error ? '  (not a regex: matching as text)' : '', 'error')], width) : undefined;
  const count = `${w.rows.length === 0 ? 0 : w.cursor + 1}/${w.rows.length}`;
  const what = titleWhat(d, s);
  const room = width - cellWidth('▌Packages ') - cellWidth(` · ${count} `) - 2;
  const label = truncateMiddle([what, pane.sort === 'name' ? 'by name' : ''].filter(Boolean).join(' · '), Math.max(1, room));
  return { title: titleLine('Packages', `${label} · ${count}`, width, focused), ...(input ? { input } : {}), head: [head], lines: lines.slice(0, layout.packagesHeight) };
}

function emptyText(d: ViewData, pane: PackagesPaneState): string {
  if (pane.filter) return '(no package matches the filter)';
  if (!d.packages) return pending(d) ? '(pending)' : '(packages not read)';
  return d.kind === 'comparison' ? '(no package differs)' : '(no package in this layer\'s databases)';
}

/** What the title says the pane lists: the range and its counts, or a comparison's. */
function titleWhat(d: ViewData, s: AppState): string {
  const rows = allRows(d, s);
  const n = (c: PackageRowChange) => rows.filter((r) => r.change === c).length;
  const changed = rows.length - n('none') - n('added') - n('removed');
  const counts = `+${n('added')} −${n('removed')} ~${changed}`;
  switch (d.kind) {
    case 'image': {
      const { base, top } = selectRange(s);
      const marked = s.layers.mark !== null && s.layers.mark !== s.layers.cursor;
      const range = marked ? `L${base}→L${top}` : s.layers.mode === 'aggregated' ? `L0–L${top}` : `L${top}`;
      return `${range} ${counts}`;
    }
    case 'comparison':
      return `OLD → NEW ${counts}`;
  }
}

/** Whether an image's package databases are still being read (the inspector shows its tree first). */
function pending(d: ViewData): boolean {
  return d.kind === 'image' && d.packagesPending;
}

/** Layer details' package line of an image: what the layer did (`+2 −1 ~1 packages`), `pending` while being read; undefined when not read. */
export function selectLayerPackagesLine(d: ImageView, layer: number): string | undefined {
  if (d.packagesPending) return 'pending (reading the package databases…)';
  const l = d.packages?.layers[layer];
  if (!l) return undefined;
  return `+${l.added.length} −${l.removed.length} ~${l.changed.length} ${l.added.length + l.removed.length + l.changed.length === 1 ? 'package' : 'packages'}`;
}

/** The owner of the file under the tree's cursor, as shown beside its path: `dpkg coreutils 9.1-1`; undefined for none. */
export function selectOwnerText(d: ViewData, s: AppState, pathId: number): string | undefined {
  if (pathId < 0) return undefined;
  switch (d.kind) {
    case 'image': {
      const { base, top } = selectRange(s);
      const o = ownerAt(d, top, pathId) ?? (base >= 0 ? ownerAt(d, base, pathId) : undefined);
      return o && packageLabel(o);
    }
    case 'comparison': {
      const o = comparisonOwner(d, pathId);
      return o && `${o.side} ${packageLabel(o.ref)}`;
    }
  }
}

/** How many packages, by manager, for a status line: `120 packages (dpkg 100, npm 20)`. */
export function packageCountText(list: readonly Pick<Package, 'manager'>[]): string {
  const by = new Map<string, number>();
  for (const p of list) by.set(p.manager, (by.get(p.manager) ?? 0) + 1);
  return `${plural(list.length, 'package')}${by.size > 0 ? ` (${[...by].map(([m, n]) => `${m} ${n}`).join(', ')})` : ''}`;
}

/**
 * What the status bar says when the inspector opens on packages that could not all be read:
 * the first database not read, and how many more (the packages pane lists each); undefined
 * when every database was read.
 */
export function selectPackagesNotice(d: ViewData): string | undefined {
  if (!d.packages) return undefined;
  const notes = selectPackageNotes(d);
  if (notes.length === 0) return undefined;
  return `packages ${notes[0]!}${notes.length > 1 ? ` (and ${notes.length - 1} more)` : ''} (p: the packages)`;
}
