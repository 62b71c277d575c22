import { closeSync, openSync } from 'node:fs';
import { hashEntries } from '../archive/read-layer.js';
import type { LayerContents } from '../archive/layer-blob.js';
import { readSampleKey, SAMPLE_BYTES } from '../archive/tar-scan.js';
import { selectHashGroups, type ImageIndex } from '../core/index.js';
import type { LayerHandle } from './image-source.js';
import { mapLimit } from './map-limit.js';

/** Prefix of content keys that stand for "differs from every entry it is compared with". */
export const UNIQUE = '~';

/**
 * Gives every entry the core will compare a content key, reading as little as possible:
 * entries streamed already carry sha256; for files on disk a fingerprint of the first 4 KiB
 * (computed while indexing when the body was in memory, else read now) separates most
 * candidates, and only members whose fingerprints collide within a group are fully hashed.
 * The rest get a key unique to themselves, which is exact for comparisons within their groups.
 *
 * @returns how many bodies were fully hashed and how many fingerprints were read.
 */
export async function fillContentKeys(
  index: ImageIndex,
  layers: readonly LayerHandle[],
  contents: readonly LayerContents[],
  concurrency = 4,
): Promise<{ fullHashes: number; samplesRead: number }> {
  const groups = selectHashGroups(index);
  if (groups.length === 0) return { fullHashes: 0, samplesRead: 0 };
  const { entries, entryLayer, entryLocal } = index;
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
    const blob = layers[li]!.blob;
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
      const lacking = group.filter((g) => entries[g]!.hash === undefined);
      if (lacking.length === 0) continue;
      const byKey = new Map<number, number[]>();
      let unknown = lacking.length < group.length; // members hashed in passing: compare by sha256
      if (!unknown) {
        for (const g of lacking) {
          const key = sampleOf(g);
          if (key === undefined) {
            unknown = true;
            break;
          }
          const l = byKey.get(key);
          if (l) l.push(g);
          else byKey.set(key, [g]);
        }
      }
      if (unknown) for (const g of lacking) full.add(g);
      else for (const l of byKey.values()) if (l.length > 1) for (const g of l) full.add(g);
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
  await mapLimit([...perLayer], concurrency, ([li, locals]) => hashEntries(layers[li]!.blob, contents[li]!, locals));
  for (const group of groups) {
    for (const g of group) {
      const e = entries[g]!;
      if (e.hash === undefined) e.hash = `${UNIQUE}${g}`;
    }
  }
  return { fullHashes: full.size, samplesRead };
}
