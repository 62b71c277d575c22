import type { Analysis } from '../core/index.js';
import { formatBytes, formatPercent, formatMode, cellWidth, clip, fit, formatTimestamp, plural, sanitize, truncateMiddle, wrap } from '../format/index.js';
import { formatPlatform } from '../reference/index.js';
import { COMMANDS, DEFAULT_STATUS_PRIORITY, type CommandId, type CommandSpec, type Scope } from './commands.js';
import { displayKey } from './keys.js';
import { formatKeys, type Keymap } from './keymap.js';
import { selectViewLayout, type Layout } from './layout.js';
import { fitLine, seg, titleLine, type Line, type Segment, type Style } from './segments.js';
import { isCollapsed, selectRange, type AppState } from './state.js';
import { compileMatcher, type RowKind } from './tree-index.js';
import { formatDelta, selectDiffHistory, selectDiffImages, selectDiffLayerPane, selectDiffTotals, selectNarrowLayer } from './diff-view.js';
import { rowLook, selectCursorPath, selectTreeView, type TreeView } from './tree-view.js';
import { selectLayerPackagesLine, selectOwnerText } from './packages-view.js';
import { selectExtractStatus, selectSkippedLines } from './extract-view.js';
import { selectSearchPrompt } from './search.js';
import { selectComparePrompt } from './compare-prompt.js';
import { selectWasteTable, wasteRows } from './waste-view.js';
import { selectHistoryLines } from './file-history.js';
import { selectFindingsLines } from './findings-view.js';
import { pathsOf, type ImageView, type ViewData } from './view-data.js';

/**
 * A pane ready to draw: its title line and exactly `height` body lines; the tree adds its
 * input line and `head` (the selected path and the column headers) between them.
 */
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

/** The layers pane: an image's layers, or a comparison's aligned layers. */
export function selectLayerPane(d: ViewData, state: AppState, layout: Layout = selectViewLayout(d, state)): PaneView {
  switch (d.kind) {
    case 'image':
      return selectImageLayerPane(d, state, layout);
    case 'comparison':
      return selectDiffLayerPane(d, state, layout);
  }
}

