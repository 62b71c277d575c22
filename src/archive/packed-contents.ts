import type { EntryType, LayerEntry } from '../core/index.js';
import type { LayerContents, ReadonlyTypedArray } from './layer-blob.js';

/** Entry types by their code in `PackedContents.types`. */
export const ENTRY_TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char-device', 'block-device', 'fifo'];
const TYPE_CODE = new Map(ENTRY_TYPES.map((t, i) => [t, i]));

/**
 * A layer's contents as columns: to cross from a worker thread to the main one (a structured
 * clone of one array of strings and a few typed arrays, moved, not copied, instead of an object
 * per entry), and as the layer cache stores them. Everything but the entries is as in
 * `LayerContents`; link targets and device numbers are sparse (only the entries that have them).
 */
export type PackedContents = Omit<LayerContents, 'entries'> & {
  readonly paths: readonly string[];
  readonly types: ReadonlyTypedArray<Uint8Array>;
  readonly modes: ReadonlyTypedArray<Uint16Array>;
  readonly uids: ReadonlyTypedArray<Float64Array>;
  readonly gids: ReadonlyTypedArray<Float64Array>;
  readonly sizes: ReadonlyTypedArray<Float64Array>;
  /** Index of each entry with a link target, and its target. */
  readonly linkAt: ReadonlyTypedArray<Uint32Array>;
  readonly links: readonly string[];
  /** Index, major and minor of each device entry. */
  readonly devices: ReadonlyTypedArray<Float64Array>;
};

/** Packs contents for `postMessage`; the second value lists the buffers to transfer. */
export function packContents(c: LayerContents): { packed: PackedContents; transfer: ArrayBuffer[] } {
  const n = c.entries.length;
  const paths = new Array<string>(n);
  const types = new Uint8Array(n);
  const modes = new Uint16Array(n);
  const uids = new Float64Array(n);
  const gids = new Float64Array(n);
  const sizes = new Float64Array(n);
  const linkAt: number[] = [];
  const links: string[] = [];
  const devices: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = c.entries[i]!;
    paths[i] = e.path;
    types[i] = TYPE_CODE.get(e.type)!;
    modes[i] = e.mode;
    uids[i] = e.uid;
    gids[i] = e.gid;
    sizes[i] = e.size;
    if (e.linkTarget !== undefined) {
      linkAt.push(i);
      links.push(e.linkTarget);
    }
    if (e.devMajor !== undefined) devices.push(i, e.devMajor, e.devMinor ?? 0);
  }
  const packed: PackedContents = {
    paths,
    types,
    modes,
    uids,
    gids,
    sizes,
    linkAt: Uint32Array.from(linkAt),
    links,
    devices: Float64Array.from(devices),
    digests: c.digests,
    compression: c.compression,
    tarSize: c.tarSize,
    bodyOffsets: c.bodyOffsets,
    sampleKeys: c.sampleKeys,
    measured: c.measured,
    // Copied by the structured clone (a few small bodies; the parser's are not pooled, but a copy never aliases).
    packageBodies: c.packageBodies,
  };
  const transfer = [types, modes, uids, gids, sizes, packed.linkAt, packed.devices, c.bodyOffsets, c.sampleKeys]
    .filter((a): a is NonNullable<typeof a> => a !== undefined)
    .map((a) => a.buffer as ArrayBuffer);
  return { packed, transfer };
}

/** The contents `packContents` packed, with entries shaped exactly as the layer reader makes them. */
export function unpackContents(p: PackedContents): LayerContents {
  const n = p.paths.length;
  const links = new Map<number, string>();
  for (let k = 0; k < p.linkAt.length; k++) links.set(p.linkAt[k]!, p.links[k]!);
  const devices = new Map<number, [number, number]>();
  for (let k = 0; k + 2 < p.devices.length; k += 3) devices.set(p.devices[k]!, [p.devices[k + 1]!, p.devices[k + 2]!]);
  const entries = new Array<LayerEntry>(n);
  for (let i = 0; i < n; i++) {
    const type = ENTRY_TYPES[p.types[i]!]!;
    const linkTarget = links.size > 0 ? links.get(i) : undefined;
    const dev = type === 'char-device' || type === 'block-device' ? devices.get(i) : undefined;
    // The same fields in the same order as `toEntry` (one hidden class).
    entries[i] = dev
      ? { path: p.paths[i]!, type, mode: p.modes[i]!, uid: p.uids[i]!, gid: p.gids[i]!, size: p.sizes[i]!, linkTarget, devMajor: dev[0], devMinor: dev[1] }
      : { path: p.paths[i]!, type, mode: p.modes[i]!, uid: p.uids[i]!, gid: p.gids[i]!, size: p.sizes[i]!, linkTarget };
  }
  return {
    entries,
    digests: p.digests,
    compression: p.compression,
    tarSize: p.tarSize,
    ...(p.bodyOffsets ? { bodyOffsets: p.bodyOffsets } : {}),
    ...(p.sampleKeys ? { sampleKeys: p.sampleKeys } : {}),
    ...(p.measured ? { measured: p.measured } : {}),
    ...(p.packageBodies && p.packageBodies.size > 0 ? { packageBodies: p.packageBodies } : {}),
  };
}
