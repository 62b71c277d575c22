import type { Analysis, AnalysisSummary } from '../../core/index.js';
import { Change, type FileTree } from '../../core/index.js';
import type { Finding } from '../../core/index.js';
import type { IgnoredFigures } from '../../core/index.js';
import type { RuleResult } from '../../core/index.js';
import { formatPlatform } from '../../reference/index.js';
import { findingTitle } from '../findings-report.js';
import { CHANGE_CODE, NODE_KIND, type FindingView, type ImageView, type LayerView, type NodeKindValue, type PackageView, type PathBytes, type RuleView, type SourceLine } from './page-data.js';
import { byteSize, clip, fitStrings, fitTree, foldTree, LIST_CAP, MAX_COMMAND, MAX_NAME, MAX_PATH, MAX_TEXT, NODE_BUDGET, PAGE_DATA_LIMIT, REST_LIMIT, type TreeSource } from './size-tree.js';

/**
 * Facts about an image that its bytes alone do not give: who owns each file (the package
 * databases), the packages, and the Dockerfile line of each layer. Each is optional; the page
 * shows what is given and leaves the rest out.
 */
export type ReportProvenance = {
  /** The package that owns an absolute path of the final filesystem (`/usr/bin/x`), as `manager name version`; undefined for none. */
  readonly ownerOf?: (path: string) => string | undefined;
  /** The packages of the final filesystem. */
  readonly packages?: readonly PackageView[];
  /** Package databases that could not be read, one line each (their packages are missing). */
  readonly packageNotes?: readonly string[];
  /** Per layer index: where its instruction is written, or null when no line is known. */
  readonly layerSources?: readonly (SourceLine | null)[];
};

/** Per layer while the events are gathered: count, bytes and the largest paths. */
type PathList = { count: number; bytes: number; items: { p: number; bytes: number }[] };

const CODE_OF: Readonly<Record<number, number>> = {
  [Change.added]: CHANGE_CODE.added,
  [Change.modified]: CHANGE_CODE.modified,
  [Change.unmodified]: CHANGE_CODE.unmodified,
  [Change.removed]: CHANGE_CODE.removed,
};

/** What every layer did to every path (see `layerEvents`). */
type LayerEvents = {
  /** The first event of each final path: its layer (-1 none) and code. */
  readonly firstLayer: Int32Array;
  readonly firstCode: Uint8Array;
  /** All events, as flat triples, of the (few) final paths with more than one. */
  readonly more: ReadonlyMap<number, readonly number[]>;
  /** Bytes of the earlier copies each final path had replaced. */
  readonly waste: Float64Array;
  /** Per layer: files it removed that are not in the final filesystem. */
  readonly removed: readonly PathList[];
  /** Per layer: files it wrote that a later layer removed. */
  readonly gone: readonly PathList[];
};

/**
 * What every layer did to every path: the events of the paths of the final filesystem (added,
 * modified, written again unchanged, removed and added again), the bytes of the earlier copies
 * each replaced, and per layer what is not in the final filesystem (removed by the layer, or
 * written by it and removed later). Hot path: with a Map entry and an array per path, the
 * view's own time in a CPU profile of the 200k-file bench image was 587 ms; with the first
 * event of each path in typed arrays and only later ones in a Map, 182 ms.
 */
function layerEvents(t: FileTree): LayerEvents {
  const L = t.layerCount;
  const top = L - 1;
  const N = t.pathCount;
  const firstLayer = new Int32Array(N).fill(-1);
  const firstCode = new Uint8Array(N);
  const more = new Map<number, number[]>();
  const waste = new Float64Array(N);
  const removed: PathList[] = [];
  const gone: PathList[] = [];
  for (let li = 0; li < L; li++) {
    const d = t.diffRange(li - 1, li);
    const rem: PathList = { count: 0, bytes: 0, items: [] };
    const gon: PathList = { count: 0, bytes: 0, items: [] };
    for (let p = 1; p < d.length; p++) {
      const change = d[p]!;
      if (change === Change.none) continue;
      const before = t.entryAt(li - 1, p);
      const after = t.entryAt(li, p);
      if ((before?.type ?? 'dir') === 'dir' && (after?.type ?? 'dir') === 'dir') continue;
      const final = t.entryAt(top, p);
      const code = CODE_OF[change]!;
      if (final && final.type !== 'dir') {
        if (firstLayer[p] === -1) {
          firstLayer[p] = li;
          firstCode[p] = code;
        } else {
          let m = more.get(p);
          if (!m) more.set(p, (m = [firstLayer[p]!, firstCode[p]!, 1]));
          m.push(li, code, 1);
        }
        if (before && before.type !== 'dir' && change !== Change.added) waste[p]! += before.size;
      } else if (change === Change.removed && before && before.type !== 'dir') note(rem, p, before.size);
      if (after && after.type !== 'dir' && change !== Change.removed && !final) note(gon, p, after.size);
    }
    removed.push(rem);
    gone.push(gon);
  }
  return { firstLayer, firstCode, more, waste, removed, gone };
}

