import type { ImageComparison, PathDiff } from '../../core/index.js';
import type { DiffRuleResult } from '../../core/index.js';
import type { ImageIdentity, LayerSummary } from '../../core/index.js';
import type { PackageDiff } from '../../packages/index.js';
import { TOTAL_ROWS } from '../../format/index.js';
import { formatPlatform } from '../../reference/index.js';
import type { ReportProvenance } from './image-page.js';
import { ruleView } from './image-page.js';
import {
  CHANGE_CODE,
  NODE_KIND,
  PAGE_DATA_VERSION,
  type AlignedLayerView,
  type ChangedPathView,
  type ComparisonPage,
  type IdentityView,
  type NodeKindValue,
  type PackageChangeView,
  type PackageView,
  type SourceLine,
} from './page-data.js';
import { byteSize, clip, fitStrings, fitTree, foldTree, LIST_CAP, MAX_COMMAND, MAX_NAME, MAX_PATH, MAX_TEXT, NODE_BUDGET, PAGE_DATA_LIMIT, REST_LIMIT, type TreeSource } from './size-tree.js';

/** Changed paths listed in the page, by absolute size delta. */
export const CHANGES_SHOWN = 200;

const identityView = (id: ImageIdentity): IdentityView => ({
  reference: clip(id.reference, MAX_TEXT),
  source: clip(id.source, MAX_NAME),
  platform: id.platform ? clip(formatPlatform(id.platform), MAX_NAME) : null,
  digest: id.digest ? clip(id.digest, MAX_TEXT) : null,
});

/** A path's own bytes on one side: a directory has none of its own (its files carry them). */
const own = (e: PathDiff['old']) => (e && e.type !== 'dir' ? e.size : 0);

/**
 * The page data of a comparison: both identities, the totals, the aligned layers, the changed
 * paths (largest size change first) and the size deltas as a tree (area: the absolute delta of
 * each file, folded to `budget` nodes). The packages that differ are `packageChanges` (the
 * comparison's own, as `diff --json` lists them) when given, else what the two sides' package
 * lists in `provenance` differ by.
 */
