/**
 * The merged filesystem after each layer, kept as what changed rather than as one array per
 * layer. An array of every path per layer costs layers × paths: 20,000 layers that each add a
 * file made 1.6 GB of them. Here each path keeps the layers where its visible entry changed
 * and the entry it changed to (compressed-row arrays, one slot per change), and the filesystem
 * after the last layer is kept whole, since most readers want that one.
 */
export class MergedViews {
  /** For path p, its changes are `changeLayer`/`changeEntry` in [start[p], start[p + 1]), in layer order. */
  private readonly start: Int32Array;
  private readonly changeLayer: Int32Array;
  private readonly changeEntry: Int32Array;
  /** Views built on request, most recent last (a few at a time: each is one slot per path). */
  private readonly built: { layer: number; view: Int32Array }[] = [];

  /**
   * @param touched per layer, the path ids whose visible entry changed in it.
   * @param entries per layer, the entry each of those paths shows after it (-1: none), in the same order.
   * @param last the filesystem after the last layer: the entry at each path id, or -1.
   */
  constructor(
    readonly layerCount: number,
    readonly pathCount: number,
    touched: readonly Int32Array[],
    entries: readonly Int32Array[],
    readonly last: Int32Array,
  ) {
    const start = new Int32Array(pathCount + 1);
    for (const t of touched) for (let k = 0; k < t.length; k++) start[t[k]! + 1]!++;
    for (let p = 0; p < pathCount; p++) start[p + 1]! += start[p]!;
    const fill = start.slice(0, pathCount);
    const total = start[pathCount]!;
    this.changeLayer = new Int32Array(total);
    this.changeEntry = new Int32Array(total);
    for (let li = 0; li < touched.length; li++) {
      const t = touched[li]!;
      const e = entries[li]!;
      for (let k = 0; k < t.length; k++) {
        const slot = fill[t[k]!]!++;
        this.changeLayer[slot] = li;
        this.changeEntry[slot] = e[k]!;
      }
    }
    this.start = start;
  }

  /** The columns this is made of, for the index cache (`fromColumns` takes them back). Do not change them. */
  columns(): { readonly start: Int32Array; readonly changeLayer: Int32Array; readonly changeEntry: Int32Array; readonly last: Int32Array } {
    return { start: this.start, changeLayer: this.changeLayer, changeEntry: this.changeEntry, last: this.last };
  }

  /**
   * Views from the columns `columns()` gave. The caller has checked them: `start` rises from 0 to
   * the number of changes over `pathCount + 1` slots, each path's change layers rise within
   * [0, layerCount), and every entry id is in range.
   */
  static fromColumns(layerCount: number, c: ReturnType<MergedViews['columns']>): MergedViews {
    // Made without the constructor's pass over every layer's changes: the columns are its output.
    const v = Object.create(MergedViews.prototype) as MergedViews;
    return Object.assign(v, { layerCount, pathCount: c.last.length, last: c.last, start: c.start, changeLayer: c.changeLayer, changeEntry: c.changeEntry, built: [] });
  }

  /** The global id of the entry visible at a path after `layer`; -1 when absent, and for layer -1 (the empty image). */
  at(layer: number, pathId: number): number {
    if (layer < 0) return -1;
    if (layer >= this.layerCount - 1) return this.last[pathId]!;
    // the last change at or below `layer` (most paths last changed below it: no search)
    let lo = this.start[pathId]!;
    let hi = this.start[pathId + 1]! - 1;
    if (hi < lo || this.changeLayer[hi]! <= layer) return this.last[pathId]!;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.changeLayer[mid]! <= layer) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? -1 : this.changeEntry[found]!;
  }

  /** Every layer where a path's visible entry changed, with the entry it shows from then on (-1: none). */
  changesOf(pathId: number): { readonly layers: Int32Array; readonly entries: Int32Array } {
    const a = this.start[pathId]!;
    const b = this.start[pathId + 1]!;
    return { layers: this.changeLayer.subarray(a, b), entries: this.changeEntry.subarray(a, b) };
  }

  /**
   * The whole filesystem after `layer` (-1: the empty image), one entry id per path id. Do not
   * change it: the last layer's and the few most recently asked for are shared.
   */
  view(layer: number): Int32Array {
    if (layer >= this.layerCount - 1) return this.last;
    const hit = this.built.findIndex((b) => b.layer === layer);
    if (hit >= 0) {
      const [b] = this.built.splice(hit, 1);
      this.built.push(b!);
      return b!.view;
    }
    const view = new Int32Array(this.pathCount);
    for (let p = 0; p < this.pathCount; p++) view[p] = this.at(layer, p);
    this.built.push({ layer, view });
    if (this.built.length > MergedViews.KEPT) this.built.shift();
    return view;
  }

  /** How many views besides the last layer's are kept for the next request. */
  static readonly KEPT = 4;
}
