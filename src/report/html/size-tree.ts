import { escapeControl } from '../../format/index.js';
import { scriptSafeJson } from './render.js';

/**
 * Folding a filesystem tree into a size tree of bounded node count, for the report's treemap:
 * every file and directory of at least the threshold's bytes keeps its own node; the smaller
 * files and directories of a directory are folded into one aggregate node with their count. The
 * threshold is the smallest that keeps the node count within the budget, so a small image keeps
 * every file and a 200k-file image keeps its largest.
 */

/** A tree to fold: ids `0..size-1`, 0 the root. */
export type TreeSource = {
  readonly size: number;
  children(id: number): readonly number[];
  /** Bytes of a present non-directory path (0 for directories, absent paths and empty files). */
  leafBytes(id: number): number;
  /** True for a present directory. */
  isDir(id: number): boolean;
};

/** One node of the folded tree: a path of the source, or an aggregate of some of a directory's leaves. */
export type FoldedNode =
  | { readonly kind: 'path'; readonly id: number; readonly parent: number; readonly dir: boolean }
  | { readonly kind: 'aggregate'; readonly parent: number; readonly members: readonly number[]; readonly bytes: number };

export type Folded = {
  /** Parents before children; node 0 is the root (a `path` node for id 0). */
  readonly nodes: readonly FoldedNode[];
  /** Leaves and directories with fewer bytes than this were folded (0: nothing was). */
  readonly threshold: number;
  /** Nodes with bytes the tree had before folding (the root not counted). */
  readonly fullCount: number;
  /** Bytes under each source id. */
  readonly bytesUnder: Float64Array;
};

/**
 * Folds `src` to at most `budget` nodes besides the root (at least 2). A directory with no bytes
 * under it and empty files have no area and are left out.
 */
export function foldTree(src: TreeSource, budget: number): Folded {
  const N = src.size;
  const under = new Float64Array(N);
  const isDir = new Uint8Array(N);
  const parentOf = new Int32Array(N).fill(-1);
  // Pre-order without recursion (trees can be thousands of levels deep); sums in reverse.
  const order = new Int32Array(N);
  let n = 0;
  const stack = [0];
  while (stack.length > 0) {
    const id = stack.pop()!;
    order[n++] = id;
    if (src.isDir(id)) {
      isDir[id] = 1;
      for (const c of src.children(id)) {
        parentOf[c] = id;
        stack.push(c);
      }
    } else under[id] = src.leafBytes(id);
  }
  for (let k = n - 1; k > 0; k--) {
    const id = order[k]!;
    under[parentOf[id]!]! += under[id]!;
  }
  let fullCount = 0;
  for (let k = 1; k < n; k++) if (under[order[k]!]! > 0) fullCount++;
  // Kept: at most half the budget (files and directories above the threshold); every kept
  // directory adds at most one aggregate, so the total stays within the budget.
  const half = Math.max(1, Math.floor(budget / 2));
  let threshold = 0;
  if (fullCount > budget) {
    const values = new Float64Array(fullCount);
    let v = 0;
    for (let k = 1; k < n; k++) if (under[order[k]!]! > 0) values[v++] = under[order[k]!]!;
    values.sort().reverse();
    threshold = values[half]!;
  }

  const nodes: FoldedNode[] = [{ kind: 'path', id: 0, parent: -1, dir: true }];
  const walk: { id: number; out: number }[] = [{ id: 0, out: 0 }];
  while (walk.length > 0) {
    const { id, out } = walk.pop()!;
    const members: number[] = [];
    let bytes = 0;
    for (const c of src.children(id)) {
      if (under[c]! <= 0) continue;
      if (under[c]! > threshold) {
        const dir = isDir[c] === 1;
        nodes.push({ kind: 'path', id: c, parent: out, dir });
        if (dir) walk.push({ id: c, out: nodes.length - 1 });
      } else {
        bytes += under[c]!;
        collectLeaves(src, isDir, under, c, members);
      }
    }
    if (members.length === 1) nodes.push({ kind: 'path', id: members[0]!, parent: out, dir: false });
    else if (members.length > 1) nodes.push({ kind: 'aggregate', parent: out, members, bytes });
  }
  // Nodes are pushed when their parent is visited, so every node's parent index is smaller than its own.
  return { nodes, threshold, fullCount, bytesUnder: under };
}

/** The non-directory paths with bytes under `id` (itself when it is one). */
function collectLeaves(src: TreeSource, isDir: Uint8Array, under: Float64Array, id: number, out: number[]): void {
  const stack = [id];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (isDir[x]) {
      for (const c of src.children(x)) if (under[c]! > 0) stack.push(c);
    } else if (under[x]! > 0) out.push(x);
  }
}

/**
 * A string from an image as the page shows it: control characters as visible escapes
 * (`escapeControl`: newlines, ESC, bidi overrides, U+2028…), then cut to `max` characters with
 * `…`. The page puts it into the document as text.
 */
export function clip(s: string, max: number): string {
  const e = escapeControl(s);
  if (e.length <= max) return e;
  let end = max - 1;
  // never split a surrogate pair
  const c = e.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${e.slice(0, end)}…`;
}

/** Longest name of one path component in the page. */
export const MAX_NAME = 120;
/** Longest path in the page's lists. */
export const MAX_PATH = 400;
/** Longest command in the page. */
export const MAX_COMMAND = 1000;
/** Longest reference or message in the page. */
export const MAX_TEXT = 400;
/** Paths listed per layer (removed, gone later), per finding and per rule. */
export const LIST_CAP = 20;
/**
 * Nodes of the size tree(s) in one page. With ~50 bytes of data a node, this keeps the map's
 * data within about 0.6 MB whatever the image.
 */
export const NODE_BUDGET = 12_000;

/**
 * Bytes of page data a report may embed for one image or comparison (the page adds its script,
 * ~30 kB, and its style). Whatever the image, its page stays under 2 MB.
 */
export const PAGE_DATA_LIMIT = 1_900_000;

/** Bytes a value takes in the page (UTF-8, with the escapes the page writes). */
export function byteSize(value: unknown): number {
  return Buffer.byteLength(scriptSafeJson(value), 'utf8');
}

/**
 * The tree from `make` with the most nodes, from `budget` down by halves, whose data fits in
 * `room` bytes (the smallest tried when none does).
 */
export function fitTree<T>(make: (budget: number) => T, budget: number, room: number): T {
  let b = budget;
  let built = make(b);
  while (b > 16 && byteSize(built) > room) {
    b = Math.floor(b / 2);
    built = make(b);
  }
  return built;
}

/** Bytes of page data besides the tree(s): layers, findings, rules, lists. */
export const REST_LIMIT = 1_000_000;

/**
 * `value` with every string longer than `max` characters cut (with `…`), `max` halved from
 * `MAX_COMMAND` until the whole fits in `room` bytes (down to 32 characters, longer than any of the page's own names). A page's size then
 * depends on how many layers, findings and rules there are, not on the image's strings.
 */
export function fitStrings<T>(value: T, room: number): T {
  let out = value;
  for (let max = MAX_COMMAND; max >= 32 && byteSize(out) > room; max = Math.floor(max / 2)) out = cutStrings(value, max) as T;
  return out;
}

function cutStrings(v: unknown, max: number): unknown {
  if (typeof v === 'string') return v.length <= max ? v : clip(v, max);
  if (Array.isArray(v)) return v.map((x) => cutStrings(x, max));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x, max)]));
  return v;
}
