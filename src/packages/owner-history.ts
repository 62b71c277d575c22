/**
 * For every path id, which package owned it from which layer on. Most paths change owner once,
 * when their package is installed: that first change lives in two typed arrays, later ones in a
 * map, so an image's tens of thousands of owned paths cost no object each.
 */
export class OwnerHistory {
  private readonly firstLayer: Int32Array;
  private readonly firstOwner: Int32Array;
  private readonly hasMore: Uint8Array;
  private readonly more = new Map<number, number[]>();

  constructor(size: number) {
    this.firstLayer = new Int32Array(size).fill(-1);
    this.firstOwner = new Int32Array(size).fill(-1);
    this.hasMore = new Uint8Array(size);
  }

  /** From layer `layer` on, `p` belongs to `owner` (-1: to nobody). Layers come in increasing order. */
  set(p: number, layer: number, owner: number): void {
    const fl = this.firstLayer[p]!;
    if (fl < 0) {
      if (owner >= 0) {
        this.firstLayer[p] = layer;
        this.firstOwner[p] = owner;
      }
      return;
    }
    const m = this.hasMore[p] ? this.more.get(p) : undefined;
    const lastLayer = m ? m[m.length - 2]! : fl;
    const lastOwner = m ? m[m.length - 1]! : this.firstOwner[p]!;
    if (lastOwner === owner) return;
    if (lastLayer === layer) {
      if (m) m[m.length - 1] = owner;
      else this.firstOwner[p] = owner;
    } else if (m) m.push(layer, owner);
    else {
      this.more.set(p, [layer, owner]);
      this.hasMore[p] = 1;
    }
  }

  /** The owner of `p` at `layer`, or -1. */
  at(p: number, layer: number): number {
    const fl = this.firstLayer[p]!;
    if (fl < 0 || fl > layer) return -1;
    const m = this.hasMore[p] ? this.more.get(p) : undefined;
    if (!m) return this.firstOwner[p]!;
    // Pairs sorted by layer: the last one at or below `layer`.
    let found = this.firstOwner[p]!;
    let lo = 0;
    let hi = m.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid * 2]! <= layer) {
        found = m[mid * 2 + 1]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The owner of `p` after the last layer, or -1. */
  last(p: number): number {
    if (this.firstLayer[p]! < 0) return -1;
    const m = this.hasMore[p] ? this.more.get(p) : undefined;
    return m ? m[m.length - 1]! : this.firstOwner[p]!;
  }
}
