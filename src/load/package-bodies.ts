import { closeSync, openSync, readSync } from 'node:fs';
import type { LayerAccess } from '../archive/index.js';
import { errnoCode } from '../errors/index.js';
import type { PackageReadPlan } from '../packages/index.js';

/** The bodies a package read plan asks for, and why each missing one is missing. */
export type PackageBodies = { readonly bodies: Map<number, Uint8Array>; readonly unread: Map<number, string> };

/**
 * Bodies closer than this in a layer's tar are read with one read (the gap read and dropped):
 * a page: wider gaps read more than they save (on the real-shaped image a 64 KiB gap read
 * 65.7 MiB for 6.5 MiB of bodies; 4 KiB, 11.2 MiB in 4130 reads instead of 6503).
 */
const COALESCE_GAP = 4 << 10;
/** The largest single read: a window of bodies never holds more. */
const MAX_WINDOW = 8 << 20;

/**
 * Reads the body of every `plan.requests` entry from the loaded layers: a layer read as a
 * stream kept them as it passed (`LayerContents.packageBodies`, also from the layer cache); an
 * uncompressed tar in a file is read in place at the offsets its index recorded, neighbouring
 * bodies in one read. A body that is neither kept nor in a file is missing, and a file that
 * cannot be read leaves its layer's bodies missing, each with the reason (`readPackages`
 * warns): never guessed, never fatal.
 *
 * The reads are synchronous: they come from the page cache as a rule, and 6503 bodies (6.5 MiB)
 * of a real-shaped image took 300–760 ms as one awaited read each (most of it the event loop's
 * turns), 43–115 ms this way (wall time, on a busy 2-core machine).
 */
export function readPackageBodies(plan: PackageReadPlan, layers: readonly LayerAccess[], signal?: AbortSignal): PackageBodies {
  const bodies = new Map<number, Uint8Array>();
  const unread = new Map<number, string>();
  const inPlace = new Map<number, { entry: number; at: number; size: number }[]>();
  for (const r of plan.requests) {
    const layer = layers[r.layer];
    const kept = layer?.contents.packageBodies?.get(r.local);
    if (kept && kept.byteLength === r.size) bodies.set(r.entry, kept);
    else if (layer?.blob?.kind === 'file-region' && layer.contents.bodyOffsets) {
      let list = inPlace.get(r.layer);
      if (!list) inPlace.set(r.layer, (list = []));
      list.push({ entry: r.entry, at: layer.contents.bodyOffsets[r.local]!, size: r.size });
    } else unread.set(r.entry, 'was not kept when its layer was read');
  }
  for (const [li, list] of inPlace) {
    signal?.throwIfAborted();
    const { blob } = layers[li]!;
    if (blob?.kind !== 'file-region') continue;
    list.sort((a, b) => a.at - b.at);
    let fd: number | undefined;
    try {
      fd = openSync(blob.file, 'r');
      for (let i = 0; i < list.length; ) {
        // One window: the next bodies while the gaps between them are small.
        let j = i + 1;
        let end = list[i]!.at + list[i]!.size;
        while (j < list.length && list[j]!.at - end <= COALESCE_GAP && list[j]!.at + list[j]!.size - list[i]!.at <= MAX_WINDOW) {
          end = Math.max(end, list[j]!.at + list[j]!.size);
          j++;
        }
        const start = list[i]!.at;
        const want = Math.min(end, blob.length) - start;
        const buf = Buffer.allocUnsafeSlow(Math.max(0, want));
        let got = 0;
        while (got < want) {
          const n = readSync(fd, buf, got, want - got, blob.offset + start + got);
          if (n === 0) break;
          got += n;
        }
        for (let k = i; k < j; k++) {
          const r = list[k]!;
          const from = r.at - start;
          // A copy: each body owns its bytes, not a view keeping the whole window alive.
          if (from + r.size <= got) bodies.set(r.entry, Uint8Array.prototype.slice.call(buf, from, from + r.size));
          else unread.set(r.entry, 'could not be read: its layer ends before it does');
        }
        i = j;
      }
    } catch (e) {
      const why = `could not be read from its layer (${errnoCode(e) ?? (e as Error).message})`;
      for (const r of list) if (!bodies.has(r.entry)) unread.set(r.entry, why);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { bodies, unread };
}
