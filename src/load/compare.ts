import { type BodyDigests, sharedPool, type WorkerPool } from '../archive/index.js';
import { type Analysis, compareImages, type CrossDigests, type ImageComparison, selectCrossDigests } from '../core/index.js';
import { SourceError, UsageError } from '../errors/index.js';
import { comparePackages, type ImagePackages, type Package, type PackageDiff } from '../packages/index.js';
import type { ImageReference } from '../reference/index.js';
import type { DigestTable } from './digest-table.js';
import { loadImage, type LoadedImage, type LoadOptions } from './load-image.js';
import { mapLimit } from './map-limit.js';

/** Two analysed images and their comparison; both stay open (for the file history and bodies) until `close`. */
export type LoadedComparison = {
  readonly old: LoadedImage;
  readonly new: LoadedImage;
  readonly comparison: ImageComparison;
  /**
   * The packages that differ (see `comparePackages`), when both images' package databases were
   * read; undefined with `settings.packages` false.
   */
  readonly packages: readonly PackageDiff[] | undefined;
  /** Settles when both images' layers are verified against their digests; rejects naming OLD or NEW. */
  readonly verified: Promise<void>;
  close(): Promise<void>;
};

/** Which image an error is about, said first: `OLD docker-archive:a.tar: …`. */
function naming(which: 'OLD' | 'NEW', e: unknown): unknown {
  if (e instanceof SourceError) return new SourceError(e.kind, `${which} ${e.subject}`, e.reason, { cause: e });
  if (e instanceof UsageError) return new UsageError(`${which} ${e.message}`, { cause: e, subject: e.subject, reason: e.reason });
  return e;
}

/** The body digest of a global entry of an analysed image, as `digests` has it. */
function digestOf(a: Analysis, digests: DigestTable) {
  return (g: number) => {
    const { layer, local } = a.tree.originOf(g);
    return local < 0 ? undefined : digests.get(layer, local);
  };
}

/** Hashes the bodies of the given entries (grouped by layer) and returns their digests, by layer and entry. */
async function hashBodies(loaded: LoadedImage, entries: readonly number[], pool: WorkerPool, signal: AbortSignal | undefined): Promise<ReadonlyMap<number, BodyDigests>> {
  const byLayer = new Map<number, number[]>();
  for (const g of entries) {
    const { layer, local } = loaded.analysis.tree.originOf(g);
    if (local < 0) continue;
    let l = byLayer.get(layer);
    if (!l) byLayer.set(layer, (l = []));
    l.push(local);
  }
  const found = new Map<number, BodyDigests>();
  await mapLimit([...byLayer], 2, async ([layer, locals]) => {
    found.set(layer, await pool.hashEntries(loaded.layers[layer]!.blob, loaded.layers[layer]!.contents, locals, signal));
  });
  return found;
}

/**
 * The packages of each side that own a path the comparison found different in type, content or
 * link target, or present on one side only: a package of the same version with such a path has
 * changed. Mode and owner changes alone are not a package's content.
 */
function changedOwners(c: ImageComparison, a: LoadedImage, b: LoadedImage): { old: Set<Package>; new: Set<Package> } {
  const out = { old: new Set<Package>(), new: new Set<Package>() };
  const owner = (side: LoadedImage, pkgs: ImagePackages, path: string, into: Set<Package>) => {
    const id = side.analysis.tree.find(path.slice(1));
    const o = id === undefined ? undefined : pkgs.finalOwner(id);
    if (o) into.add(o);
  };
  for (const f of c.files) {
    if (f.change === 'unchanged') continue;
    if (f.change === 'modified' && !f.aspects.some((x) => x === 'content' || x === 'type' || x === 'link-target')) continue;
    if (f.old && f.old.type !== 'dir') owner(a, a.packages!, f.path, out.old);
    if (f.new && f.new.type !== 'dir') owner(b, b.packages!, f.path, out.new);
  }
  return out;
}

/**
 * Loads OLD then NEW through the one lifecycle (NEW's layers that OLD already read come from the
 * layer cache when one is given: shared base layers are read once), hashes only the bodies the
 * comparison needs (`selectCrossDigests`: equal-size files outside the shared base whose digest
 * is not known yet), and compares. An image that cannot be read is named in the error as OLD or
 * NEW. Each side's `signal` also stops the hashing of its bodies: the promise then rejects with
 * the signal's reason. The caller closes the result.
 */
export async function loadComparison(oldRef: ImageReference, newRef: ImageReference, opts: { readonly old: LoadOptions; readonly new: LoadOptions }): Promise<LoadedComparison> {
  const a = await loadImage(oldRef, opts.old).catch((e: unknown) => {
    throw naming('OLD', e);
  });
  let b: LoadedImage;
  try {
    b = await loadImage(newRef, opts.new).catch((e: unknown) => {
      throw naming('NEW', e);
    });
  } catch (e) {
    await a.close().catch(() => undefined);
    throw e;
  }
  try {
    const need = selectCrossDigests(a.analysis, b.analysis, { old: digestOf(a.analysis, a.digests), new: digestOf(b.analysis, b.digests) });
    const oldFound = await hashBodies(a, need.old, opts.old.pool ?? sharedPool(), opts.old.signal).catch((e: unknown) => {
      throw naming('OLD', e);
    });
    const newFound = await hashBodies(b, need.new, opts.new.pool ?? sharedPool(), opts.new.signal).catch((e: unknown) => {
      throw naming('NEW', e);
    });
    // The comparison reads the digests known before and those just hashed, passed to it here.
    const known: CrossDigests = { old: digestOf(a.analysis, a.digests.with(oldFound)), new: digestOf(b.analysis, b.digests.with(newFound)) };
    const comparison = compareImages(a.analysis, b.analysis, known);
    const packages = a.packages && b.packages ? comparePackages(a.packages.packages, b.packages.packages, changedOwners(comparison, a, b)) : undefined;
    const verified = Promise.all([
      a.verified.catch((e: unknown) => {
        throw naming('OLD', e);
      }),
      b.verified.catch((e: unknown) => {
        throw naming('NEW', e);
      }),
    ]).then(() => undefined);
    verified.catch(() => undefined); // observed by the caller; never an unhandled rejection
    return {
      old: a,
      new: b,
      comparison,
      packages,
      verified,
      close: async () => {
        await Promise.all([a.close(), b.close()]);
      },
    };
  } catch (e) {
    await Promise.all([a.close().catch(() => undefined), b.close().catch(() => undefined)]);
    throw e;
  }
}
