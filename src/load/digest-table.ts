import type { BodyDigests, LayerContents } from '../archive/index.js';

const NONE: BodyDigests = new Map();

/**
 * The sha256 of regular files' bodies, by layer (base first) and entry: what reading each layer
 * found (`LayerContents.digests`: a stream's bodies, hashed as they passed, or what its layer
 * cache entry kept) and what was hashed since (`hashEntries` returns it, `with` adds it). A
 * table never changes; `with` makes a new one. The lifecycle holds the table and hands it to
 * whoever reads digests (content keys, the comparison, the layer cache), so no step depends on
 * another having written into the layers' contents first.
 */
export class DigestTable {
  private constructor(
    private readonly read: readonly (readonly (string | undefined)[])[],
    private readonly hashed: readonly BodyDigests[],
    /** Per layer: whether any digest is known (a layer indexed in place has a long, empty array to skip). */
    private readonly known: readonly boolean[],
  ) {}

  /** The digests reading found, for the layers' contents base first. */
  static of(contents: readonly LayerContents[]): DigestTable {
    return new DigestTable(
      contents.map((c) => c.digests),
      contents.map(() => NONE),
      contents.map((c) => c.digests.some((d) => d !== undefined)),
    );
  }

  /** The hex sha256 of the body of entry `local` of layer `layer`, when known. */
  get(layer: number, local: number): string | undefined {
    if (!this.known[layer]) return undefined;
    return this.read[layer]![local] ?? this.hashed[layer]!.get(local);
  }

  /** True when a digest of some body of `layer` is known. */
  has(layer: number): boolean {
    return this.known[layer] === true;
  }

  /** This table with what was hashed since: per layer, the digests by entry (`hashEntries` gives one layer's). */
  with(found: ReadonlyMap<number, BodyDigests>): DigestTable {
    let added = false;
    const hashed = this.hashed.map((had, layer) => {
      const more = found.get(layer);
      if (!more || more.size === 0) return had;
      added = true;
      return had.size === 0 ? more : new Map([...had, ...more]);
    });
    return added ? new DigestTable(this.read, hashed, this.known.map((k, layer) => k || hashed[layer]!.size > 0)) : this;
  }

  /** The digests of `layer` hashed since it was read (what its layer cache entry lacks). */
  hashedSince(layer: number): BodyDigests {
    return this.hashed[layer] ?? NONE;
  }

  /** Every known digest of `layer`, parallel to its entries (what the layer cache keeps). */
  layer(layer: number): readonly (string | undefined)[] {
    const read = this.read[layer]!;
    const hashed = this.hashed[layer]!;
    if (hashed.size === 0) return read;
    const out = read.slice();
    for (const [i, d] of hashed) out[i] = d;
    return out;
  }
}
