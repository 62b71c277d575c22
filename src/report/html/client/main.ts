import { formatBytes } from '../../../format/bytes.js';
import { formatSignedBytes } from '../../../format/totals.js';
import {
  CHANGE_CODE,
  NODE_KIND,
  PAGE_DATA_VERSION,
  type ComparisonPage,
  type FindingView,
  type ImagesPage,
  type ImageView,
  type LayerView,
  type PageData,
  type PathBytes,
  type RuleView,
  type SourceLine,
  type UnreadableView,
} from '../page-data.js';
import { CHANGE_NAMES, changeColour, layerColour, onSchemeChange, type ChangeName } from './colours.js';
import { add, h, name, put, section, type Child } from './dom.js';
import { Treemap } from './treemap.js';

/**
 * The report page's script: reads the report's data from its JSON block and draws the page.
 * Every string of the data goes into the document as a text node.
 */

const pct = (x: number | null, digits = 2) => (x === null ? 'n/a' : `${(x * 100).toFixed(digits)} %`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const sourceText = (s: SourceLine) => `${s.file}:${s.line}${s.endLine > s.line ? `-${s.endLine}` : ''}`;

function figure(label: string, value: string, title?: string): HTMLElement {
  return h('div', { class: 'figure', title: title ?? null }, h('div', { class: 'v' }, value), h('div', { class: 'k' }, label));
}

function pathList(items: readonly PathBytes[], total: number): HTMLElement {
  return h(
    'ul',
    { class: 'paths' },
    ...items.map((p) => h('li', null, h('code', { class: 'name', dir: 'auto' }, p.path), ` ${formatBytes(p.bytes)}`)),
    total > items.length ? h('li', { class: 'muted' }, `… and ${total - items.length} more`) : null,
  );
}

function table(head: readonly (string | [string, 'num'])[], rows: readonly Child[][], caption?: string): HTMLTableElement {
  return h(
    'table',
    null,
    caption ? h('caption', { class: 'muted' }, caption) : null,
    h('thead', null, h('tr', null, ...head.map((c) => (typeof c === 'string' ? h('th', { scope: 'col' }, c) : h('th', { scope: 'col', class: 'num' }, c[0]))))),
    h('tbody', null, ...rows.map((r) => h('tr', null, ...r.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', null, c)))))),
  );
}

const num = (s: string) => h('td', { class: 'num' }, s);
const pathCell = (s: string) => h('td', { class: 'path', dir: 'auto' }, s);

function rulesSection(rules: readonly RuleView[] | undefined, id: string): HTMLElement | null {
  if (!rules) return null;
  const fig = (r: RuleView, x: number | null) => (x === null ? 'n/a' : /Bytes|Size|Increase/.test(r.name) && Math.abs(x) >= 1 ? `${formatBytes(x)} (${x})` : String(x));
  return section(
    'Rules',
    id,
    table(
      ['rule', 'status', ['threshold', 'num'], ['actual', 'num'], 'details'],
      rules.map((r) => [
        h('code', null, r.name),
        h('span', { class: `status-${r.status}` }, r.status.toUpperCase()),
        num(fig(r, r.threshold)),
        num(fig(r, r.actual)),
        h('div', null, r.message, r.offenders.length > 0 ? pathList(r.offenders, r.offenderCount) : null),
      ]),
    ),
  );
}

// ---------------------------------------------------------------- one image

function findingCard(f: FindingView): HTMLElement {
  return h(
    'article',
    { class: 'finding' },
    h(
      'div',
      { class: 'head' },
      h('span', { class: 'bytes' }, formatBytes(f.bytes)),
      h('strong', null, f.title),
      f.manager ? h('span', { class: 'tag' }, f.manager) : null,
      h('span', { class: 'tag' }, f.survives ? 'kept in the final image' : 'reclaimable: stored in lower layers'),
      f.fromBase === true ? h('span', { class: 'tag' }, 'from the base image') : null,
    ),
    h(
      'ul',
      { class: 'paths' },
      ...f.layers.map((l) => h('li', null, `L${l.index} `, l.source ? h('span', { class: 'src' }, `${sourceText(l.source)} `) : null, h('code', { class: 'name', dir: 'auto' }, l.command || '(no command)'))),
    ),
    f.owners && f.owners.length > 0 ? h('div', null, 'Owned by: ', ...f.owners.flatMap((o, k) => [k > 0 ? ', ' : '', name(o)])) : null,
    h('details', null, h('summary', null, `${plural(f.pathCount, 'path')}`), pathList(f.paths, f.pathCount)),
    h('div', { class: 'fix' }, h('b', null, 'Fix: '), f.advice),
  );
}

/** The code of what layer `k` did to node `i` (0: nothing), and for an aggregate how many of its files. */
function eventAt(v: ImageView, i: number, k: number): { code: number; files: number } {
  const t = v.tree;
  const ev = t.events[i];
  if (ev === 0 || ev === undefined) return t.layer[i] === k && t.kind[i] !== NODE_KIND.dir ? { code: CHANGE_CODE.added, files: 1 } : { code: 0, files: 0 };
  let best = { code: 0, files: 0 };
  for (let j = 0; j < ev.length; j += 3) if (ev[j] === k && ev[j + 2]! > best.files) best = { code: ev[j + 1]!, files: ev[j + 2]! };
  return best;
}

function imagePanel(v: ImageView, id: string): HTMLElement {
  const t = v.tree;
  let selected = -1;
  const lines = (i: number, path: string): Child[] => {
    const out: Child[] = [];
    const agg = t.kind[i] === NODE_KIND.aggregate;
    out.push(h('div', { class: 'path', dir: 'auto' }, agg ? `${path}/ (${plural(t.count[i]!, 'smaller file')})` : path));
    const bytes = subtreeBytes(i);
    out.push(h('div', null, `${formatBytes(bytes)} (${bytes} bytes), ${pct(v.treeBytes > 0 ? bytes / v.treeBytes : 0, 1)} of the filesystem`));
    if (agg) out.push(h('div', { class: 'muted' }, `files under ${formatBytes(t.threshold)} each, shown as one`));
    if (t.kind[i] !== NODE_KIND.dir) {
      const l = v.layers[t.layer[i]!];
      if (l) out.push(h('div', null, `${agg ? 'mostly written by' : 'written by'} L${l.index}: `, h('code', { class: 'name', dir: 'auto' }, l.command.length > 160 ? `${l.command.slice(0, 159)}…` : l.command || '(no command)')));
      if (selected >= 0) {
        const e = eventAt(v, i, selected);
        out.push(h('div', null, `L${selected}: ${e.code === 0 ? 'not touched' : `${CHANGE_NAMES[e.code]}${agg ? ` (${plural(e.files, 'file')})` : ''}`}`));
      }
      if (t.waste[i]! > 0) out.push(h('div', null, `earlier copies replaced by later layers: ${formatBytes(t.waste[i]!)}`));
      if (t.owner && v.owners) {
        const o = t.owner[i]!;
        out.push(h('div', null, 'owner: ', o >= 0 ? name(v.owners[o]!) : agg ? 'several or none' : 'no package'));
      }
    }
    return out;
  };
  // Bytes under each node, for the tooltip (the map's own sums are per zoom).
  const under = new Float64Array(t.name.length);
  for (let i = t.name.length - 1; i >= 0; i--) {
    if (t.kind[i] !== NODE_KIND.dir) under[i] = t.bytes[i]!;
    if (i > 0) under[t.parent[i]!]! += under[i]!;
  }
  const subtreeBytes = (i: number) => under[i]!;

  const map = new Treemap(
    {
      tree: t,
      title: 'Size treemap of the final filesystem',
      fill: (i) => (selected < 0 ? layerColour(t.layer[i]!) : changeColour(CHANGE_NAMES[eventAt(v, i, selected).code] as ChangeName)),
      state: (i) => (selected < 0 ? `layer-${t.layer[i]}` : CHANGE_NAMES[eventAt(v, i, selected).code]!),
      hatched: (i) => t.waste[i]! > 0,
      // an aggregate's colour for a layer stands for the files the layer touched, not all of them
      share: (i) => {
        if (selected < 0 || t.kind[i] !== NODE_KIND.aggregate) return 1;
        const e = eventAt(v, i, selected);
        return e.code === 0 ? 1 : e.files / t.count[i]!;
      },
      describe: lines,
      label: (i, path) => `${t.kind[i] === NODE_KIND.aggregate ? `${plural(t.count[i]!, 'smaller file')} in ${path}` : path}, ${formatBytes(subtreeBytes(i))}${t.kind[i] === NODE_KIND.dir ? ', directory: Enter to zoom in' : ''}`,
    },
    `${id}-map`,
  );

  const legend = h('div', { class: 'legend', 'aria-live': 'polite' });
  const detail = h('div', { class: 'layer-detail', 'aria-live': 'polite' });
  const buttons: HTMLButtonElement[] = [];
  const select = (k: number) => {
    selected = selected === k ? -1 : k;
    for (const [j, b] of buttons.entries()) b.setAttribute('aria-pressed', String(j - 1 === selected));
    map.recolour();
    drawLegend();
    drawDetail();
  };
  const drawLegend = () => {
    if (selected < 0) {
      put(legend, 
        h('span', null, 'Colour: the layer that last wrote the file (see the layer list).'),
        h('span', null, h('span', { class: 'sw hatched' }), 'hatched: earlier copies were replaced by later layers'),
        t.threshold > 0 ? h('span', null, `Files under ${formatBytes(t.threshold)} are shown as one block per directory (${t.name.length} blocks for ${t.fullCount} paths).`) : null,
      );
    } else {
      put(legend, 
        h('span', null, `What L${selected} did:`),
        ...(['added', 'modified', 'unmodified', 'removed', 'none'] as const).map((c) =>
          h('span', null, h('span', { class: `sw c-${c}` }), c === 'unmodified' ? 'written again unchanged' : c === 'removed' ? 'removed (added again later)' : c === 'none' ? 'not touched' : c),
        ),
        t.threshold > 0 ? h('span', null, 'A block of smaller files is fainter the fewer of its files the layer touched.') : null,
      );
    }
  };
  const drawDetail = () => {
    const l = v.layers[selected];
    if (!l) {
      put(detail, h('span', { class: 'muted' }, 'Select a layer to see what it added, modified and removed.'));
      return;
    }
    put(detail, 
      h('h3', null, `Layer ${l.index}`),
      l.source ? h('div', null, 'Dockerfile: ', h('span', { class: 'src' }, sourceText(l.source))) : null,
      h('pre', { class: 'name', dir: 'auto' }, l.command || '(no command)'),
      h('div', null, `${formatBytes(l.sizeBytes)}${l.compressedSizeBytes !== null ? ` (${formatBytes(l.compressedSizeBytes)} compressed)` : ''}, ${plural(l.entryCount, 'entry')}`),
      h('div', null, `${l.changes.added} added, ${l.changes.modified} modified, ${l.changes.removed} removed, ${l.changes.unmodified} written again unchanged`),
      l.diffId ? h('div', { class: 'muted mono', title: 'diffID' }, l.diffId) : null,
      l.removed.count > 0 ? h('div', null, h('h3', null, `Removed here, not in the final filesystem: ${plural(l.removed.count, 'file')}, ${formatBytes(l.removed.bytes)}`), pathList(l.removed.top, l.removed.count)) : null,
      l.goneLater.count > 0 ? h('div', null, h('h3', null, `Written here, removed by a later layer: ${plural(l.goneLater.count, 'file')}, ${formatBytes(l.goneLater.bytes)}`), pathList(l.goneLater.top, l.goneLater.count)) : null,
    );
  };

  const all = h('button', { type: 'button', 'aria-pressed': 'true', class: 'all' }, 'All layers: colour by layer');
  all.addEventListener('click', () => select(-1));
  buttons.push(all);
  const items = v.layers.map((l: LayerView) => {
    const b = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-layer': l.index, 'aria-label': `Layer ${l.index}, ${formatBytes(l.sizeBytes)}: ${l.command.slice(0, 120)}` },
      h('span', { class: 'sw', 'data-swatch': l.index }),
      h('span', null, `L${l.index}`),
      h('span', { class: 'num' }, formatBytes(l.sizeBytes)),
      h('span', { class: 'cmd', dir: 'auto' }, l.command || '(no command)'),
      h('span', { class: 'chg', title: 'added, modified, removed, written again unchanged' }, `+${l.changes.added} ~${l.changes.modified} −${l.changes.removed} =${l.changes.unmodified}`, l.source ? h('span', { class: 'src' }, `  ${sourceText(l.source)}`) : null),
    );
    b.addEventListener('click', () => select(l.index));
    buttons.push(b);
    return h('li', null, b);
  });
  const paintSwatches = () => {
    for (const b of buttons) {
      const sw = b.querySelector('[data-swatch]');
      if (sw) (sw as HTMLElement).style.background = layerColour(Number(sw.getAttribute('data-swatch')));
    }
  };
  paintSwatches();
  onSchemeChange(() => {
    paintSwatches();
    map.recolour();
  });
  drawLegend();
  drawDetail();

  const f = v.figures;
  const failed = v.rules?.some((r) => r.status === 'fail');
  const rf = f.reclaimable;
  return h(
    'div',
    { class: 'image', id },
    h('h1', null, name(v.identity.reference), v.rules ? h('span', { class: `verdict ${failed ? 'fail' : 'pass'}` }, failed ? 'FAIL' : 'PASS') : null),
    h('p', { class: 'subtitle' }, [v.identity.source, v.identity.platform, v.identity.digest].filter((x) => x).join(' · ')),
    h(
      'div',
      { class: 'figures' },
      figure('image size', formatBytes(f.sizeBytes), `${f.sizeBytes} bytes`),
      figure('files', String(f.fileCount)),
      figure('layers', String(v.layers.length)),
      figure('efficiency', pct(f.efficiency)),
      figure('wasted (dive)', formatBytes(f.wastedBytes), `${f.wastedBytes} bytes`),
      figure('user wasted', pct(f.userWastedPercent)),
      figure(
        'reclaimable',
        formatBytes(rf.totalBytes),
        `overwritten ${formatBytes(rf.overwrittenBytes)}, deleted later ${formatBytes(rf.deletedLaterBytes)}, metadata-only ${formatBytes(rf.metadataOnlyBytes)}, duplicates ${formatBytes(rf.duplicateContentBytes)}`,
      ),
      v.ignored ? figure('ignored (paths.ignore)', formatBytes(v.ignored.bytes), plural(v.ignored.paths, 'path')) : null,
    ),
    section(
      'Final filesystem',
      `${id}-fs`,
      h('p', { class: 'muted' }, `${formatBytes(v.treeBytes)} in the final filesystem; area is bytes. Click a directory to zoom in; hover for details. Files of 0 bytes take no area.`),
      h('div', { class: 'map-area' }, h('div', null, map.el, legend), h('div', null, h('h3', { id: `${id}-layers` }, 'Layers'), h('ol', { class: 'layers', 'aria-labelledby': `${id}-layers` }, h('li', null, all), ...items), detail)),
    ),
    section(
      'Findings',
      `${id}-findings`,
      v.findings.length === 0 ? h('p', null, 'No findings: no waste, package caches or build leftovers.') : h('div', { class: 'findings' }, ...v.findings.map(findingCard)),
      v.findingCount > v.findings.length ? h('p', { class: 'muted' }, `… and ${v.findingCount - v.findings.length} more in the JSON export`) : null,
    ),
    v.packages
      ? section(
          'Packages by size',
          `${id}-packages`,
          v.packages.length === 0
            ? h('p', null, 'No package found in the package databases.')
            : table(
                ['manager', 'package', 'version', ['layer', 'num'], ['files', 'num'], ['size', 'num']],
                v.packages.map((p) => [p.manager, name(p.name), name(p.version), num(`L${p.layer}`), num(String(p.files)), num(formatBytes(p.sizeBytes))]),
                v.packageCount !== undefined && v.packageCount > v.packages.length ? `the ${v.packages.length} largest of ${v.packageCount}` : undefined,
              ),
          ...(v.packageNotes ?? []).map((n) => h('p', { class: 'muted' }, 'Not read: ', name(n))),
        )
      : null,
    rulesSection(v.rules, `${id}-rules`),
    v.inefficientFiles.length > 0
      ? section(
          'Inefficient files (dive)',
          `${id}-inefficient`,
          table(
            [['count', 'num'], ['wasted', 'num'], 'path'],
            v.inefficientFiles.map((x) => [num(String(x.count)), num(formatBytes(x.wastedBytes)), pathCell(x.path)]),
            v.inefficientCount > v.inefficientFiles.length ? `the ${v.inefficientFiles.length} largest of ${v.inefficientCount}` : undefined,
          ),
        )
      : null,
  );
}

function unreadablePanel(u: UnreadableView, id: string): HTMLElement {
  return h('div', { class: 'image', id }, h('h1', null, name(u.reference), h('span', { class: 'verdict fail' }, 'UNREADABLE')), h('p', null, u.message));
}

function imagesPage(data: ImagesPage, app: HTMLElement): void {
  const panels = data.images.map((im, k) => () => (im.kind === 'analysed' ? imagePanel(im, `img${k}`) : unreadablePanel(im, `img${k}`)));
  const holder = h('div', null);
  if (data.images.length > 1) {
    const tabs = data.images.map((im, k) => {
      const b = h('button', { type: 'button', role: 'tab', 'aria-selected': k === 0 ? 'true' : 'false', 'aria-controls': 'panel', id: `tab${k}` }, name(im.kind === 'analysed' ? im.identity.reference : im.reference));
      b.addEventListener('click', () => {
        for (const [j, t] of tabs.entries()) t.setAttribute('aria-selected', String(j === k));
        holder.setAttribute('aria-labelledby', `tab${k}`);
        holder.replaceChildren(panels[k]!());
      });
      return b;
    });
    app.appendChild(h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Images' }, ...tabs));
  }
  holder.id = 'panel';
  if (data.images.length > 1) {
    holder.setAttribute('role', 'tabpanel');
    holder.setAttribute('aria-labelledby', 'tab0');
  }
  holder.replaceChildren(panels[0] ? panels[0]() : h('p', null, 'No images.'));
  app.appendChild(holder);
}

// ---------------------------------------------------------------- comparison

function comparisonPage(c: ComparisonPage, app: HTMLElement): void {
  const t = c.tree;
  const under = new Float64Array(t.name.length);
  const net = new Float64Array(t.name.length);
  for (let i = t.name.length - 1; i >= 0; i--) {
    if (t.kind[i] !== NODE_KIND.dir) {
      under[i] = t.bytes[i]!;
      net[i] = t.delta[i]!;
    }
    if (i > 0) {
      under[t.parent[i]!]! += under[i]!;
      net[t.parent[i]!]! += net[i]!;
    }
  }
  const kindOf = (i: number) => (t.delta[i]! > 0 ? 'grow' : 'shrink');
  const map = new Treemap(
    {
      tree: t,
      title: 'Treemap of the size changes',
      fill: (i) => changeColour(kindOf(i)),
      state: (i) => `${kindOf(i)}-${CHANGE_NAMES[t.change[i]!]}`,
      hatched: (i) => t.change[i] === CHANGE_CODE.modified,
      describe: (i, path) => {
        const agg = t.kind[i] === NODE_KIND.aggregate;
        return [
          h('div', { class: 'path', dir: 'auto' }, agg ? `${path}/ (${plural(t.count[i]!, 'smaller change')})` : path),
          h('div', null, `${formatSignedBytes(net[i]!)} net; ${formatBytes(under[i]!)} changed`),
          t.kind[i] === NODE_KIND.file ? h('div', null, `${CHANGE_NAMES[t.change[i]!]}${t.newLayer[i]! >= 0 ? ` (NEW L${t.newLayer[i]})` : ''}`) : null,
        ];
      },
      label: (i, path) => `${path}: ${formatSignedBytes(net[i]!)}`,
    },
    'diff-map',
  );
  onSchemeChange(() => map.recolour());
  const cc = c.changeCounts;
  const fmtTotal = (unit: string, x: number) => (unit === 'bytes' ? formatBytes(x) : unit === 'ratio' ? pct(x) : String(x));
  const fmtDelta = (unit: string, x: number) => (unit === 'bytes' ? formatSignedBytes(x) : unit === 'ratio' ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pt` : `${x > 0 ? '+' : ''}${x}`);
  const failed = c.rules?.some((r) => r.status === 'fail');
  const layerCell = (s: ComparisonPage['layers'][number]['old']) =>
    s ? h('div', null, `L${s.index} · ${formatBytes(s.sizeBytes)} `, s.source ? h('span', { class: 'src' }, sourceText(s.source)) : null, h('div', { class: 'name mono', dir: 'auto' }, s.command || '(no command)')) : h('span', { class: 'muted' }, '—');
  add(app,
    h('h1', null, 'Comparison', c.rules ? h('span', { class: `verdict ${failed ? 'fail' : 'pass'}` }, failed ? 'FAIL' : 'PASS') : null),
    h('p', { class: 'subtitle' }, 'OLD ', name(c.old.reference), ' → NEW ', name(c.new.reference)),
    c.identical ? h('p', null, 'The images are identical: same layers, same files.') : null,
    h('div', { class: 'totals' }, table(['', ['OLD', 'num'], ['NEW', 'num'], ['change', 'num']], c.totals.map((x) => [x.label, num(fmtTotal(x.unit, x.old)), num(fmtTotal(x.unit, x.new)), num(fmtDelta(x.unit, x.delta))]))),
    section(
      'Size changes',
      'diff-fs',
      h('p', { class: 'muted' }, `${formatBytes(c.treeBytes)} of files changed size; area is the size change of each file. ${cc.added} added, ${cc.removed} removed, ${cc.modified} modified, ${cc.unchanged} unchanged.`),
      h(
        'div',
        { class: 'map-area' },
        h(
          'div',
          null,
          c.treeBytes > 0 ? map.el : h('p', null, 'No file changed size.'),
          h(
            'div',
            { class: 'legend' },
            h('span', null, h('span', { class: 'sw c-grow' }), 'grew or added'),
            h('span', null, h('span', { class: 'sw c-shrink' }), 'shrank or removed'),
            h('span', null, h('span', { class: 'sw hatched' }), 'hatched: modified in place'),
            t.threshold > 0 ? h('span', null, `Changes under ${formatBytes(t.threshold)} are shown as one block per directory.`) : null,
          ),
        ),
        h(
          'div',
          null,
          h('h3', { id: 'diff-largest' }, 'Largest changes'),
          h(
            'ol',
            { class: 'largest', 'aria-labelledby': 'diff-largest' },
            ...c.changes.slice(0, 15).map((x) => h('li', null, h('span', { class: `num ${x.delta > 0 ? 'delta-pos' : x.delta < 0 ? 'delta-neg' : ''}` }, formatSignedBytes(x.delta)), ' ', h('code', { class: 'name', dir: 'auto' }, x.path), h('span', { class: 'muted' }, ` ${x.change}`))),
          ),
        ),
      ),
    ),
    section(
      'Layers',
      'diff-layers',
      h('p', { class: 'muted' }, `${plural(c.sharedLayers, 'layer')} shared (same diffIDs), then each image's own.`),
      table(['', 'OLD', 'NEW'], c.layers.map((l) => [l.kind === 'shared' ? 'shared' : `${l.kind}${l.moved ? ' (moved)' : ''}`, layerCell(l.old), layerCell(l.new)])),
    ),
    section(
      'Changed paths',
      'diff-paths',
      c.changes.length === 0
        ? h('p', null, 'No path changed.')
        : table(
            ['change', 'path', ['OLD', 'num'], ['NEW', 'num'], ['delta', 'num'], 'what'],
            c.changes.map((x) => [
              x.change,
              pathCell(x.path),
              num(x.oldSize === null ? '—' : formatBytes(x.oldSize)),
              num(x.newSize === null ? '—' : formatBytes(x.newSize)),
              h('td', { class: `num ${x.delta > 0 ? 'delta-pos' : x.delta < 0 ? 'delta-neg' : ''}` }, formatSignedBytes(x.delta)),
              `${x.aspects.join(', ')}${x.newLayer !== null ? ` NEW L${x.newLayer}` : ''}`,
            ]),
            cc.added + cc.removed + cc.modified > c.changes.length ? `the ${c.changes.length} largest changes of ${cc.added + cc.removed + cc.modified}` : undefined,
          ),
    ),
    c.packages
      ? section(
          'Package changes',
          'diff-packages',
          c.packages.length === 0
            ? h('p', null, 'No package differs.')
            : table(
                ['change', 'manager', 'package', 'OLD', 'NEW', ['size', 'num']],
                c.packages.map((p) => [p.change, p.manager, name(p.name), p.oldVersion ?? '—', p.newVersion ?? '—', num(formatSignedBytes(p.sizeDelta))]),
              ),
        )
      : null,
    rulesSection(c.rules, 'diff-rules'),
  );
}

// ---------------------------------------------------------------- start

function start(): void {
  const app = document.getElementById('app')!;
  let data: PageData;
  try {
    data = JSON.parse(document.getElementById('report-data')!.textContent ?? '') as PageData;
  } catch {
    app.textContent = 'The report data could not be read.';
    return;
  }
  if (data.version !== PAGE_DATA_VERSION) {
    app.textContent = `This page cannot show report data of version ${String(data.version)}.`;
    return;
  }
  if (data.kind === 'comparison') comparisonPage(data, app);
  else imagesPage(data, app);
  app.appendChild(h('footer', null, `Written by ${data.tool}. This file makes no network requests.`));
}

start();
