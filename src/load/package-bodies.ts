import { open } from 'node:fs/promises';
import type { LayerAccess } from '../archive/index.js';
import { errnoCode } from '../errors/index.js';
import type { PackageReadPlan } from '../packages/index.js';

/** The bodies a package read plan asks for, and why each missing one is missing. */
export type PackageBodies = { readonly bodies: Map<number, Uint8Array>; readonly unread: Map<number, string> };

/**
 * Reads the body of every `plan.requests` entry from the loaded layers: a layer read as a
 * stream kept them as it passed (`LayerContents.packageBodies`, also from the layer cache); an
 * uncompressed tar in a file is read in place at the offsets its index recorded. A body that is
 * neither kept nor in a file is missing, and a file that cannot be read leaves its layer's
 * bodies missing, each with the reason (`readPackages` warns): never guessed, never fatal.
 */
export async function readPackageBodies(plan: PackageReadPlan, layers: readonly LayerAccess[], signal?: AbortSignal): Promise<PackageBodies> {
  const bodies = new Map<number, Uint8Array>();
  const unread = new Map<number, string>();
  const inPlace = new Map<number, { entry: number; local: number; size: number }[]>();
  for (const r of plan.requests) {
    const layer = layers[r.layer];
    const kept = layer?.contents.packageBodies?.get(r.local);
    if (kept && kept.byteLength === r.size) bodies.set(r.entry, kept);
    else if (layer?.blob?.kind === 'file-region' && layer.contents.bodyOffsets) {
      let list = inPlace.get(r.layer);
      if (!list) inPlace.set(r.layer, (list = []));
      list.push({ entry: r.entry, local: r.local, size: r.size });
    } else unread.set(r.entry, 'was not kept when its layer was read');
  }
  for (const [li, list] of inPlace) {
    signal?.throwIfAborted();
    const { blob, contents } = layers[li]!;
    if (blob?.kind !== 'file-region') continue;
    let fh;
    try {
      fh = await open(blob.file, 'r');
      for (const r of list) {
        signal?.throwIfAborted();
        const at = contents.bodyOffsets![r.local]!;
        const buf = Buffer.alloc(r.size);
        const { bytesRead } = r.size > 0 ? await fh.read(buf, 0, r.size, blob.offset + at) : { bytesRead: 0 };
        if (bytesRead < r.size || at + r.size > blob.length) unread.set(r.entry, 'could not be read: its layer ends before it does');
        else bodies.set(r.entry, buf);
      }
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      const why = `could not be read from its layer (${errnoCode(e) ?? (e as Error).message})`;
      for (const r of list) if (!bodies.has(r.entry)) unread.set(r.entry, why);
    } finally {
      await fh?.close();
    }
  }
  return { bodies, unread };
}
