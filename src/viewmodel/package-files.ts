import { packageIdentity, type PackageRef } from '../packages/index.js';
import type { ComparisonView, ImageView } from './view-data.js';

/**
 * Which paths belong to a package, for narrowing the file tree to its files (Enter in the
 * packages pane) and naming a file's owner. A package is matched by its identity
 * (`packageIdentity`: manager and name, pip's site directory, npm's directory), so the tree of a
 * range shows the files its version at the top of the range owns and those its version at the
 * base owned (what an upgrade replaced, what a removal took away).
 */

/** Identities of the refs `ownerAt` hands out (one object per record): computed once each. */
const identities = new WeakMap<PackageRef, string>();

export function identityOf(ref: PackageRef): string {
  let k = identities.get(ref);
  if (k === undefined) identities.set(ref, (k = packageIdentity(ref)));
  return k;
}

/** The package owning a path of an image at a layer, or undefined (none, or the packages were not read). */
export function ownerAt(d: ImageView, layer: number, pathId: number): PackageRef | undefined {
  return d.packages?.ownerAt(layer, pathId);
}

/** A predicate over an image's path ids: owned by the package `key` at `top` or at `base`. */
export function imagePackageFiles(d: ImageView, key: string, base: number, top: number): (pathId: number) => boolean {
  const p = d.packages;
  if (!p) return () => false;
  return (pathId) => {
    const o = p.ownerAt(top, pathId);
    if (o && identityOf(o) === key) return true;
    const b = base >= 0 ? p.ownerAt(base, pathId) : undefined;
    return b !== undefined && identityOf(b) === key;
  };
}

/** The owner of a path of a comparison's tree: NEW's package, else OLD's (a path NEW removed). */
export function comparisonOwner(d: ComparisonView, pathId: number): { readonly side: 'OLD' | 'NEW'; readonly ref: PackageRef } | undefined {
  const p = d.packages;
  if (!p) return undefined;
  const rel = d.diff.pathOf(pathId);
  const n = d.new.tree.find(rel);
  const nref = n === undefined ? undefined : p.new.finalOwner(n);
  if (nref) return { side: 'NEW', ref: nref };
  const o = d.old.tree.find(rel);
  const oref = o === undefined ? undefined : p.old.finalOwner(o);
  return oref ? { side: 'OLD', ref: oref } : undefined;
}

/** A predicate over a comparison's path ids: owned by the package `key` in NEW or in OLD. */
export function comparisonPackageFiles(d: ComparisonView, key: string): (pathId: number) => boolean {
  const p = d.packages;
  if (!p) return () => false;
  return (pathId) => {
    const rel = d.diff.pathOf(pathId);
    const n = d.new.tree.find(rel);
    const nref = n === undefined ? undefined : p.new.finalOwner(n);
    if (nref && identityOf(nref) === key) return true;
    const o = d.old.tree.find(rel);
    const oref = o === undefined ? undefined : p.old.finalOwner(o);
    return oref !== undefined && identityOf(oref) === key;
  };
}
