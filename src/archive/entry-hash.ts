/** Body hashing: the sha256 of entries of a layer indexed in place, read positionally. */
import type { LayerBlob, LayerContents } from './layer-blob.js';
import { hashBodies } from './region-hash.js';

/**
 * The entries of a layer read positionally from a file region whose bodies are not hashed yet,
 * among `indices`, in the order their bodies lie in the file; none for a stream (its bodies were
 * hashed while read).
 */
export function bodiesToHash(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>): { file: string; todo: number[]; offsets: Float64Array; sizes: Float64Array } | undefined {
  if (!blob || blob.kind !== 'file-region' || !contents.bodyOffsets) return undefined;
  const at = contents.bodyOffsets;
  const todo = [...indices].filter((i) => contents.digests[i] === undefined).sort((a, b) => at[a]! - at[b]!);
  if (todo.length === 0) return undefined;
  return { file: blob.file, todo, offsets: Float64Array.from(todo, (i) => blob.offset + at[i]!), sizes: Float64Array.from(todo, (i) => contents.entries[i]!.size) };
}

/**
 * Fills `contents.digests[i]` for the given indices of a layer read positionally from a file
 * region, on this thread (`WorkerPool.hashEntries` does it on another core). Entries whose
 * digest is known already are skipped. For streams this is a no-op: their bodies were hashed
 * while read.
 */
export async function hashEntries(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>): Promise<void> {
  const job = bodiesToHash(blob, contents, indices);
  if (!job) return;
  const digests = await hashBodies(job.file, job.offsets, job.sizes, job.file, false);
  job.todo.forEach((i, k) => (contents.digests[i] = digests[k]));
}