/**
 * The final filesystem as a size tree folded to `budget` nodes, with each node's writer, events,
 * replaced bytes and (when known) owner.
 */
function imageTree(t: FileTree, ev: LayerEvents, ownerOfPath: ((path: string) => string | undefined) | undefined, budget: number): { tree: ImageView['tree']; owners: string[] | undefined; treeBytes: number } {
  const top = t.layerCount - 1;
  const src: TreeSource = {
    size: t.pathCount,
    children: (id) => t.childrenOf(id),
    leafBytes: (id) => {
      const e = t.entryAt(top, id);
      return e && e.type !== 'dir' ? e.size : 0;
    },
    isDir: (id) => id === 0 || t.entryAt(top, id)?.type === 'dir',
  };
  const writer = (p: number) => t.originOf(t.entryIdAt(top, p)).layer;
  const eventsOf = (p: number): readonly number[] => ev.more.get(p) ?? (ev.firstLayer[p]! >= 0 ? [ev.firstLayer[p]!, ev.firstCode[p]!, 1] : []);
  const folded = foldTree(src, budget);
  const owners: string[] = [];
  const ownerIndex = new Map<string, number>();
  const ownerOf = ownerOfPath
    ? (p: number) => {
        const o = ownerOfPath(`/${t.pathOf(p)}`);
        if (o === undefined) return -1;
        let i = ownerIndex.get(o);
        if (i === undefined) {
          i = owners.length;
          owners.push(clip(o, MAX_TEXT));
          ownerIndex.set(o, i);
        }
        return i;
      }
    : undefined;

  const name: string[] = [];
  const parent: number[] = [];
  const kind: NodeKindValue[] = [];
  const bytes: number[] = [];
  const count: number[] = [];
  const layer: number[] = [];
  const events: (readonly number[] | 0)[] = [];
  const waste: number[] = [];
  const owner: number[] = [];
  for (const n of folded.nodes) {
    parent.push(n.parent);
    if (n.kind === 'path' && n.dir) {
      name.push(n.id === 0 ? '' : clip(t.nameOf(n.id), MAX_NAME));
      kind.push(NODE_KIND.dir);
      bytes.push(0);
      count.push(0);
      layer.push(-1);
      events.push(0);
      waste.push(0);
      owner.push(-1);
    } else if (n.kind === 'path') {
      const w = writer(n.id);
      name.push(clip(t.nameOf(n.id), MAX_NAME));
      kind.push(NODE_KIND.file);
      bytes.push(folded.bytesUnder[n.id]!);
      count.push(0);
      layer.push(w);
      // the common case, a file added once and never touched again, is written 0
      events.push(!ev.more.has(n.id) && ev.firstLayer[n.id] === w && ev.firstCode[n.id] === CHANGE_CODE.added ? 0 : eventsOf(n.id));
      waste.push(ev.waste[n.id]!);
      owner.push(ownerOf ? ownerOf(n.id) : -1);
    } else {
      // An aggregate: the layer that wrote most of its bytes, its files' events counted per
      // layer and kind, their replaced bytes summed, and their owner when they share one.
      const byLayer = new Map<number, number>();
      const byEvent = new Map<number, number>();
      let w = 0;
      let own: number | undefined;
      for (const m of n.members) {
        byLayer.set(writer(m), (byLayer.get(writer(m)) ?? 0) + folded.bytesUnder[m]!);
        const e = eventsOf(m);
        for (let i = 0; i < e.length; i += 3) {
          const key = e[i]! * 8 + e[i + 1]!;
          byEvent.set(key, (byEvent.get(key) ?? 0) + 1);
        }
        w += ev.waste[m]!;
        if (ownerOf) {
          const o = ownerOf(m);
          own = own === undefined || own === o ? o : -1;
        }
      }
      let best = -1;
      let bestBytes = -1;
      for (const [l, b] of byLayer) if (b > bestBytes || (b === bestBytes && l < best)) [best, bestBytes] = [l, b];
      const flat: number[] = [];
      for (const k of [...byEvent.keys()].sort((x, y) => x - y)) flat.push(Math.floor(k / 8), k % 8, byEvent.get(k)!);
      name.push('');
      kind.push(NODE_KIND.aggregate);
      bytes.push(n.bytes);
      count.push(n.members.length);
      layer.push(best);
      events.push(flat);
      waste.push(w);
      owner.push(own ?? -1);
    }
  }
  return {
    tree: { name, parent, kind, bytes, count, threshold: folded.threshold, fullCount: folded.fullCount, layer, events, waste, ...(ownerOf ? { owner } : {}) },
    owners: ownerOf ? owners : undefined,
    treeBytes: folded.bytesUnder[0]!,
  };
}