export function comparisonPage(
  c: ImageComparison,
  opts: {
    readonly rules?: readonly DiffRuleResult[];
    readonly tool?: string;
    readonly provenance?: { readonly old?: ReportProvenance; readonly new?: ReportProvenance };
    readonly packageChanges?: readonly PackageDiff[];
    readonly budget?: number;
    readonly dataLimit?: number;
  } = {},
): ComparisonPage {
  // Every changed path with a delta of its own, as a tree of path components.
  const names: string[] = [''];
  const childrenOf: number[][] = [[]];
  const leafDelta: number[] = [0];
  const leafChange: number[] = [0];
  const leafLayer: number[] = [-1];
  const byPrefix = new Map<string, number>([['', 0]]);
  const node = (parts: readonly string[], upto: number): number => {
    const key = parts.slice(0, upto).join('/');
    let id = byPrefix.get(key);
    if (id !== undefined) return id;
    const parent = upto === 1 ? 0 : node(parts, upto - 1);
    id = names.length;
    names.push(parts[upto - 1]!);
    childrenOf.push([]);
    leafDelta.push(0);
    leafChange.push(0);
    leafLayer.push(-1);
    childrenOf[parent]!.push(id);
    byPrefix.set(key, id);
    return id;
  };
  const counts = { added: 0, removed: 0, modified: 0, unchanged: c.unchangedCount };
  const listed: PathDiff[] = [];
  for (const f of c.files) {
    if (f.change === 'unchanged') continue;
    // Counted as the text summary counts them (every changed path but a directory on both
    // sides); listed when a file on at least one side, as the map draws them.
    if (!(f.old?.type === 'dir' && f.new?.type === 'dir')) counts[f.change]++;
    if ((f.old && f.old.type !== 'dir') || (f.new && f.new.type !== 'dir')) listed.push(f);
    const d = own(f.new) - own(f.old);
    if (d === 0) continue;
    const parts = f.path.split('/').filter((x) => x !== '');
    if (parts.length === 0) continue;
    const id = node(parts, parts.length);
    leafDelta[id] = d;
    leafChange[id] = CHANGE_CODE[f.change];
    leafLayer[id] = f.newLayer ?? -1;
  }
  // A path that is a file on one side and has files under it on the other: its own delta
  // becomes a child of its own, so every delta keeps its area.
  const N = names.length;
  for (let id = 1; id < N; id++) {
    if (leafDelta[id] === 0 || childrenOf[id]!.length === 0) continue;
    const self = names.length;
    names.push(`${names[id]} (itself)`);
    childrenOf.push([]);
    leafDelta.push(leafDelta[id]!);
    leafChange.push(leafChange[id]!);
    leafLayer.push(leafLayer[id]!);
    childrenOf[id]!.push(self);
    leafDelta[id] = 0;
  }
  const src: TreeSource = {
    size: names.length,
    children: (id) => childrenOf[id]!,
    leafBytes: (id) => Math.abs(leafDelta[id]!),
    isDir: (id) => childrenOf[id]!.length > 0 || id === 0,
  };
  /** The delta tree folded to `budget` nodes. */
  const makeTree = (budget: number): { tree: ComparisonPage['tree']; treeBytes: number } => {
    const folded = foldTree(src, budget);
    const tree = {
      name: [] as string[],
      parent: [] as number[],
      kind: [] as NodeKindValue[],
      bytes: [] as number[],
      count: [] as number[],
      delta: [] as number[],
      change: [] as number[],
      newLayer: [] as number[],
    };
    for (const n of folded.nodes) {
      tree.parent.push(n.parent);
      if (n.kind === 'path') {
        tree.name.push(n.id === 0 ? '' : clip(names[n.id]!, MAX_NAME));
        tree.kind.push(n.dir ? NODE_KIND.dir : NODE_KIND.file);
        tree.bytes.push(n.dir ? 0 : Math.abs(leafDelta[n.id]!));
        tree.count.push(0);
        tree.delta.push(n.dir ? 0 : leafDelta[n.id]!);
        tree.change.push(n.dir ? 0 : leafChange[n.id]!);
        tree.newLayer.push(n.dir ? -1 : leafLayer[n.id]!);
      } else {
        tree.name.push('');
        tree.kind.push(NODE_KIND.aggregate);
        tree.bytes.push(n.bytes);
        tree.count.push(n.members.length);
        let sum = 0;
        const byChange = new Map<number, number>();
        for (const m of n.members) {
          sum += leafDelta[m]!;
          byChange.set(leafChange[m]!, (byChange.get(leafChange[m]!) ?? 0) + Math.abs(leafDelta[m]!));
        }
        tree.delta.push(sum);
        tree.change.push([...byChange].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]![0]);
        tree.newLayer.push(-1);
      }
    }
    return { tree: { ...tree, threshold: folded.threshold, fullCount: folded.fullCount }, treeBytes: folded.bytesUnder[0]! };
  };

  const changes: ChangedPathView[] = listed
    .sort((x, y) => Math.abs(y.sizeDelta) - Math.abs(x.sizeDelta) || (x.path < y.path ? -1 : 1))
    .slice(0, CHANGES_SHOWN)
    .map((f) => ({
      path: clip(f.path, MAX_PATH),
      change: f.change as ChangedPathView['change'],
      aspects: [...f.aspects],
      oldSize: f.old ? f.old.size : null,
      newSize: f.new ? f.new.size : null,
      delta: f.sizeDelta,
      newLayer: f.newLayer ?? null,
    }));

  const srcOld = opts.provenance?.old?.layerSources;
  const srcNew = opts.provenance?.new?.layerSources;
  const layerSide = (l: LayerSummary, sources: readonly (SourceLine | null)[] | undefined) => {
    const s = sources?.[l.index];
    return { index: l.index, command: clip(l.command, MAX_COMMAND), sizeBytes: l.sizeBytes, source: s ? { file: clip(s.file, MAX_PATH), line: s.line, endLine: s.endLine } : null };
  };
  const layers: AlignedLayerView[] = c.layers.map((l) => ({
    kind: l.kind,
    moved: l.kind === 'shared' ? false : l.moved,
    old: l.kind === 'new-only' ? null : layerSide(l.old, srcOld),
    new: l.kind === 'old-only' ? null : layerSide(l.new, srcNew),
  }));

  const pkgOld = opts.provenance?.old?.packages;
  const pkgNew = opts.provenance?.new?.packages;
  const packages = opts.packageChanges ? packageDiffViews(opts.packageChanges) : pkgOld && pkgNew ? packageChanges(pkgOld, pkgNew) : undefined;

  const rest: Omit<ComparisonPage, 'tree' | 'treeBytes'> = {
    version: PAGE_DATA_VERSION,
    kind: 'comparison',
    tool: clip(opts.tool ?? 'inspect-tui', MAX_NAME),
    old: identityView(c.old.identity),
    new: identityView(c.new.identity),
    identical: c.identical,
    totals: TOTAL_ROWS.map((r) => ({
      key: r.key,
      label: r.label,
      unit: r.key === 'efficiency' ? 'ratio' : r.key === 'fileCount' || r.key === 'layerCount' ? 'count' : 'bytes',
      old: c.totals[r.key].old,
      new: c.totals[r.key].new,
      delta: c.totals[r.key].delta,
    })),
    sharedLayers: c.sharedLayers,
    layers,
    changes,
    changeCounts: counts,
    ...(packages ? { packages: packages.slice(0, LIST_CAP * 10), packageCount: packages.length } : {}),
    ...(opts.rules ? { rules: opts.rules.map(ruleView) } : {}),
  };
  const fitted = fitStrings(rest, Math.min(REST_LIMIT, (opts.dataLimit ?? PAGE_DATA_LIMIT) / 2));
  const built = fitTree(makeTree, opts.budget ?? NODE_BUDGET, (opts.dataLimit ?? PAGE_DATA_LIMIT) - byteSize(fitted));
  return { ...fitted, tree: built.tree, treeBytes: built.treeBytes };
}

