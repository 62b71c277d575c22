import { analyzeImage, type Analysis } from './analyze.js';
import { EntryKind, indexImage, selectHashGroups } from './index-image.js';
import type { ContentKeys, ImageInput, LayerEntry } from './model.js';
import type { PathMatcher } from './path-glob.js';

export { compilePathGlob, MAX_GLOB_ALTERNATIVES, type PathMatcher } from './path-glob.js';

/**
 * Path rules (`paths:` in `.dive-ci`): an ignore list that takes paths out of every figure, and
 * rules over the final filesystem and the waste. Pure: globs arrive already compiled, as
 * predicates over absolute paths (`/usr/share/doc/README`); `compilePathGlob` compiles them
 * with a cost linear in the path's segments.
 */

/** The path rules that evaluate to a verdict; each absent one is not evaluated (and not reported). */
export type PathRules = {
  /** Fail when a path matching this is present in the final filesystem. */
  readonly block?: PathMatcher;
  /** Fail when any wasted bytes (stored by a layer, not shown by the final filesystem) fall under paths matching this. */
  readonly denyWaste?: PathMatcher;
  /** Fail when a file of the final filesystem is larger than this many bytes. */
  readonly maxFileSize?: number;
  /** Fail when the image has more layers than this. */
  readonly maxLayerCount?: number;
};

/** Path rule names as reports show them (`paths.block` is `block:` under `paths:`). */
export type PathRuleName = 'paths.block' | 'paths.denyWaste' | 'paths.maxFileSize' | 'paths.maxLayerCount';

/** One path a path rule objects to: where it is and which layer put it there. */
export type Offender = {
  /** Absolute path: `/app/.git`. */
  readonly path: string;
  /** The layer that wrote it (denyWaste: the layer that stored the largest wasted copy). */
  readonly layer: number;
  /** Its size (block: the bytes under it), or its wasted bytes (denyWaste). */
  readonly sizeBytes: number;
};

export type PathRuleResult = {
  readonly name: PathRuleName;
  readonly status: 'pass' | 'fail';
  /** The limit (maxFileSize, maxLayerCount); null for the glob rules. */
  readonly threshold: number | null;
  /** The offending count (paths, or layers for maxLayerCount). */
  readonly actual: number;
  /** Every offending path, in path order (topmost only for block: `/app/.git`, not what is under it). */
  readonly offenders: readonly Offender[];
  readonly message: string;
};

/** What the ignore list took out of the figures. */
export type IgnoredFigures = {
  /** Distinct paths (files, directories, whiteout targets) any layer mentions that were ignored. */
  readonly paths: number;
  /** Σ of the header sizes of the ignored entries, over all layers. */
  readonly bytes: number;
};

/**
 * Per path id, whether it is ignored: it or one of its ancestors matches. A matched directory
 * takes its whole subtree with it, so leaving a path out never brings back what a whiteout or
 * opaque directory of an ignored directory had hidden.
 */
function ignoredPaths(a: Analysis, ignore: PathMatcher): Uint8Array {
  const t = a.tree;
  const abs = t.absolutePaths();
  const out = new Uint8Array(t.pathCount);
  const order = t.depthOrder(); // parents before children
  for (let k = 0; k < order.length; k++) {
    const p = order[k]!;
    const parent = t.parentOf(p);
    out[p] = (parent > 0 && out[parent]) || ignore(abs[p]!) ? 1 : 0;
  }
  return out;
}

/**
 * The analysis of the same image with the ignored paths left out: exactly what `analyzeImage`
 * gives when every entry at an ignored path (and every whiteout of one) is removed from the
 * layers. So efficiency, wastedBytes, userWastedPercent, sizes, the inefficient files, the
 * reclaimable breakdown, the per-layer sizes and changes all agree with each other.
 *
 * Content keys are not re-read: each group of entries the new analysis compares is a subset of
 * a group the original one compared, so their equality classes come from the original tree.
 *
 * @returns the original analysis (and zero ignored) when nothing matches.
 */
export function withoutIgnored(a: Analysis, ignore: PathMatcher): { analysis: Analysis; ignored: IgnoredFigures } {
  const t = a.tree;
  const index = t.index;
  const ignored = ignoredPaths(a, ignore);
  let ignoredCount = 0;
  for (let p = 1; p < ignored.length; p++) ignoredCount += ignored[p]!;
  if (ignoredCount === 0) return { analysis: a, ignored: { paths: 0, bytes: 0 } };

  const { input, entryPath } = index;
  let ignoredBytes = 0;
  /** Original global id of each kept explicit entry, in the new index's order. */
  const oldOf: number[] = [];
  let base = 0;
  const layers: ImageInput['layers'][number][] = input.layers.map((layer) => {
    const kept: LayerEntry[] = [];
    for (let k = 0; k < layer.entries.length; k++) {
      const g = base + k;
      const e = layer.entries[k]!;
      if (ignored[entryPath[g]!]) ignoredBytes += e.size;
      else {
        kept.push(e);
        oldOf.push(g);
      }
    }
    base += layer.entries.length;
    return { descriptor: layer.descriptor, entries: kept };
  });
  const next = indexImage({ identity: input.identity, config: input.config, layers });

  // Content keys for the new groups: union the members whose original entries have equal
  // content (same or metadata-only), then name each class.
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  // One case breaks the subset argument: a file that a later entry under it (ignored now) had
  // replaced with an implied directory (a layer anomaly) survives here, and has no key to
  // compare by; it is taken as different from everything.
  const sameContent = (x: number, y: number) => {
    try {
      return t.compare(x, y) !== 'content';
    } catch {
      return false;
    }
  };
  for (const group of selectHashGroups(next)) {
    const reps: number[] = [];
    for (const g of group) {
      if (!parent.has(g)) parent.set(g, g);
      const rep = reps.find((r) => sameContent(oldOf[r]!, oldOf[g]!));
      if (rep === undefined) reps.push(g);
      else parent.set(find(g), find(rep));
    }
  }
  const keys: (string | undefined)[] = new Array(next.entries.length);
  for (const g of parent.keys()) keys[g] = `class:${find(g)}`;
  return { analysis: analyzeImage(next, keys as ContentKeys), ignored: { paths: ignoredCount, bytes: ignoredBytes } };
}

