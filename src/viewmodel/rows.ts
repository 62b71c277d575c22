import type { Analysis } from '../core/analyze.js';
import { formatBytes, formatPercent } from '../format/bytes.js';
import { formatMode } from '../format/mode.js';
import { fit, sanitize, wrap } from '../format/text.js';
import { COMMANDS, type CommandId, type Scope } from './commands.js';
import { displayKey } from './keys.js';
import { formatKeys, type Keymap } from './keymap.js';
import { selectLayout, type Layout } from './layout.js';
import { fitLine, seg, titleLine, type Line, type Segment, type Style } from './segments.js';
import { isCollapsed, selectRange, type AppState } from './state.js';
import { rowEntry, rowKind, rowSize, type RowKind } from './tree-index.js';
import { diffOf, formatDelta, layerRowCount, selectDiffHistory, selectDiffImages, selectDiffLayerPane, selectDiffTotals, selectNarrowLayer } from './diff-view.js';
import { selectTreeView } from './tree-view.js';
import { selectHistoryLines } from './file-history.js';

/** What the selectors need beyond the state: the analysis and display options. */
export type ViewData = {
  readonly analysis: Analysis;
  /** Diff kinds get a symbol column (+ - ~ x): on under NO_COLOR. */
  readonly symbols: boolean;
  /** In a comparison (`analysis` is its difference tree): the two images, for per-image file histories. */
  readonly compared?: { readonly old: Analysis; readonly new: Analysis };
};

/** A pane ready to draw: its title line and exactly `height` body lines. */
export type PaneView = { readonly title: Line; readonly lines: readonly Line[] };

function padLines(lines: Line[], height: number, width: number): Line[] {
  while (lines.length < height) lines.push(fitLine([], width));
  return lines.slice(0, height);
}

function rangeLabel(state: AppState): string {
  const { base, top } = selectRange(state);
  if (state.layers.mark !== null && state.layers.mark !== state.layers.cursor) return `compare L${base}→L${top}`;
  return state.layers.mode === 'aggregated' ? `aggregated L0–L${top}` : `changes of L${top}`;
}

export function selectLayerPane(d: ViewData, state: AppState, layout: Layout = selectLayout(state, layerRowCount(d.analysis))): PaneView {
  const a = d.analysis;
  const diff = diffOf(a);
  if (diff) return selectDiffLayerPane(diff, state, layout);
  const width = layout.leftWidth;
  const { base, top } = selectRange(state);
  const digits = String(a.layers.length - 1).length;
  const lines: Line[] = [];
  const { scroll } = state.layers;
  for (let i = scroll; i < Math.min(a.layers.length, scroll + layout.layersHeight); i++) {
    const l = a.layers[i]!;
    const marked = state.layers.mark === i;
    const inRange = i > base && i <= top;
    const marker = marked ? 'B' : inRange ? '●' : ' ';
    const sel = i === state.layers.cursor ? (state.focus === 'layers' ? 'focused' : 'unfocused') : undefined;
    lines.push(
      fitLine(
        [
          seg(marker, 'marker'),
          seg(` ${String(i).padStart(digits)} `, 'dim'),
          seg(`${fit(formatBytes(l.sizeBytes), 7, 'right')}  `),
          seg(sanitize(l.command || '(no history)')),
        ],
        width,
        sel,
      ),
    );
  }
  return { title: titleLine('Layers', rangeLabel(state), width, state.focus === 'layers'), lines: padLines(lines, layout.layersHeight, width) };
}

export function selectLayerDetails(d: ViewData, state: AppState, layout: Layout = selectLayout(state, layerRowCount(d.analysis))): PaneView {
  const diff = diffOf(d.analysis);
  if (diff) return selectDiffTotals(diff, state, layout);
  const width = layout.leftWidth;
  const l = d.analysis.layers[state.layers.cursor];
  const lines: Line[] = [];
  if (l) {
    const kv = (k: string, v: string) => lines.push(fitLine([seg(`${k} `, 'header'), seg(v)], width));
    kv('Digest:', l.digest ?? '(none: legacy layer)');
    kv('DiffID:', l.diffId ?? '');
    kv('Size:  ', `${formatBytes(l.sizeBytes)}${l.compressedSizeBytes !== undefined ? `  stored ${formatBytes(l.compressedSizeBytes)}` : ''}  ${l.entryCount} entries`);
    kv('Media: ', l.mediaType ?? '');
    const c = l.changes;
    kv('Files: ', `+${c.added} ~${c.modified} -${c.removed} =${c.unmodified}`);
    const cmdLines = wrap(sanitize(l.createdBy ?? l.command ?? ''), width - 1);
    const room = layout.layerDetailsHeight - lines.length - 1;
    if (room > 0) {
      lines.push(fitLine([seg('Command:', 'header')], width));
      const shown = cmdLines.slice(0, room);
      if (cmdLines.length > room && shown.length > 0) shown[shown.length - 1] = `${shown[shown.length - 1]!.slice(0, Math.max(0, width - 2))}…`;
      for (const c of shown) lines.push(fitLine([seg(` ${c}`)], width));
    }
  }
  return { title: titleLine('Layer details', l ? `L${l.index}` : '', width, false), lines: padLines(lines, layout.layerDetailsHeight, width) };
}