/**
 * The page data of one analysed image: its figures, layers, findings, rules and its final
 * filesystem as a size tree (folded to at most `budget` nodes, fewer when the page data would
 * pass `dataLimit` bytes), with what each layer did to each node.
 *
 * @param analysis the image with its trees (with an ignore list, the analysis without the ignored paths).
 * @param summary the figures and findings the rules were evaluated on.
 */
export function imageView(
  analysis: Analysis,
  summary: AnalysisSummary,
  opts: { readonly rules?: readonly RuleResult[]; readonly ignored?: IgnoredFigures; readonly provenance?: ReportProvenance; readonly budget?: number; readonly dataLimit?: number } = {},
): ImageView {
  const t = analysis.tree;
  const L = t.layerCount;
  const prov = opts.provenance ?? {};
  const abs = (p: number) => `/${t.pathOf(p)}`;
  const ev = layerEvents(t);
  const { removed, gone } = ev;

  const sources = prov.layerSources;
  const sourceOf = (i: number): SourceLine | null => {
    const s = sources?.[i];
    return s ? { file: clip(s.file, MAX_PATH), line: s.line, endLine: s.endLine } : null;
  };
  // Paths listed per layer: fewer when there are many layers, so the layer list stays bounded.
  const listCap = Math.max(3, Math.min(LIST_CAP, Math.floor(400 / Math.max(1, L))));
  const layers: LayerView[] = summary.layers.map((l) => ({
    index: l.index,
    command: clip(l.command, MAX_COMMAND),
    sizeBytes: l.sizeBytes,
    compressedSizeBytes: l.compressedSizeBytes ?? null,
    digest: l.digest ? clip(l.digest, MAX_TEXT) : null,
    diffId: l.diffId ? clip(l.diffId, MAX_TEXT) : null,
    created: l.created ? clip(l.created, 64) : null,
    entryCount: l.entryCount,
    changes: { ...l.changes },
    source: sourceOf(l.index),
    removed: finishList(removed[l.index], abs, listCap),
    goneLater: finishList(gone[l.index], abs, listCap),
  }));

  const findings: FindingView[] = summary.findings.slice(0, LIST_CAP * 2).map((f: Finding) => ({
    kind: f.kind,
    title: findingTitle(f),
    bytes: f.bytes,
    survives: f.survives,
    layers: f.layers.map((l) => ({ index: l.index, command: clip(l.command, MAX_COMMAND), source: sourceOf(l.index) })),
    paths: f.paths.slice(0, LIST_CAP).map((p) => ({ path: clip(p.path, MAX_PATH), bytes: p.bytes })),
    pathCount: f.pathCount,
    advice: clip(f.advice, MAX_COMMAND),
    ...(f.manager !== undefined ? { manager: clip(f.manager, MAX_NAME) } : {}),
    ...(f.owners.length > 0 ? { owners: f.owners.slice(0, LIST_CAP).map((o) => clip(`${o.manager} ${o.name}`, MAX_TEXT)) } : {}),
    fromBase: f.fromBase,
  }));

  const id = summary.identity;
  const packages = prov.packages ? [...prov.packages].sort((a, b) => b.sizeBytes - a.sizeBytes || (a.name < b.name ? -1 : 1)) : undefined;
  const r = summary.reclaimable;
  const rest: Omit<ImageView, 'tree' | 'treeBytes' | 'owners'> = {
    kind: 'analysed',
    identity: { reference: clip(id.reference, MAX_TEXT), source: clip(id.source, MAX_NAME), platform: id.platform ? clip(formatPlatform(id.platform), MAX_NAME) : null, digest: id.digest ? clip(id.digest, MAX_TEXT) : null },
    figures: {
      sizeBytes: summary.sizeBytes,
      userSizeBytes: summary.userSizeBytes,
      fileCount: summary.fileCount,
      efficiency: summary.efficiency,
      wastedBytes: summary.wastedBytes,
      userWastedPercent: summary.userWastedPercent,
      reclaimable: { totalBytes: r.totalBytes, overwrittenBytes: r.overwrittenBytes, deletedLaterBytes: r.deletedLaterBytes, metadataOnlyBytes: r.metadataOnlyBytes, duplicateContentBytes: r.duplicateContentBytes },
    },
    ignored: opts.ignored ? { paths: opts.ignored.paths, bytes: opts.ignored.bytes } : null,
    layers,
    findings,
    findingCount: summary.findings.length,
    ...(packages
      ? {
          packages: packages.slice(0, LIST_CAP * 10).map((p) => ({ manager: clip(p.manager, MAX_NAME), name: clip(p.name, MAX_NAME), version: clip(p.version, MAX_NAME), layer: p.layer, files: p.files, sizeBytes: p.sizeBytes })),
          packageCount: packages.length,
          ...(prov.packageNotes && prov.packageNotes.length > 0 ? { packageNotes: prov.packageNotes.slice(0, LIST_CAP).map((n) => clip(n, MAX_TEXT)) } : {}),
        }
      : {}),
    ...(opts.rules ? { rules: opts.rules.map(ruleView) } : {}),
    inefficientFiles: summary.inefficientFiles.slice(0, LIST_CAP).map((f) => ({ path: clip(f.path, MAX_PATH), count: f.count, wastedBytes: f.wastedBytes })),
    inefficientCount: summary.inefficientFiles.length,
  };
  // The tree takes what the rest leaves of the page's budget: long names or many layers'
  // events fold it further.
  const fitted = fitStrings(rest, Math.min(REST_LIMIT, (opts.dataLimit ?? PAGE_DATA_LIMIT) / 2));
  const room = (opts.dataLimit ?? PAGE_DATA_LIMIT) - byteSize(fitted);
  const built = fitTree((budget) => imageTree(t, ev, prov.ownerOf, budget), opts.budget ?? NODE_BUDGET, room);
  return { ...fitted, tree: built.tree, treeBytes: built.treeBytes, ...(built.owners ? { owners: built.owners } : {}) };
}

