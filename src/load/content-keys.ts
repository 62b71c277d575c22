import { closeSync, openSync } from 'node:fs';
import type { WorkerPool } from '../archive/worker-pool.js';
import { hashEntries } from '../archive/read-layer.js';
import type { LayerContents } from '../archive/layer-blob.js';
import { readSampleKey, SAMPLE_BYTES } from '../archive/tar-scan.js';
import { selectHashGroups, UNIQUE_CONTENT_KEY, type ContentKeys, type ImageIndex } from '../core/index.js';
import type { LayerBlob } from '../archive/layer-blob.js';
import { mapLimit } from './map-limit.js';

/**
 * The content keys of every entry the core will compare (`selectHashGroups`), reading as little
 * as possible: entries streamed already have a sha256 (`LayerContents.digests`); for files on
 * disk a fingerprint of the first 4 KiB (computed while indexing when the body was in memory,
 * else read now) separates most candidates, and only members whose fingerprints collide within
 * a group are fully hashed (into `contents[i].digests`, which the layer cache then keeps). The
 * rest get a key unique to themselves, which is exact for comparisons within their groups.
 *
 * @param blobs where each layer's bytes are (absent for a layer parsed in one pass).
 * @returns the keys by global entry id, and how many bodies were fully hashed and fingerprints read.
 */
export async function computeContentKeys(
  index: ImageIndex,
  blobs: readonly (LayerBlob | undefined)[],
  contents: readonly LayerContents[],
  opts: { readonly concurrency?: number; readonly pool?: WorkerPool; readonly signal?: AbortSignal } = {},
): Promise<{ keys: ContentKeys; fullHashes: number; samplesRead: number }> {
  const { entries, entryLayer, entryLocal } = index;
  const out = new Array<string | undefined>(entries.length);
  const digestOf = (g: number) => contents[entryLayer[g]!]!.digests[entryLocal[g]!];
  const groups = selectHashGroups(index);
  if (groups.length === 0) return { keys: out, fullHashes: 0, samplesRead: 0 };
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
  const full = new Set<number>();
  try {
    for (const group of groups) {
      // Members hashed in passing (streams) compare by sha256: then every member needs one.
      let lacking = 0;
      for (const g of group) if (digestOf(g) === undefined) lacking++;
      if (lacking === 0) continue;
      let unknown = lacking < group.length;
      if (!unknown) {
        for (const g of group) {
          if (sampleOf(g) === undefined) {
            unknown = true;
            break;
          }
        }
      }
      if (unknown) {
        for (const g of group) if (digestOf(g) === undefined) full.add(g);
        continue;
      }
      // Members whose fingerprint another member shares need the full hash.
      const seen = new Map<number, number>();
      for (const g of group) {
        const key = keys[g]!;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, g);
        else {
          full.add(first);
          full.add(g);
        }
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  const perLayer = new Map<number, number[]>();
  for (const g of full) {
    const li = entryLayer[g]!;
    let list = perLayer.get(li);
    if (!list) perLayer.set(li, (list = []));
    list.push(entryLocal[g]!);
  }
  const { pool, signal } = opts;
  await mapLimit([...perLayer], opts.concurrency ?? 4, ([li, locals]) => (pool ? pool.hashEntries(blobs[li], contents[li]!, locals, signal) : hashEntries(blobs[li], contents[li]!, locals)));
  for (const group of groups) for (const g of group) out[g] = digestOf(g) ?? `${UNIQUE_CONTENT_KEY}${g}`;
  return { keys: out, fullHashes: full.size, samplesRead };
}
