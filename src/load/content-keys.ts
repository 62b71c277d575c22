import { closeSync, openSync } from 'node:fs';
import { type BodyDigests, inThreadPool, type LayerBlob, type LayerContents, readSampleKey, SAMPLE_BYTES, type WorkerPool } from '../archive/index.js';
import { EQUAL_CONTENT_KEY, selectHashGroups, UNIQUE_CONTENT_KEY, type ContentKeys, type ImageIndex } from '../core/index.js';
import type { DigestTable } from './digest-table.js';
import { mapLimit } from './map-limit.js';

/**
 * The content keys of every entry the core will compare (`selectHashGroups`), reading as little
 * as possible: entries streamed already have a sha256 (in `digests`); for files on disk a
 * fingerprint of the first 1 KiB (computed while indexing when the body was in memory, else
 * read now) separates most candidates, and members whose fingerprints collide within a group
 * only need "equal or not": their bytes are compared side by side (stopping at the first
 * difference) instead of hashed. Only a group that mixes hashed and unhashed members, or whose
 * fingerprints cannot be read, has its members fully hashed (returned as `hashed`, for the
 * caller's table and the layer cache). Entries found equal share a key (their digest when one
 * of them has one, else an `EQUAL_CONTENT_KEY` token); the rest get a key unique to themselves,
 * which is exact for comparisons within their groups.
 *
 * @param blobs where each layer's bytes are (absent for a layer parsed in one pass).
 * @param digests the body digests known so far.
 * @returns the keys by global entry id, the digests hashed here (by layer, then entry), and how
 *   many bodies were fully hashed, pairs compared and fingerprints read.
 */