export function selectImageDetails(d: ViewData, state: AppState, layout: Layout = selectLayout(state, layerRowCount(d.analysis))): PaneView {
  const a = d.analysis;
  const diff = diffOf(a);
  if (diff) return selectDiffImages(diff, layout);
  const width = layout.leftWidth;
  const lines: Line[] = [];
  const kv = (k: string, v: string, style?: Style) => lines.push(fitLine([seg(`${k} `, 'header'), seg(v, style)], width));
  kv('Image:', sanitize(a.identity.reference));
  kv('Total size:', `${formatBytes(a.sizeBytes)}  (${a.fileCount} files)`);
  kv('Potential wasted space:', formatBytes(a.wastedBytes), a.wastedBytes > 0 ? 'modified' : undefined);
  kv('Image efficiency score:', formatPercent(a.efficiency));
  kv('Reclaimable by squashing:', formatBytes(a.reclaimable.totalBytes));
  lines.splice(Math.max(0, layout.imageDetailsHeight - 2)); // keep room for the table when short
  const room = layout.imageDetailsHeight - lines.length;
  if (room >= 2) {
    lines.push(fitLine([seg(`${fit('Count', 5, 'right')}  ${fit('Total Space', 11, 'right')}  Path`, 'header')], width));
    for (const f of a.inefficientFiles.slice(0, room - 1)) {
      lines.push(fitLine([seg(`${fit(String(f.count), 5, 'right')}  ${fit(formatBytes(f.wastedBytes), 11, 'right')}  ${sanitize(f.path)}`)], width));
    }
  }
  return { title: titleLine('Image details', '', width, false), lines: padLines(lines, layout.imageDetailsHeight, width) };
}

const KIND_STYLE: Record<RowKind, Style> = {
  added: 'added',
  removed: 'removed',
  modified: 'modified',
  unmodified: 'unmodified',
  none: 'normal',
  hidden: 'hidden',
};
const KIND_SYMBOL: Record<RowKind, string> = { added: '+', removed: '-', modified: '~', unmodified: ' ', none: ' ', hidden: 'x' };

function treeTitle(state: AppState, a: Analysis): string {
  const flags: string[] = [];
  const h = state.tree.hidden;
  const hiddenKinds = [h.added && 'added', h.removed && 'removed', h.modified && 'modified', h.unmodified && 'unmodified'].filter(Boolean);
  if (hiddenKinds.length) flags.push(`hiding ${hiddenKinds.join(',')}`);
  if (state.tree.sort === 'size') flags.push('by size');
  if (state.tree.whiteouts) flags.push('whiteouts');
  const diff = diffOf(a);
  if (diff) {
    if (state.tree.sort === 'size') flags[flags.indexOf('by size')] = 'by size change';
    const only = selectNarrowLayer(a, state);
    return [only >= 0 ? `paths NEW L${only} wrote` : 'OLD → NEW', ...flags].join(' · ');
  }
  const { top } = selectRange(state);
  return [`L${top}: ${rangeLabel(state)}`, ...flags].join(' · ');
}

