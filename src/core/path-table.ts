/**
 * Interned paths: every path any layer mentions (and every whiteout target) gets a small
 * integer id, with its parent and sorted children, so merged views are typed arrays indexed
 * by id instead of trees of objects. Id 0 is the root (path '').
 */
const NO_CHILDREN: number[] = Object.freeze([]) as unknown as number[];

export class PathTable {
  /** Full cleaned path of each id ('' for the root). */
  readonly paths: string[] = [''];
  /** Last path component of each id. */
  readonly names: string[] = [''];
  readonly parents: number[] = [-1];
  /** Child ids of each id, sorted by name after `sortChildren`. Read-only for callers. */
  readonly children: number[][] = [[]];
  readonly depths: number[] = [0];
  /** Path → id; built on first use for a table made from columns (`fromColumns`). */
  private lookup: Map<string, number> | undefined = new Map<string, number>([['', 0]]);
  private sorted = true;
  // Tar members come grouped by directory: remembering the last parent skips most lookups.
  private lastDir = '';
  private lastDirId = 0;

  get size(): number {
    return this.paths.length;
  }

  private get ids(): Map<string, number> {
    if (this.lookup) return this.lookup;
    const m = new Map<string, number>();
    for (let i = 0; i < this.paths.length; i++) m.set(this.paths[i]!, i);
    return (this.lookup = m);
  }

  /**
   * A table from its columns, as the index cache stores them: `paths` by id, each id's `names`
   * (last component), its parent (smaller than the id, -1 for the root), and its children sorted
   * by name. Depths are derived; the path → id map is built on the first `find` or `intern`. The
   * caller has checked that the columns describe such a tree; they are taken, not copied.
   */
  static fromColumns(paths: string[], names: string[], parents: number[], children: number[][]): PathTable {
    return new PathTable({ paths, names, parents, children });
  }

  /** An empty table (only the root); with `columns`, see `fromColumns`. */
  constructor(columns?: { paths: string[]; names: string[]; parents: number[]; children: number[][] }) {
    if (!columns) return;
    this.paths = columns.paths;
    this.names = columns.names;
    this.parents = columns.parents;
    // Leaves share the one empty list (`add` gives a leaf its own list when it gets a child).
    const children = columns.children;
    for (let i = 0; i < children.length; i++) if (children[i]!.length === 0) children[i] = NO_CHILDREN;
    this.children = children;
    const depths = new Array<number>(columns.paths.length);
    depths[0] = 0;
    for (let i = 1; i < depths.length; i++) depths[i] = depths[columns.parents[i]!]! + 1;
    this.depths = depths;
    this.lookup = undefined;
  }

  /**
   * The id of a cleaned relative path, creating it and its ancestors as needed. Iterative: a
   * path 100k directories deep costs 100k steps, not 100k stack frames.
   */
  intern(path: string): number {
    const known = this.ids.get(path);
    if (known !== undefined) return known;
    // Walk up to the nearest ancestor already known, remembering the missing ones.
    const missing: string[] = [path];
    let parent = 0;
    for (let p = path; ; ) {
      const slash = p.lastIndexOf('/');
      if (slash < 0) break;
      // Same directory as the previous path: no slice, no map lookup.
      if (slash === this.lastDir.length && p.startsWith(this.lastDir)) {
        parent = this.lastDirId;
        break;
      }
      const dir = p.slice(0, slash);
      const id = this.ids.get(dir);
      if (id !== undefined) {
        parent = id;
        this.lastDir = dir;
        this.lastDirId = id;
        break;
      }
      missing.push(dir);
      p = dir;
    }
    for (let i = missing.length - 1; i >= 1; i--) parent = this.add(missing[i]!, parent);
    if (missing.length > 1) {
      this.lastDir = missing[1]!;
      this.lastDirId = parent;
    }
    return this.add(path, parent);
  }

  private add(path: string, parent: number): number {
    const slash = path.lastIndexOf('/');
    const id = this.paths.length;
    this.paths.push(path);
    this.names.push(slash < 0 ? path : path.slice(slash + 1));
    this.parents.push(parent);
    // Leaves (most paths) share one empty list until they get a child: ~6 MB less at 200k paths.
    this.children.push(NO_CHILDREN);
    this.depths.push(this.depths[parent]! + 1);
    let siblings = this.children[parent]!;
    if (siblings === NO_CHILDREN) this.children[parent] = siblings = [];
    siblings.push(id);
    this.ids.set(path, id);
    this.sorted = false;
    return id;
  }

  /** The id of a path, or undefined when no layer mentions it. Accepts `/a/b` and `a/b`. */
  find(path: string): number | undefined {
    const p = path.startsWith('/') ? path.slice(1) : path;
    const clean = p.endsWith('/') ? p.slice(0, -1) : p;
    return this.lookup ? this.lookup.get(clean) : this.walk(clean);
  }

  /**
   * `find` without the path → id map, for a table made from columns: down from the root, one
   * binary search of the sorted children per component. A map of 220k paths took ~0.1 s to
   * build, and a cached open looks up only a few paths before its first screen.
   */
  private walk(path: string): number | undefined {
    if (path === '') return 0;
    let id = 0;
    for (let from = 0; from <= path.length; ) {
      let to = path.indexOf('/', from);
      if (to < 0) to = path.length;
      const name = path.slice(from, to);
      const ch = this.children[id]!;
      let lo = 0;
      let hi = ch.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const n = this.names[ch[mid]!]!;
        if (n === name) {
          found = ch[mid]!;
          break;
        }
        if (n < name) lo = mid + 1;
        else hi = mid - 1;
      }
      if (found < 0) return undefined;
      id = found;
      from = to + 1;
    }
    return id;
  }

  /** Sorts every child list by name (byte order of UTF-16 units, like dive's sorted keys). */
  sortChildren(): void {
    if (this.sorted) return;
    const names = this.names;
    for (const c of this.children) if (c.length > 1) c.sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    this.sorted = true;
  }

  /** Calls `fn` for `id` and every descendant (pre-order), without recursion. */
  forSubtree(id: number, fn: (id: number) => void): void {
    const stack = [id];
    while (stack.length) {
      const x = stack.pop()!;
      fn(x);
      const ch = this.children[x]!;
      for (let i = ch.length - 1; i >= 0; i--) stack.push(ch[i]!);
    }
  }

  /** True when `a` is `d` or one of its ancestors. */
  isAncestorOrSelf(a: number, d: number): boolean {
    for (let x = d; x >= 0; x = this.parents[x]!) if (x === a) return true;
    return false;
  }
}

/** `/`-prefixed absolute form for display and export. */
export function absolutePath(p: string): string {
  return `/${p}`;
}