export async function computeContentKeys(
  index: ImageIndex,
  blobs: readonly (LayerBlob | undefined)[],
  contents: readonly LayerContents[],
  digests: DigestTable,
  /** `pool`: where bodies are hashed and compared; @default on this thread */
  opts: { readonly concurrency?: number; readonly pool?: WorkerPool; readonly signal?: AbortSignal } = {},
): Promise<{ keys: ContentKeys; hashed: ReadonlyMap<number, BodyDigests>; fullHashes: number; pairsCompared: number; samplesRead: number }> {
  const { entries, entryLayer, entryLocal } = index;
  const out = new Array<string | undefined>(entries.length);
  const digestOf = (g: number) => digests.get(entryLayer[g]!, entryLocal[g]!);
  const groups = selectHashGroups(index);
  const hashed = new Map<number, BodyDigests>();
  if (groups.length === 0) return { keys: out, hashed, fullHashes: 0, pairsCompared: 0, samplesRead: 0 };
  const keys = new Float64Array(entries.length).fill(NaN);
  const fds = new Map<number, number>();
  const scratch = Buffer.allocUnsafe(SAMPLE_BYTES);
  let samplesRead = 0;
  const sampleOf = (g: number): number | undefined => {
    const known = keys[g]!;
    if (!Number.isNaN(known)) return known;
    const li = entryLayer[g]!;
    const k = entryLocal[g]!;
    const c = contents[li]!;
    const blob = blobs[li];
    let key = c.sampleKeys?.[k];
    if (key === undefined || Number.isNaN(key)) {
      if (!blob || blob.kind !== 'file-region' || !c.bodyOffsets) return undefined;
      let fd = fds.get(li);
      if (fd === undefined) fds.set(li, (fd = openSync(blob.file, 'r')));
      key = readSampleKey(fd, blob.offset + c.bodyOffsets[k]!, entries[g]!.size, scratch);
      samplesRead++;
    }
    keys[g] = key;
    return key;
  };
  /** True when an entry's body can be read again where it lies (to compare it). */
  const onDisk = (g: number) => blobs[entryLayer[g]!]?.kind === 'file-region' && contents[entryLayer[g]!]!.bodyOffsets !== undefined;
  const full = new Set<number>();
  /** Members of one group with the same fingerprint and no digest: compared byte for byte. */
  let toCompare: number[][] = [];
  try {
    for (const group of groups) {
      // Members hashed in passing (streams) compare by sha256: then every member needs one.
      let lacking = 0;
      for (const g of group) if (digestOf(g) === undefined) lacking++;
      if (lacking === 0) continue;
      let unknown = lacking < group.length;
      if (!unknown) {
        for (const g of group) {
          if (!onDisk(g) || sampleOf(g) === undefined) {
            unknown = true;
            break;
          }
        }
      }
      if (unknown) {
        for (const g of group) if (digestOf(g) === undefined) full.add(g);
        continue;
      }
      if (group.length === 2) {
        // Most groups are one path written twice: no map for two fingerprints.
        if (keys[group[0]!] === keys[group[1]!]) toCompare.push(group);
        continue;
      }
      // Runs of equal fingerprints, found by sorting (a map keyed by 53-bit numbers cost ~0.3 s on
      // the 1M-file image).
      const sorted = group.slice().sort((a, b) => keys[a]! - keys[b]! || a - b);
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && keys[sorted[j]!] === keys[sorted[i]!]) j++;
        if (j - i > 1) toCompare.push(sorted.slice(i, j));
        i = j;
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  const { signal } = opts;
  const pool = opts.pool ?? inThreadPool();
  const perLayer = new Map<number, number[]>();
  for (const g of full) {
    const li = entryLayer[g]!;
    let list = perLayer.get(li);
    if (!list) perLayer.set(li, (list = []));
    list.push(entryLocal[g]!);
  }
  await mapLimit([...perLayer], opts.concurrency ?? 4, async ([li, locals]) => {
    hashed.set(li, await pool.hashEntries(blobs[li], contents[li]!, locals, signal));
  });
  const known = digests.with(hashed);

  // Equal content, as classes: members compared equal, and members with the same digest.
  const classes = new EqualityClasses();
  let pairsCompared = 0;
  // Each round compares every member of a set with its first; those that differ form the next set.
  while (toCompare.length > 0) {
    const pairs: [number, number][] = toCompare.flatMap((set) => set.slice(1).map((m): [number, number] => [set[0]!, m]));
    const equal = await compareEntryBodies(pairs, index, blobs, contents, pool, signal);
    pairsCompared += pairs.length;
    let at = 0;
    const next: number[][] = [];
    for (const set of toCompare) {
      const rest: number[] = [];
      for (const m of set.slice(1)) {
        if (equal[at++]) classes.union(set[0]!, m);
        else rest.push(m);
      }
      if (rest.length > 1) next.push(rest);
    }
    toCompare = next;
  }
  const byDigest = new Map<string, number>();
  for (const group of contents.some((_, li) => known.has(li)) ? groups : []) {
    for (const g of group) {
      const d = known.get(entryLayer[g]!, entryLocal[g]!);
      if (d === undefined) continue;
      const first = byDigest.get(d);
      if (first === undefined) byDigest.set(d, g);
      else classes.union(first, g);
    }
  }
  const classDigest = new Map<number, string>();
  for (const [d, g] of byDigest) classDigest.set(classes.find(g), d);
  const done = new Uint8Array(entries.length);
  for (const group of groups) {
    for (const g of group) {
      if (done[g]) continue;
      done[g] = 1;
      const root = classes.find(g);
      out[g] = classDigest.get(root) ?? (classes.has(g) ? `${EQUAL_CONTENT_KEY}${root}` : `${UNIQUE_CONTENT_KEY}${g}`);
    }
  }
  return { keys: out, hashed, fullHashes: full.size, pairsCompared, samplesRead };
}

/** Union-find over the few entries found equal to another. */
class EqualityClasses {
  private readonly parent = new Map<number, number>();
  has(x: number): boolean {
    return this.parent.has(x);
  }
  find(x: number): number {
    let r = x;
    for (let p = this.parent.get(r); p !== undefined && p !== r; p = this.parent.get(r)) r = p;
    // Path compression: every entry on the way points at the root.
    for (let y = x, p = this.parent.get(y); p !== undefined && p !== r; y = p, p = this.parent.get(y)) this.parent.set(y, r);
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (!this.parent.has(ra)) this.parent.set(ra, ra);
    this.parent.set(rb, ra);
  }
}

/** Whether the bodies of each pair of global entries (files on disk, of equal size) are equal. */
async function compareEntryBodies(
  pairs: readonly [number, number][],
  index: ImageIndex,
  blobs: readonly (LayerBlob | undefined)[],
  contents: readonly LayerContents[],
  pool: WorkerPool,
  signal: AbortSignal | undefined,
): Promise<boolean[]> {
  const files: string[] = [];
  const fileIds = new Map<string, number>();
  const at = new Float64Array(pairs.length * 4);
  const sizes = new Float64Array(pairs.length);
  const where = (g: number, k: number) => {
    const li = index.entryLayer[g]!;
    const blob = blobs[li] as LayerBlob & { kind: 'file-region' };
    let f = fileIds.get(blob.file);
    if (f === undefined) fileIds.set(blob.file, (f = files.push(blob.file) - 1));
    at[k] = f;
    at[k + 1] = blob.offset + contents[li]!.bodyOffsets![index.entryLocal[g]!]!;
  };
  pairs.forEach(([a, b], k) => {
    where(a, 4 * k);
    where(b, 4 * k + 2);
    sizes[k] = index.entries[a]!.size;
  });
  const label = files.length === 1 ? files[0]! : `${files[0]} and other layers`;
  return pool.compareBodies({ files, at, sizes }, label, signal);
}