/** The file tree pane: title, the filter/search line when active, and the visible rows only. */
export function selectTreePane(d: ViewData, state: AppState, layout: Layout = selectLayout(state, layerRowCount(d.analysis))): PaneView & { input?: Line } {
  const a = d.analysis;
  const width = layout.rightWidth;
  const v = selectTreeView(a, state);
  const { ti, rows } = v;
  const diff = diffOf(a);
  const lines: Line[] = [];
  const focused = state.focus === 'tree';
  const last = (pos: number) => {
    const pp = ti.parentPos[pos]!;
    return ti.end[pos] === (pp < 0 ? ti.order.length : ti.end[pp]);
  };
  for (let r = v.scroll; r < Math.min(rows.count, v.scroll + v.height); r++) {
    const pos = rows.posAt(r);
    const p = ti.order[pos]!;
    const kind = rowKind(ti, a, p);
    const e = rowEntry(ti, a, p);
    const segs: Segment[] = [];
    if (d.symbols) segs.push(seg(`${KIND_SYMBOL[kind]} `, KIND_STYLE[kind]));
    if (layout.attributes) {
      const mode = e ? formatMode(e.type, e.mode) : 'd?????????';
      const owner = e ? `${e.uid}:${e.gid}` : '';
      // In a comparison the size column is the change of size (the subtree's, for a directory).
      const size = diff ? formatDelta(diff.deltaOf[p]!) : formatBytes(rowSize(ti, a, p));
      segs.push(seg(`${mode} ${fit(owner, 11, 'right')} ${fit(size, 8, 'right')}  `, 'dim'));
    }
    // tree glyphs: one column group per ancestor, then the node's own branch
    let prefix = '';
    for (let q = ti.parentPos[pos]!; q >= 0; q = ti.parentPos[q]!) prefix = (last(q) ? '    ' : '│   ') + prefix;
    const hasKids = ti.end[pos]! > pos + 1;
    const collapsed = hasKids && isCollapsed(state.tree.collapse, p);
    prefix += last(pos) ? '└' : '├';
    prefix += collapsed ? '─⊕ ' : '── ';
    segs.push(seg(prefix, 'dim'));
    let name = sanitize(a.tree.nameOf(p));
    if (e?.type === 'dir' && !hasKids) name += '/';
    segs.push(seg(name, KIND_STYLE[kind]));
    if (e?.type === 'symlink') segs.push(seg(` → ${sanitize(e.linkTarget ?? '')}`, 'dim'));
    if (e?.type === 'hardlink') segs.push(seg(` ⇒ /${sanitize(e.linkTarget ?? '')}`, 'dim'));
    const h = ti.hiddenBy?.get(p);
    if (h && h.root === p) {
      const how = h.via === 'opaque' ? `opaque /${a.tree.pathOf(h.markerDir)}` : 'whiteout';
      segs.push(seg(`  ← ${how} in L${h.layer}`, 'label'));
    }
    lines.push(fitLine(segs, width, r === v.cursorRow ? (focused ? 'focused' : 'unfocused') : undefined));
  }
  if (rows.count === 0) lines.push(fitLine([seg(state.filter.text ? '(no path matches the filter)' : '(nothing to show)', 'dim')], width));
  let input: Line | undefined;
  if (layout.inputLine) {
    if (state.search.editing) input = fitLine([seg('Search: ', 'header'), seg(`${state.search.text}▏`)], width);
    else {
      const err = ti.filterError ? '  (not a regex: matching as text)' : '';
      input = fitLine([seg('Filter: ', 'header'), seg(`${state.filter.text}${state.filter.editing ? '▏' : ''}`), seg(err, 'error')], width);
    }
  }
  const count = `${rows.count === 0 ? 0 : v.cursorRow + 1}/${rows.count}`;
  return {
    title: titleLine('Files', `${treeTitle(state, a)} · ${count}`, width, focused),
    input,
    lines: padLines(lines, v.height, width),
  };
}

/** The file history panel: every layer that touched the path under the cursor. */
export function selectFileHistoryPane(d: ViewData, state: AppState, pathId: number, layout: Layout = selectLayout(state, layerRowCount(d.analysis))): PaneView {
  const a = d.analysis;
  const width = layout.rightWidth;
  const lines: Line[] = [];
  const path = pathId >= 0 ? `/${a.tree.pathOf(pathId)}` : '';
  const diff = diffOf(a);
  if (diff && d.compared && pathId >= 0) lines.push(...selectDiffHistory(diff, d.compared.old, d.compared.new, a.tree.pathOf(pathId), width));
  else if (pathId >= 0) lines.push(...selectHistoryLines(a, state, pathId, width, layout.fileHistoryHeight));
  return { title: titleLine('File history', sanitize(path), width, state.focus === 'history'), lines: padLines(lines, layout.fileHistoryHeight, width) };
}