const byPath = (x: Offender, y: Offender) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

/**
 * Evaluates the configured path rules on an analysis (normally the one `withoutIgnored` gave,
 * so ignored paths are never offenders), in the order block, denyWaste, maxFileSize,
 * maxLayerCount. Offenders are listed in full; renderers cut them.
 */
export function evaluatePathRules(a: Analysis, rules: PathRules): PathRuleResult[] {
  const t = a.tree;
  const L = t.layerCount;
  const abs = t.absolutePaths();
  const out: PathRuleResult[] = [];
  const finalEntry = (p: number): LayerEntry | undefined => (L > 0 ? t.entryAt(L - 1, p) : undefined);
  const layerOf = (p: number) => t.originOf(t.entryIdAt(L - 1, p)).layer;

  if (rules.block) {
    const offenders: Offender[] = [];
    // Walk the final filesystem from the root; a blocked directory is reported once, not
    // with everything under it.
    const stack = [...t.childrenOf(0)];
    while (stack.length) {
      const p = stack.pop()!;
      const e = finalEntry(p);
      if (!e) continue;
      if (rules.block(abs[p]!)) {
        let size = 0;
        t.forSubtree(p, (x) => (size += finalEntry(x)?.size ?? 0));
        offenders.push({ path: abs[p]!, layer: layerOf(p), sizeBytes: size });
        continue;
      }
      stack.push(...t.childrenOf(p));
    }
    offenders.sort(byPath);
    out.push(verdict('paths.block', null, offenders.length, offenders, `${offenders.length} blocked path${offenders.length === 1 ? '' : 's'} present in the final filesystem`));
  }

  if (rules.denyWaste) {
    // Waste is what a layer stored that the final filesystem does not show: copies a later
    // layer overwrote (or rewrote with a chmod/chown), files a later layer deleted, whole
    // directories included (which dive's per-path figures do not attribute to their files).
    const { entries, entryKind, entryPath, entryLayer } = t.index;
    const top = L > 0 ? t.index.merged.last : undefined;
    const matches = new Int8Array(t.pathCount); // 0 not asked yet, 1 matches, 2 does not
    const waste = new Map<number, { bytes: number; layer: number; largest: number }>();
    for (let g = 0; g < entries.length; g++) {
      const size = entries[g]!.size;
      if (entryKind[g] !== EntryKind.write || size === 0) continue;
      const p = entryPath[g]!;
      if (top && top[p] === g) continue; // the surviving copy
      if (matches[p] === 0) matches[p] = rules.denyWaste(abs[p]!) ? 1 : 2;
      if (matches[p] !== 1) continue;
      const w = waste.get(p);
      if (!w) waste.set(p, { bytes: size, layer: entryLayer[g]!, largest: size });
      else {
        w.bytes += size;
        if (size > w.largest) {
          w.largest = size;
          w.layer = entryLayer[g]!;
        }
      }
    }
    const offenders: Offender[] = [...waste].map(([p, w]) => ({ path: abs[p]!, layer: w.layer, sizeBytes: w.bytes }));
    offenders.sort(byPath);
    const bytes = offenders.reduce((s, o) => s + o.sizeBytes, 0);
    out.push(verdict('paths.denyWaste', null, offenders.length, offenders, `${bytes} wasted bytes in ${offenders.length} path${offenders.length === 1 ? '' : 's'} where no waste is allowed`));
  }

  if (rules.maxFileSize !== undefined) {
    const max = rules.maxFileSize;
    const offenders: Offender[] = [];
    for (let p = 1; p < t.pathCount; p++) {
      const e = finalEntry(p);
      if (e && e.type !== 'dir' && e.size > max) offenders.push({ path: abs[p]!, layer: layerOf(p), sizeBytes: e.size });
    }
    offenders.sort(byPath);
    out.push(verdict('paths.maxFileSize', max, offenders.length, offenders, `${offenders.length} file${offenders.length === 1 ? '' : 's'} larger than ${max} bytes`));
  }

  if (rules.maxLayerCount !== undefined) out.push(evaluateLayerCount(L, rules.maxLayerCount));
  return out;
}

/** maxLayerCount alone, which needs only the number of layers (so no merged filesystem). */
export function evaluateLayerCount(layerCount: number, max: number): PathRuleResult {
  const fail = layerCount > max;
  return { name: 'paths.maxLayerCount', status: fail ? 'fail' : 'pass', threshold: max, actual: layerCount, offenders: [], message: fail ? `too many layers (layers=${layerCount} > threshold=${max})` : '' };
}

function verdict(name: PathRuleName, threshold: number | null, actual: number, offenders: Offender[], failure: string): PathRuleResult {
  const fail = offenders.length > 0;
  return { name, status: fail ? 'fail' : 'pass', threshold, actual, offenders, message: fail ? failure : '' };
}