function selectImageLayerPane(d: ImageView, state: AppState, layout: Layout): PaneView {
  const a = d.analysis;
  const width = layout.leftWidth;
  const { base, top } = selectRange(state);
  const digits = String(a.layers.length - 1).length;
  const lines: Line[] = [];
  const { scroll } = state.layers;
  for (let i = scroll; i < Math.min(a.layers.length, scroll + layout.layersHeight); i++) {
    const l = a.layers[i]!;
    // With a marked range, B is its base (whichever end was marked) and ● the layers it adds.
    const ranged = state.layers.mark !== null && state.layers.mark !== state.layers.cursor;
    const inRange = i > base && i <= top;
    const marker = (ranged ? i === base : state.layers.mark === i) ? 'B' : inRange ? '●' : ' ';
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

/** A layer's digest in full when it fits, else its first 12 hex digits (`sha256:0123456789ab`). */
function digestFor(d: string, room: number): string {
  return d.length <= room ? d : d.slice(0, d.indexOf(':') + 13);
}

/**
 * What layer details' title says: the selected layer and, with a marked base, which end of
 * the compared range it is, so it agrees with the file tree's title.
 */
function layerDetailsTitle(state: AppState, index: number): string {
  const { mark, cursor } = state.layers;
  if (mark === null || mark === cursor) return `L${index}`;
  const { base, top } = selectRange(state);
  return `L${index} ${index === base ? 'base' : 'top'} of L${base}→L${top}`;
}

/** Below the layers: the selected layer's details, or a comparison's totals side by side. */
export function selectLayerDetails(d: ViewData, state: AppState, layout: Layout = selectViewLayout(d, state)): PaneView {
  switch (d.kind) {
    case 'image':
      return selectImageLayerDetails(d, state, layout);
    case 'comparison':
      return selectDiffTotals(d, layout);
  }
}

function selectImageLayerDetails(d: ImageView, state: AppState, layout: Layout): PaneView {
  const width = layout.leftWidth;
  const height = layout.layerDetailsHeight;
  const l = d.analysis.layers[state.layers.cursor];
  const lines: Line[] = [];
  let cut = false;
  if (l) {
    const kv = (k: string, v: string): Line => fitLine([seg(`${k} `, 'header'), seg(v)], width);
    const c = l.changes;
    const rows = {
      digest: kv('Digest:', l.digest ? digestFor(sanitize(l.digest), width - 8) : '(none: legacy layer)'),
      diffId: kv('DiffID:', l.diffId ? digestFor(sanitize(l.diffId), width - 8) : ''),
      size: kv('Size:  ', `${formatBytes(l.sizeBytes)}${l.compressedSizeBytes !== undefined ? `  stored ${formatBytes(l.compressedSizeBytes)}` : ''}`),
      media: kv('Media: ', sanitize(l.mediaType ?? '')),
      files: kv('Files: ', `+${c.added} ~${c.modified} -${c.removed} =${c.unmodified}  ${plural(l.entryCount, 'entry', 'entries')}`),
      packages: kv('Pkgs:  ', selectLayerPackagesLine(d, l.index) ?? ''),
    };
    // The command wraps after its label; its lines after the first are indented by one.
    const cmd = wrap(`Command: ${sanitize(l.createdBy ?? l.command ?? '')}`, width - 1);
    const line = sourceLine(d, l.index);
    // What gets room first: size, changes, the command's first line, its Dockerfile line and
    // its package changes; then the digest, the whole command, the diffID and the media type.
    const want = { size: 1, files: 1, command: 1, line: line === undefined ? 0 : 1, packages: d.packages || d.packagesPending ? 1 : 0, digest: 1, more: cmd.length - 1, diffId: 1, media: 1 };
    let left = height;
    const got = { size: 0, files: 0, command: 0, line: 0, packages: 0, digest: 0, more: 0, diffId: 0, media: 0 };
    for (const k of ['size', 'files', 'command', 'line', 'packages', 'digest', 'more', 'diffId', 'media'] as const) {
      got[k] = Math.max(0, Math.min(want[k], left));
      left -= got[k];
    }
    if (got.digest) lines.push(rows.digest);
    if (got.diffId) lines.push(rows.diffId);
    if (got.size) lines.push(rows.size);
    if (got.media) lines.push(rows.media);
    if (got.files) lines.push(rows.files);
    if (got.line && line !== undefined) lines.push(kv('Line:  ', line));
    if (got.packages) lines.push(rows.packages);
    const shown = cmd.slice(0, got.command + got.more);
    cut = shown.length < cmd.length;
    shown.forEach((t, i) => {
      const body = i === 0 ? t.slice('Command:'.length) : ` ${t}`;
      // A cut command says so on its last line: the history view (i) has it whole.
      const last = cut && i === shown.length - 1;
      const text = last ? clip(body, width - 5 - (i === 0 ? 8 : 0)) : body;
      lines.push(fitLine([...(i === 0 ? [seg('Command:', 'header')] : []), seg(text), ...(last ? [seg('…[i]', 'dim')] : [])], width));
    });
  }
  const name = width >= 40 ? 'Layer details' : 'Layer';
  return { title: titleLine(name, l ? layerDetailsTitle(state, l.index) : '', width, false), lines: padLines(lines, height, width) };
}

/**
 * The Dockerfile line of a layer for layer details, when the image's lines are known:
 * `Dockerfile:12` or `Dockerfile:12-14`; for a base layer, the final stage's `FROM`; for a layer
 * several instructions were squashed into, their lines; otherwise that no instruction matched
 * (never a guessed line). Undefined when no Dockerfile or provenance is known.
 */
export function sourceLine(d: ImageView, layer: number): string | undefined {
  const s = d.sources;
  if (!s) return undefined;
  const at = (l: { file: string; line: number; endLine: number }) => `${sanitize(l.file)}:${l.line}${l.endLine > l.line ? `-${l.endLine}` : ''}`;
  const l = s.layers[layer];
  if (l?.source) return at(l.source);
  if (l?.base) return s.from ? `base image (FROM at ${at(s.from)})` : 'base image';
  if (l && l.makers.length > 1) {
    const files = new Set(l.makers.map((m) => m.location.file));
    const lines = (m: { location: { line: number; endLine: number } }) => `${m.location.line}${m.location.endLine > m.location.line ? `-${m.location.endLine}` : ''}`;
    // One file, as it nearly always is: its name once, then the lines.
    return files.size === 1 ? `squashed: ${sanitize(l.makers[0]!.location.file)}:${l.makers.map(lines).join(', ')}` : `squashed: ${l.makers.map((m) => at(m.location)).join(', ')}`;
  }
  return '(no instruction matched)';
}

/** `alpine:3.20 · linux/arm64`: the image's name (middle-truncated) and platform, in `width` cells. */
/**
 * The image's name and platform in the room there is: the whole reference, else without its
 * transport (`docker-archive:`, `docker://`), else its last path component (the archive's file
 * name, the repository and tag), and only then cut in the middle.
 */
export function imageName(a: Analysis, width: number): string {
  const c = a.config;
  const platform = sanitize(a.identity.platform ? formatPlatform(a.identity.platform) : [c.os, c.architecture, c.variant].filter(Boolean).join('/'));
  const tail = platform ? ` · ${platform}` : '';
  const room = Math.max(8, width - cellWidth(tail));
  const full = sanitize(a.identity.reference);
  const bare = full.replace(/^[a-z][a-z0-9-]*:(\/\/)?/, '');
  // The last path component, with the tag or digest after it (`edge.tar:app:1`, `app:1.2`).
  const last = /[^/]*$/.exec(bare.replace(/[:@][^/]*$/, ''))![0] + (/[:@][^/]*$/.exec(bare)?.[0] ?? '');
  const name = [full, bare, last].find((n) => n !== '' && cellWidth(n) <= room) ?? truncateMiddle(last || bare, room);
  return `${name}${tail}`;
}

/** At the bottom left: the image's figures and wasted files, or who a comparison compares. */
export function selectImageDetails(d: ViewData, state: AppState, layout: Layout = selectViewLayout(d, state)): PaneView {
  switch (d.kind) {
    case 'image':
      return selectImageFigures(d, state, layout);
    case 'comparison':
      return selectDiffImages(d, layout);
  }
}

function selectImageFigures(d: ImageView, state: AppState, layout: Layout): PaneView {
  const a = d.analysis;
  const width = layout.leftWidth;
  // dive's labels where they fit, short ones where they would cut the figure.
  const kv = (k: string, short: string, v: string, style?: Style): Line =>
    fitLine([seg(`${cellWidth(k) + 1 + cellWidth(v) <= width ? k : short} `, 'header'), seg(v, style)], width);
  // The figures in the order shown, each with its rank: the score and the waste stay longest.
  const figures: { line: Line; rank: number }[] = [
    { line: fitLine([seg('Image: ', 'header'), seg(imageName(a, width - 7))], width), rank: 5 },
    { line: kv('Total size:', 'Total:', `${formatBytes(a.sizeBytes)}  (${plural(a.fileCount, 'file')})`), rank: 4 },
    { line: kv('Potential wasted space:', 'Wasted:', formatBytes(a.wastedBytes), a.wastedBytes > 0 ? 'modified' : undefined), rank: 2 },
    { line: kv('Image efficiency score:', 'Efficiency:', formatPercent(a.efficiency)), rank: 1 },
    { line: kv('Reclaimable by squashing:', 'Reclaimable:', formatBytes(a.reclaimable.totalBytes)), rank: 3 },
  ];
  const keep = Math.min(figures.length, layout.imageDetailsHeight);
  const lines: Line[] = figures.filter((f) => f.rank <= keep).map((f) => f.line);
  const rows = wasteRows(layout);
  if (rows > 0) lines.push(...selectWasteTable(d, state, width, rows));
  const focused = state.focus === 'waste';
  const where = focused && a.inefficientFiles.length > 0 ? `${(state.waste?.cursor ?? 0) + 1}/${a.inefficientFiles.length} wasted files` : '';
  return { title: titleLine('Image details', where, width, focused), lines: padLines(lines, layout.imageDetailsHeight, width) };
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

function treeTitle(state: AppState, d: ViewData): string {
  const flags: string[] = [];
  const h = state.tree.hidden;
  const hiddenKinds = [h.added && 'added', h.removed && 'removed', h.modified && 'modified', h.unmodified && 'unmodified'].filter(Boolean);
  if (hiddenKinds.length) flags.push(`hiding ${hiddenKinds.join(', ')}`);
  // Last: a cut title keeps its start and its end, and this says why files are missing.
  const only = state.tree.package ? [`only ${sanitize(state.tree.package.label)}`] : [];
  switch (d.kind) {
    case 'image': {
      if (state.tree.sort === 'size') flags.push('by size');
      if (state.tree.whiteouts) flags.push('whiteouts');
      const { top } = selectRange(state);
      // A marked range names both its ends; the layer alone would be only one of them.
      const marked = state.layers.mark !== null && state.layers.mark !== state.layers.cursor;
      return [marked ? rangeLabel(state) : `L${top}: ${rangeLabel(state)}`, ...flags, ...only].join(' · ');
    }
    case 'comparison': {
      if (state.tree.sort === 'size') flags.push('by size change');
      const layer = selectNarrowLayer(d, state);
      return [layer >= 0 ? `paths NEW L${layer} wrote` : 'OLD → NEW', ...flags, ...only].join(' · ');
    }
  }
}

const SIZE_HEAD: Record<TreeView['kind'], string> = { image: 'Size', comparison: 'Δ Size' };

/** The size column of a row: bytes, or in a comparison the change of them (the subtree's, for a directory). */
function sizeText(v: TreeView, size: number): string {
  switch (v.kind) {
    case 'image':
      return formatBytes(size);
    case 'comparison':
      return formatDelta(size);
  }
}

/** What a whiteout or opaque directory hid, beside the path it hid (an image's tree, whiteouts shown). */
function hiddenNote(v: TreeView, pathId: number): Segment[] {
  switch (v.kind) {
    case 'image': {
      const h = v.ti.hiddenBy?.get(pathId);
      if (!h || h.root !== pathId) return [];
      const how = h.via === 'opaque' ? `opaque /${v.data.analysis.tree.pathOf(h.markerDir)}` : 'whiteout';
      return [seg(`  ← ${how} in L${h.layer}`, 'label')];
    }
    case 'comparison':
      return [];
  }
}

/** The file tree pane: title, the filter/search line when active, and the visible rows only. */
export function selectTreePane(d: ViewData, state: AppState, layout: Layout = selectViewLayout(d, state)): PaneView & { input?: Line; head: readonly Line[] } {
  const paths = pathsOf(d);
  const width = layout.rightWidth;
  const v = selectTreeView(d, state);
  const { ti, rows } = v;
  const lines: Line[] = [];
  const focused = state.focus === 'tree';
  const last = (pos: number) => {
    const pp = ti.parentPos[pos]!;
    return ti.end[pos] === (pp < 0 ? ti.order.length : ti.end[pp]);
  };
  for (let r = v.scroll; r < Math.min(rows.count, v.scroll + v.height); r++) {
    const pos = rows.posAt(r);
    const p = ti.order[pos]!;
    const { kind, entry: e, size: figure } = rowLook(v, p);
    const segs: Segment[] = [];
    if (d.symbols) segs.push(seg(`${KIND_SYMBOL[kind]} `, KIND_STYLE[kind]));
    if (layout.attributes) {
      const size = sizeText(v, figure);
      if (layout.compactAttributes) segs.push(seg(`${fit(size, 8, 'right')}  `, 'dim'));
      else {
        const mode = e ? formatMode(e.type, e.mode) : 'd?????????';
        const owner = e ? `${e.uid}:${e.gid}` : '';
        segs.push(seg(`${mode} ${fit(owner, 11, 'right')} ${fit(size, 8, 'right')}  `, 'dim'));
      }
    }
    // tree glyphs: one column group per ancestor, then the node's own branch
    let prefix = '';
    for (let q = ti.parentPos[pos]!; q >= 0; q = ti.parentPos[q]!) prefix = (last(q) ? '    ' : '│   ') + prefix;
    const hasKids = ti.end[pos]! > pos + 1;
    const collapsed = hasKids && isCollapsed(state.tree.collapse, p);
    prefix += last(pos) ? '└' : '├';
    prefix += collapsed ? '─⊕ ' : '── ';
    segs.push(seg(prefix, 'dim'));
    let name = sanitize(paths.nameOf(p));
    if (e?.type === 'dir' && !hasKids) name += '/';
    segs.push(seg(name, KIND_STYLE[kind]));
    if (e?.type === 'symlink') segs.push(seg(` → ${sanitize(e.linkTarget ?? '')}`, 'dim'));
    if (e?.type === 'hardlink') segs.push(seg(` ⇒ /${sanitize(e.linkTarget ?? '')}`, 'dim'));
    segs.push(...hiddenNote(v, p));
    lines.push(fitLine(segs, width, r === v.cursorRow ? (focused ? 'focused' : 'unfocused') : undefined));
  }
  if (rows.count === 0) lines.push(fitLine([seg(state.filter.text ? '(no path matches the filter)' : '(nothing to show)', 'dim')], width));
  let input: Line | undefined;
  if (layout.inputLine) {
    // The search prompt is in the status line; this line is the filter's alone.
    const err = ti.filterError ? '  (not a regex: matching as text)' : '';
    input = fitLine([seg('Filter: ', 'header'), seg(`${state.filter.text}${state.filter.editing ? '▏' : ''}`), seg(err, 'error')], width);
  }
  const count = `${rows.count === 0 ? 0 : v.cursorRow + 1}/${rows.count}`;
  // The title keeps the row count whole; what is compared gives way in its middle.
  const room = width - cellWidth('▌Files ') - cellWidth(` · ${count} `) - 2;
  let full = treeTitle(state, d);
  if (cellWidth(full) > room) full = full.replace(/^L\d+: /, ''); // `changes of L4` names the layer already
  const label = truncateMiddle(full, room);
  // Above the rows: the selected row's full path (its file name kept) and the column headers.
  const cursorPath = v.cursorRow < 0 ? -1 : ti.order[rows.posAt(v.cursorRow)]!;
  // The selected file's owner follows its path, when a package owns it and there is room.
  const owner = selectOwnerText(d, state, cursorPath);
  const ownerText = owner ? `  ${sanitize(owner)}` : '';
  const pathRoom = owner && width >= 40 ? Math.max(Math.ceil(width / 2), width - cellWidth(ownerText)) : width;
  const shownPath = cursorPath < 0 ? '' : truncateMiddle(sanitize(`/${paths.pathOf(cursorPath)}`), pathRoom);
  const pathLine = fitLine([seg(shownPath, 'label'), ...(owner && pathRoom < width ? [seg(ownerText, 'dim')] : [])], width);
  const sizeHead = SIZE_HEAD[v.kind];
  const columns = !layout.attributes
    ? ''
    : layout.compactAttributes
      ? `${fit(sizeHead, 8, 'right')}  `
      : `${fit('Permission', 10)} ${fit('UID:GID', 11, 'right')} ${fit(sizeHead, 8, 'right')}  `;
  const headerLine = fitLine([seg(`${d.symbols ? '  ' : ''}${columns}Name`, 'header')], width);
  return {
    title: titleLine('Files', `${label} · ${count}`, width, focused),
    input,
    head: [pathLine, headerLine],
    lines: padLines(lines, v.height, width),
  };
}

/** What the tree pane says while its tree is built (see `selectTreeReady`); the rows come when it is. */
export const TREE_PENDING = 'building the tree…';

/**
 * The file tree pane while the tree the state asks for is still being built: its title (what is
 * compared, no row count yet), the filter as typed, and one line saying so. Costs nothing in
 * proportion to the image: a layer change or a filter keystroke draws this at once.
 */
export function selectPendingTreePane(d: ViewData, state: AppState, layout: Layout = selectViewLayout(d, state)): PaneView & { input?: Line; head: readonly Line[] } {
  const width = layout.rightWidth;
  const focused = state.focus === 'tree';
  const count = '…';
  const room = width - cellWidth('▌Files ') - cellWidth(` · ${count} `) - 2;
  let full = treeTitle(state, d);
  if (cellWidth(full) > room) full = full.replace(/^L\d+: /, '');
  let input: Line | undefined;
  if (layout.inputLine) {
    const err = state.filter.text !== '' && compileMatcher(state.filter.text).error ? '  (not a regex: matching as text)' : '';
    input = fitLine([seg('Filter: ', 'header'), seg(`${state.filter.text}${state.filter.editing ? '▏' : ''}`), seg(err, 'error')], width);
  }
  return {
    title: titleLine('Files', `${truncateMiddle(full, room)} · ${count}`, width, focused),
    input,
    head: [fitLine([], width), fitLine([], width)],
    lines: padLines([fitLine([seg(`(${TREE_PENDING})`, 'dim')], width)], layout.treeHeight, width),
  };
}

/** The file history panel: every layer that touched the path under the cursor. */
export function selectFileHistoryPane(d: ViewData, state: AppState, pathId: number, layout: Layout = selectViewLayout(d, state)): PaneView {
  const width = layout.rightWidth;
  const rel = pathId >= 0 ? pathsOf(d).pathOf(pathId) : undefined;
  const lines: Line[] = rel === undefined ? [] : historyLines(d, state, pathId, rel, width, layout.fileHistoryHeight);
  const path = rel === undefined ? '' : `/${rel}`;
  return { title: titleLine('File history', truncateMiddle(sanitize(path), width - 17), width, state.focus === 'history'), lines: padLines(lines, layout.fileHistoryHeight, width) };
}

/** A path's history: every layer of the image that touched it, or in a comparison its history in each image. */
function historyLines(d: ViewData, state: AppState, pathId: number, rel: string, width: number, height: number): Line[] {
  switch (d.kind) {
    case 'image':
      return selectHistoryLines(d, state, pathId, width, height);
    case 'comparison':
      return selectDiffHistory(d, rel, width, height);
  }
}

/** What each mark on screen means, for the help (the README's "Colours and symbols" says the same). */
export const GLYPHS: readonly (readonly [string, string])[] = [
  ['├─⊕ usr', 'a collapsed directory (Space or → opens it)'],
  ['tmp/', 'an empty directory'],
  ['sh → busybox', 'a symbolic link and its target'],
  ['ls ⇒ /bin/busybox', 'a hard link: the same file as that path'],
  ['+ - ~ x', 'without colour: added, removed, modified, hidden by a whiteout'],
  ['● / B', 'layers: the layers the tree compares / the marked base'],
  ['= - + ↕', 'a comparison\'s layers: shared, OLD only, NEW only, moved'],
  ['* / ●', 'file history: the marked version / the selected layer\'s'],
  ['…[i]', 'a command cut short: i shows every step whole'],
];

const SCOPE_TITLE: Record<Scope, string> = {
  global: 'Everywhere',
  layers: 'Layers pane',
  tree: 'File tree pane',
  waste: 'Wasted-files list (image details)',
  history: 'File history panel (Tab to it while it is open)',
  packages: 'Packages pane (p; / filters, Esc closes)',
};

/** The help overlay, generated from the command table and the live keymap. */
export function selectHelpLines(keymap: Keymap, width: number): Line[] {
  const lines: Line[] = [fitLine([seg('Keys', 'title-focused')], width)];
  for (const scope of ['global', 'packages', 'layers', 'tree', 'history', 'waste'] as const) {
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
  lines.push(fitLine([seg(`  ${fit('Esc', 18)} `, 'key'), seg('clear it (search: back to where it started); in the tree, Esc also clears a kept filter')], width));
  lines.push(fitLine([seg('File viewer and file diff', 'header')], width));
  lines.push(fitLine([seg(`  ${fit('/ n N', 18)} `, 'key'), seg('search the file, next and previous match')], width));
  lines.push(fitLine([seg(`  ${fit('Esc / q', 18)} `, 'key'), seg('back to the panes')], width));
  lines.push(fitLine([seg('Extract prompt', 'header')], width));
  lines.push(fitLine([seg(`  ${fit('y / n', 18)} `, 'key'), seg('overwrite the existing files (or extract everything), or leave them')], width));
  lines.push(fitLine([seg(`  ${fit('Esc', 18)} `, 'key'), seg('while an extraction runs: cancel it (files written whole stay, no partial file is left)')], width));
  lines.push(fitLine([], width));
  lines.push(fitLine([seg('Diff: ', 'header'), seg('added', 'added'), seg(' '), seg('removed', 'removed'), seg(' '), seg('modified', 'modified'), seg(' unmodified '), seg('hidden by a whiteout', 'hidden')], width));
  lines.push(fitLine([], width));
  lines.push(fitLine([seg('Symbols', 'header')], width));
  for (const [glyph, meaning] of GLYPHS) lines.push(fitLine([seg(`  ${fit(glyph, 18)} `, 'key'), seg(meaning)], width));
  lines.push(fitLine([], width));
  lines.push(fitLine([seg('Esc or ? closes this help.', 'dim')], width));
  return lines;
}

/** The history and config view: every history step (empty ones too) and the runtime config. */
export function selectInfoLines(a: Analysis, width: number): Line[] {
  const lines: Line[] = [];
  const push = (segments: Segment[]) => lines.push(fitLine(segments, width));
  push([seg('History', 'title-focused'), seg(`  ${plural(a.history.length, 'step')}, ${plural(a.layers.length, 'layer')}`, 'dim')]);
  // Layer, size and time take 34 cells; the command wraps in the rest, each line under the first.
  const indent = ' '.repeat(34);
  const cmdWidth = Math.max(16, width - indent.length);
  for (const h of a.history) {
    const size = h.emptyLayer ? 0 : (a.layers[h.layer]?.sizeBytes ?? 0);
    const idx = h.emptyLayer ? '   ' : fit(`L${h.layer}`, 3);
    const cmd = wrap(sanitize(h.command || '(no command)'), cmdWidth);
    push([
      seg(`${idx} `, h.emptyLayer ? 'dim' : 'marker'),
      seg(`${fit(formatBytes(size), 7, 'right')}  `, h.emptyLayer ? 'dim' : undefined),
      seg(`${fit(formatTimestamp(h.created), 19)}  `, 'dim'),
      seg(cmd[0] ?? ''),
    ]);
    for (const more of cmd.slice(1)) push([seg(indent), seg(more)]);
    if (h.comment) for (const c of wrap(`# ${sanitize(h.comment)}`, cmdWidth)) push([seg(`${indent}${c}`, 'dim')]);
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
  kv('Created', c.created); // whole, as the config has it (RFC 3339)
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

/** The history and config of what is shown: the image's, or in a comparison OLD's then NEW's, each under its name. */
function selectViewInfoLines(d: ViewData, width: number): Line[] {
  switch (d.kind) {
    case 'image':
      return selectInfoLines(d.analysis, width);
    case 'comparison': {
      const side = (label: string, a: Analysis) => [fitLine([seg(`${label} `, 'title-focused'), seg(sanitize(a.identity.reference), 'header')], width), ...selectInfoLines(a, width)];
      return [...side('OLD', d.old), fitLine([], width), ...side('NEW', d.new)];
    }
  }
}

/** The head of the history view: the selected file and the package that owns it (or that none does), when packages were read. */
function selectFileInfoLines(d: ViewData, state: AppState, width: number): Line[] {
  if (!d.packages) return [];
  const pathId = selectCursorPath(d, state);
  if (pathId < 0) return [];
  const owner = selectOwnerText(d, state, pathId);
  return [
    fitLine([seg('File ', 'title-focused'), seg(truncateMiddle(sanitize(`/${pathsOf(d).pathOf(pathId)}`), Math.max(8, width - 5)), 'header')], width),
    fitLine([seg(fit('Owner:', 14), 'header'), seg(owner ? sanitize(owner) : 'no package owns it', owner ? undefined : 'dim')], width),
    fitLine([], width),
  ];
}

/** The lines of the open overlay (none: no lines). */
export function selectOverlayLines(d: ViewData, state: AppState, keymap: Keymap, width: number): Line[] {
  switch (state.overlay) {
    case 'none':
      return [];
    case 'help':
      return selectHelpLines(keymap, width);
    case 'info':
      return [...selectFileInfoLines(d, state, width), ...selectViewInfoLines(d, width)];
    case 'skipped':
      return selectSkippedLines(state, width);
    case 'findings':
      switch (d.kind) {
        case 'image':
          return selectFindingsLines(d, state, width);
        case 'comparison':
          return [fitLine([seg('findings are per image: open one image to see them', 'dim')], width)];
      }
  }
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
  const mark = ' verifying…';
  if (verification !== 'verifying') return selectStatusBarContent(keymap, state, width);
  return fitLine([seg(mark, 'marker'), ...selectStatusBarContent(keymap, state, width - cellWidth(mark)).segments], width);
}

function selectStatusBarContent(keymap: Keymap, state: AppState, width: number): Line {
  const extracting = selectExtractStatus(state, width); // a prompt, or the progress of a running extraction
  if (extracting) return extracting;
  if (state.compare) return selectComparePrompt(state.compare, width);
  if (state.search.editing) return selectSearchPrompt(state, width);
  // A message leads; the keys follow in the room it leaves, so it never hides them for long.
  const note: Segment[] = state.message ? [seg(` ${state.message.text}`, state.message.tone === 'error' ? 'error' : 'label'), seg(' │', 'dim')] : [];
  const room = width - cells(note);
  if (state.message && room < 12) return fitLine(note.slice(0, 1), width);
  return fitLine([...note, ...selectKeyHints(keymap, state, room)], width);
}

const cells = (x: readonly Segment[]) => x.reduce((n, t) => n + cellWidth(t.text), 0);

/** What a diff kind is called in the status bar, and its symbol in the compact form (`^M~`). */
const KIND_TOGGLES: Readonly<Record<string, { readonly kind: keyof AppState['tree']['hidden']; readonly symbol: string; readonly style: Style }>> = {
  'tree.toggleAdded': { kind: 'added', symbol: '+', style: 'added' },
  'tree.toggleRemoved': { kind: 'removed', symbol: '-', style: 'removed' },
  'tree.toggleModified': { kind: 'modified', symbol: '~', style: 'modified' },
  'tree.toggleUnmodified': { kind: 'unmodified', symbol: '=', style: 'label' },
};

/**
 * The status bar's key hints: the focused pane's and the global labels, most wanted first, as
 * many as fit in `width`; `? Help` (which lists the rest) always closes the bar. A toggle that
 * is off is drawn dimmed; the four diff-kind toggles come as one item (dive's `^A Added ^R
 * Removed ^M Modified ^U Unmodified`), or where that does not fit as `^A+ ^R- ^M~ ^U=`, a hidden
 * kind's symbol then `·`.
 */
function selectKeyHints(keymap: Keymap, state: AppState, width: number): Segment[] {
  if (state.filter.editing || state.packages?.editing) {
    return [seg(' Enter', 'key'), seg(' Keep '), seg(' Esc', 'key'), seg(' Clear ')];
  }
  if (state.overlay !== 'none') {
    if (state.overlay === 'findings') return [seg(' Enter', 'key'), seg(' Go to the layer and path '), seg(' Esc', 'key'), seg(' Close '), seg(` ${displayKey('up')}${displayKey('down')}`, 'key'), seg(' Select')];
    return [seg(' Esc', 'key'), seg(' Close '), seg(` ${displayKey('up')}${displayKey('down')}`, 'key'), seg(' Scroll '), seg(` ${formatKeys(keymap, 'app.quit')}`, 'key'), seg(' Quit')];
  }
  const off = (id: CommandId): boolean => {
    const k = KIND_TOGGLES[id];
    if (k) return state.tree.hidden[k.kind];
    if (id === 'tree.toggleAttributes') return !state.tree.attributes;
    if (id === 'tree.toggleWhiteouts') return !state.tree.whiteouts;
    if (id === 'tree.fileHistory') return !state.tree.fileHistory;
    if (id === 'layers.compareLayer') return state.layers.mode !== 'layer' || state.layers.mark !== null;
    if (id === 'layers.compareAggregated') return state.layers.mode !== 'aggregated' || state.layers.mark !== null;
    return false;
  };
  const item = (id: CommandId, label: string): Segment[] | undefined => {
    const k = keymap.keysFor(id)[0];
    return k ? [seg(` ${displayKey(k)}`, 'key'), seg(` ${label}`, off(id) ? 'label-off' : 'label')] : undefined;
  };
  /** The diff-kind toggles as one item: in full, or compact. */
  const kinds = (members: readonly CommandSpec[], compact: boolean): Segment[] | undefined => {
    const out: Segment[] = [];
    for (const c of members) {
      const k = keymap.keysFor(c.id)[0];
      if (!k) continue;
      const t = KIND_TOGGLES[c.id]!;
      if (compact) out.push(seg(` ${displayKey(k)}`, 'key'), seg(off(c.id) ? '·' : t.symbol, off(c.id) ? 'label-off' : t.style));
      else out.push(...item(c.id, c.label!)!);
    }
    return out.length ? out : undefined;
  };
  const help = item('app.help', 'Help') ?? [];
  let left = width - cells(help);
  const ranked = COMMANDS.map((c, i) => ({ c: c as CommandSpec, i }))
    .filter(({ c }) => c.label !== undefined && c.id !== 'app.help' && (c.scope === state.focus || c.scope === 'global'))
    .sort((x, y) => (y.c.priority ?? DEFAULT_STATUS_PRIORITY) - (x.c.priority ?? DEFAULT_STATUS_PRIORITY) || x.i - y.i);
  const segs: Segment[] = [];
  const groupsDone = new Set<string>();
  for (const { c } of ranked) {
    let it: Segment[] | undefined;
    if (c.group) {
      if (groupsDone.has(c.group)) continue;
      groupsDone.add(c.group);
      const members = ranked.map((r) => r.c).filter((m) => m.group === c.group);
      const full = kinds(members, false);
      it = full && cells(full) <= left ? full : kinds(members, true);
    } else it = item(c.id, c.label!);
    if (!it || cells(it) > left) continue;
    segs.push(...it);
    left -= cells(it);
  }
  return [...segs, ...help];
}