const SCOPE_TITLE: Record<Scope, string> = { global: 'Everywhere', layers: 'Layers pane', tree: 'File tree pane', history: 'File history panel (Tab to it while it is open)' };

/** The help overlay, generated from the command table and the live keymap. */
export function selectHelpLines(keymap: Keymap, width: number): Line[] {
  const lines: Line[] = [fitLine([seg('Keys', 'title-focused')], width)];
  for (const scope of ['global', 'layers', 'tree', 'history'] as const) {
    lines.push(fitLine([], width));
    lines.push(fitLine([seg(SCOPE_TITLE[scope], 'header')], width));
    for (const c of COMMANDS) {
      if (c.scope !== scope) continue;
      lines.push(fitLine([seg(`  ${fit(formatKeys(keymap, c.id), 18)} `, 'key'), seg(c.help)], width));
    }
  }
  lines.push(fitLine([], width));
  lines.push(fitLine([seg('Filter and search line', 'header')], width));
  lines.push(fitLine([seg(`  ${fit('Enter', 18)} `, 'key'), seg('keep it and go back to the tree')], width));
  lines.push(fitLine([seg(`  ${fit('Esc', 18)} `, 'key'), seg('clear it (search: back to where it started)')], width));
  lines.push(fitLine([seg('File viewer and file diff', 'header')], width));
  lines.push(fitLine([seg(`  ${fit('/ n N', 18)} `, 'key'), seg('search the file, next and previous match')], width));
  lines.push(fitLine([seg(`  ${fit('Esc / q', 18)} `, 'key'), seg('back to the panes')], width));
  lines.push(fitLine([seg('Extract prompt', 'header')], width));
  lines.push(fitLine([seg(`  ${fit('y / n', 18)} `, 'key'), seg('overwrite the existing files, or leave them')], width));
  lines.push(fitLine([], width));
  lines.push(fitLine([seg('Diff: ', 'header'), seg('added', 'added'), seg(' '), seg('removed', 'removed'), seg(' '), seg('modified', 'modified'), seg(' unmodified '), seg('hidden by a whiteout', 'hidden')], width));
  lines.push(fitLine([seg('Esc or ? closes this help.', 'dim')], width));
  return lines;
}

/** The history and config view: every history step (empty ones too) and the runtime config. */
export function selectInfoLines(a: Analysis, width: number): Line[] {
  const lines: Line[] = [];
  const push = (segments: Segment[]) => lines.push(fitLine(segments, width));
  push([seg('History', 'title-focused'), seg(`  ${a.history.length} steps, ${a.layers.length} layers`, 'dim')]);
  for (const h of a.history) {
    const size = h.emptyLayer ? 0 : (a.layers[h.layer]?.sizeBytes ?? 0);
    const idx = h.emptyLayer ? '   ' : fit(`L${h.layer}`, 3);
    push([
      seg(`${idx} `, h.emptyLayer ? 'dim' : 'marker'),
      seg(`${fit(formatBytes(size), 7, 'right')}  `, h.emptyLayer ? 'dim' : undefined),
      seg(`${fit(h.created ?? '', 20)}  `, 'dim'),
      seg(sanitize(h.command || '(no command)')),
    ]);
    if (h.comment) push([seg(`      ${' '.repeat(29)}# ${sanitize(h.comment)}`, 'dim')]);
  }
  const c = a.config;
  const kv = (k: string, v: string | undefined) => push([seg(fit(`${k}:`, 14), 'header'), seg(sanitize(v ?? ''))]);
  const list = (k: string, vs: readonly string[] | undefined) => {
    if (!vs || vs.length === 0) return kv(k, '');
    vs.forEach((v, i) => push([seg(fit(i === 0 ? `${k}:` : '', 14), 'header'), seg(sanitize(v))]));
  };
  push([]);
  push([seg('Config', 'title-focused')]);
  kv('Platform', [c.os, c.architecture, c.variant].filter(Boolean).join('/'));
  kv('Created', c.created);
  if (c.author) kv('Author', c.author);
  kv('Entrypoint', c.config.entrypoint ? JSON.stringify(c.config.entrypoint) : '');
  kv('Cmd', c.config.cmd ? JSON.stringify(c.config.cmd) : '');
  kv('WorkingDir', c.config.workingDir);
  kv('User', c.config.user);
  list('Env', c.config.env);
  list('ExposedPorts', c.config.exposedPorts);
  list('Volumes', c.config.volumes);
  list('Labels', c.config.labels ? Object.entries(c.config.labels).map(([k, v]) => `${k}=${v}`) : undefined);
  if (c.config.stopSignal) kv('StopSignal', c.config.stopSignal);
  return lines;
}