/** The comparison's package differences for the page, largest size change first. */
function packageDiffViews(list: readonly PackageDiff[]): PackageChangeView[] {
  const version = (p: PackageDiff['old']) => (p ? clip(p.version, MAX_NAME) : null);
  return list
    .map((d): PackageChangeView => ({ manager: clip(d.manager, MAX_NAME), name: clip(d.name, MAX_NAME), change: d.change, oldVersion: version(d.old), newVersion: version(d.new), sizeDelta: d.sizeDeltaBytes }))
    .sort((x, y) => Math.abs(y.sizeDelta) - Math.abs(x.sizeDelta) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** Packages added, removed or changed (version or size) between two package lists, largest size change first. */
function packageChanges(old: readonly PackageView[], neu: readonly PackageView[]): PackageChangeView[] {
  const key = (p: PackageView) => `${p.manager}\0${p.name}`;
  const a = new Map(old.map((p) => [key(p), p]));
  const b = new Map(neu.map((p) => [key(p), p]));
  const out: PackageChangeView[] = [];
  for (const [k, p] of a) {
    const q = b.get(k);
    if (!q) out.push({ manager: clip(p.manager, MAX_NAME), name: clip(p.name, MAX_NAME), change: 'removed', oldVersion: clip(p.version, MAX_NAME), newVersion: null, sizeDelta: -p.sizeBytes });
    else if (q.version !== p.version || q.sizeBytes !== p.sizeBytes)
      out.push({ manager: clip(p.manager, MAX_NAME), name: clip(p.name, MAX_NAME), change: 'changed', oldVersion: clip(p.version, MAX_NAME), newVersion: clip(q.version, MAX_NAME), sizeDelta: q.sizeBytes - p.sizeBytes });
  }
  for (const [k, q] of b) if (!a.has(k)) out.push({ manager: clip(q.manager, MAX_NAME), name: clip(q.name, MAX_NAME), change: 'added', oldVersion: null, newVersion: clip(q.version, MAX_NAME), sizeDelta: q.sizeBytes });
  return out.sort((x, y) => Math.abs(y.sizeDelta) - Math.abs(x.sizeDelta) || (x.name < y.name ? -1 : 1));
}