/** A rule's outcome for the page: its first offenders and their count. */
export function ruleView(r: { readonly name: string; readonly status: 'pass' | 'fail' | 'skip'; readonly threshold: number | null; readonly actual: number | null; readonly message: string; readonly offenders?: readonly { path: string; sizeBytes: number }[] }): RuleView {
  const off = r.offenders ?? [];
  return {
    name: r.name,
    status: r.status,
    threshold: r.threshold,
    actual: r.actual,
    message: clip(r.message, MAX_COMMAND),
    offenders: off.slice(0, LIST_CAP).map((o) => ({ path: clip(o.path, MAX_PATH), bytes: o.sizeBytes })),
    offenderCount: off.length,
  };
}

function note(list: PathList, p: number, bytes: number): void {
  list.count++;
  list.bytes += bytes;
  list.items.push({ p, bytes });
}

function finishList(list: PathList | undefined, abs: (p: number) => string, cap: number): { count: number; bytes: number; top: PathBytes[] } {
  if (!list) return { count: 0, bytes: 0, top: [] };
  const top = list.items
    .sort((a, b) => b.bytes - a.bytes || a.p - b.p)
    .slice(0, cap)
    .map((x) => ({ path: clip(abs(x.p), MAX_PATH), bytes: x.bytes }));
  return { count: list.count, bytes: list.bytes, top };
}