/** A scrolled window of overlay lines, padded to `height`. */
export function selectOverlayWindow(all: readonly Line[], scroll: number, height: number, width: number): Line[] {
  const s = Math.max(0, Math.min(scroll, all.length - height));
  return padLines(all.slice(s, s + height), height, width);
}

/**
 * Where checking the image's bytes against its digests stands: the inspector may show the
 * analysis while it runs (`verifying`); a mismatch (`error`, the one-line message) is loud.
 */
export type Verification = 'verifying' | 'verified' | { readonly error: string };

/**
 * The status bar: a failed verification (which wins over everything), else a prompt, a
 * message or the keys that work in the focused pane, after a `verifying…` mark while the
 * bytes are still being checked.
 */
export function selectStatusBar(keymap: Keymap, state: AppState, width: number, verification: Verification = 'verified'): Line {
  if (typeof verification === 'object') {
    return fitLine([seg(` ✗ NOT VERIFIED: ${verification.error} — the figures shown are of bytes the image does not vouch for`, 'error')], width);
  }
  const line = selectStatusBarContent(keymap, state, width);
  return verification === 'verifying' ? fitLine([seg(' verifying…', 'marker'), ...line.segments], width) : line;
}

function selectStatusBarContent(keymap: Keymap, state: AppState, width: number): Line {
  if (state.prompt) {
    const n = state.prompt.existing.length;
    return fitLine([seg(` Overwrite ${n} existing ${n === 1 ? 'file' : 'files'} (${state.prompt.existing.slice(0, 2).join(', ')}${n > 2 ? ', …' : ''})? `, 'error'), seg('y', 'key'), seg('/'), seg('n', 'key')], width);
  }
  if (state.compare) {
    return fitLine([seg(' Compare with: ', 'header'), seg(`${state.compare.text}▏`), seg('  Enter', 'key'), seg(' Compare '), seg(' Esc', 'key'), seg(' Cancel')], width);
  }
  if (state.message) return fitLine([seg(` ${state.message.text}`, state.message.tone === 'error' ? 'error' : 'label')], width);
  if (state.filter.editing || state.search.editing) {
    return fitLine([seg(' Enter', 'key'), seg(' Keep '), seg(' Esc', 'key'), seg(state.search.editing ? ' Cancel ' : ' Clear ')], width);
  }
  if (state.overlay !== 'none') {
    if (state.overlay === 'findings') return fitLine([seg(' Enter', 'key'), seg(' Go to the layer and path '), seg(' Esc', 'key'), seg(' Close '), seg(` ${displayKey('up')}${displayKey('down')}`, 'key'), seg(' Select')], width);
    return fitLine([seg(' Esc', 'key'), seg(' Close '), seg(` ${displayKey('up')}${displayKey('down')}`, 'key'), seg(' Scroll '), seg(` ${formatKeys(keymap, 'app.quit')}`, 'key'), seg(' Quit')], width);
  }
  const off = (id: CommandId): boolean => {
    const h = state.tree.hidden;
    if (id === 'tree.toggleAdded') return h.added;
    if (id === 'tree.toggleRemoved') return h.removed;
    if (id === 'tree.toggleModified') return h.modified;
    if (id === 'tree.toggleUnmodified') return h.unmodified;
    if (id === 'tree.toggleAttributes') return !state.tree.attributes;
    if (id === 'tree.toggleWhiteouts') return !state.tree.whiteouts;
    if (id === 'tree.fileHistory') return !state.tree.fileHistory;
    if (id === 'layers.compareLayer') return state.layers.mode !== 'layer' || state.layers.mark !== null;
    if (id === 'layers.compareAggregated') return state.layers.mode !== 'aggregated' || state.layers.mark !== null;
    return false;
  };
  const segs: Segment[] = [];
  const ordered = [...COMMANDS.filter((c) => c.scope === state.focus), ...COMMANDS.filter((c) => c.scope === 'global')];
  for (const c of ordered) {
    if (!('label' in c)) continue;
    const k = keymap.keysFor(c.id)[0];
    if (!k) continue;
    segs.push(seg(` ${displayKey(k)}`, 'key'), seg(` ${c.label}`, off(c.id) ? 'label-off' : 'label'));
  }
  return fitLine(segs, width);
}
