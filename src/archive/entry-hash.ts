/** Body hashing: the sha256 of entries of a layer indexed in place, read positionally. */
import type { LayerBlob, LayerContents } from './layer-blob.js';
import { hashBodies } from './region-hash.js';

/**
 * The entries of a layer read positionally from a file region whose bodies the read did not
 * hash, among `indices`, in the order their bodies lie in the file; none for a stream (its
 * bodies were hashed while read).
 */
export function bodiesToHash(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>): { file: string; todo: number[]; offsets: Float64Array; sizes: Float64Array } | undefined {
  if (!blob || blob.kind !== 'file-region' || !contents.bodyOffsets) return undefined;
  const at = contents.bodyOffsets;
  const todo = [...indices].filter((i) => contents.digests[i] === undefined).sort((a, b) => at[a]! - at[b]!);
  if (todo.length === 0) return undefined;
  return { file: blob.file, todo, offsets: Float64Array.from(todo, (i) => blob.offset + at[i]!), sizes: Float64Array.from(todo, (i) => contents.entries[i]!.size) };
}

/** Bodies hashed after a layer was read: the hex sha256 by entry index (into `LayerContents.entries`). */
export type BodyDigests = ReadonlyMap<number, string>;

/** The table of `todo` (entry indices) and their digests, in the same order. */
export function bodyDigests(todo: readonly number[], digests: readonly string[]): BodyDigests {
  const out = new Map<number, string>();
  todo.forEach((i, k) => out.set(i, digests[k]!));
  return out;
}

/**
 * The sha256 of the bodies of the given entries of a layer read positionally from a file
 * region, hashed on this thread (`WorkerPool.hashEntries` does it on other cores), returned as
 * a table: `contents` is not written. Entries whose digest the read found are left out, and so
 * is every entry of a stream (its bodies were hashed while read): the table is then empty. An
 * aborted `signal` stops the hashing between chunks; the promise rejects with its reason.
 */
export async function hashEntries(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>, signal?: AbortSignal): Promise<BodyDigests> {
  signal?.throwIfAborted();
  const job = bodiesToHash(blob, contents, indices);
  if (!job) return new Map();
  return bodyDigests(job.todo, await hashBodies(job.file, job.offsets, job.sizes, job.file, false, signal));
}
