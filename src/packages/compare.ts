import { isSystemManager, PACKAGE_MANAGERS, type Package, type PackageRef } from './model.js';
import { normalizePythonName } from './python.js';
import { dirOf } from './text.js';
import { compareVersions } from './version.js';

/**
 * Comparing the packages of two images, OLD and NEW: which were added, removed, upgraded or
 * downgraded (by each manager's own version order), and which kept their version but not their
 * files. Pure: which packages own a changed path comes in as an argument.
 */

/**
 * How a package differs: `upgraded`/`downgraded` by its manager's order; `version-changed` when
 * the versions differ and no order is known (apk, or a version the manager's rules reject) or
 * the order calls them equal; `changed` for the same version whose files or bytes differ.
 */
export type PackageChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'version-changed' | 'changed';

/** One package that differs between the images. */
export type PackageDiff = {
  readonly manager: Package['manager'];
  readonly name: string;
  readonly change: PackageChangeKind;
  /** The package in OLD (null when added) and in NEW (null when removed). */
  readonly old: Package | null;
  readonly new: Package | null;
  /** NEW's bytes minus OLD's (an absent side counts 0). */
  readonly sizeDeltaBytes: number;
};

/** The packages, per side, that own a path whose type, content or link target differs, or that one image has and the other has not. */
export type ChangedOwners = { readonly old: ReadonlySet<Package>; readonly new: ReadonlySet<Package> };

const CHANGE_ORDER: readonly PackageChangeKind[] = ['added', 'removed', 'upgraded', 'downgraded', 'version-changed', 'changed'];

/**
 * What makes a package the same package in two images, or at two layers: its manager and name; for pip the site
 * directory too (its metadata directory's name carries the version), for npm its directory
 * (one name may be installed at several places in a tree).
 */
export function packageIdentity(p: PackageRef): string {
  if (isSystemManager(p.manager)) return `${p.manager}\0${p.name}`;
  if (p.manager === 'pip') return `pip\0${dirOf(p.path ?? '')}\0${normalizePythonName(p.name)}`;
  return `${p.manager}\0${p.path ?? ''}\0${p.name}`;
}

/**
 * The packages that differ between OLD and NEW, by manager (system managers first) and name.
 * Packages match by `identity`; where one identity has several packages on a side (rpm's
 * install-only kernels), equal versions pair first, then one left on each side is a version
 * change, and the rest are added or removed.
 */
export function comparePackages(old: readonly Package[], neu: readonly Package[], changed: ChangedOwners): PackageDiff[] {
  const group = (list: readonly Package[]) => {
    const m = new Map<string, Package[]>();
    for (const p of list) {
      const k = packageIdentity(p);
      const g = m.get(k);
      if (g) g.push(p);
      else m.set(k, [p]);
    }
    return m;
  };
  const a = group(old);
  const b = group(neu);
  const out: PackageDiff[] = [];
  const diff = (change: PackageChangeKind, o: Package | null, n: Package | null) =>
    out.push({ manager: (n ?? o)!.manager, name: (n ?? o)!.name, change, old: o, new: n, sizeDeltaBytes: (n?.sizeBytes ?? 0) - (o?.sizeBytes ?? 0) });
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const olds = [...(a.get(k) ?? [])];
    const news = [...(b.get(k) ?? [])];
    for (let i = 0; i < olds.length; i++) {
      const o = olds[i]!;
      const j = news.findIndex((n) => n.version === o.version);
      if (j < 0) continue;
      const n = news[j]!;
      if (o.files !== n.files || o.sizeBytes !== n.sizeBytes || changed.old.has(o) || changed.new.has(n)) diff('changed', o, n);
      olds.splice(i--, 1);
      news.splice(j, 1);
    }
    if (olds.length === 1 && news.length === 1) {
      const o = olds[0]!;
      const n = news[0]!;
      const c = compareVersions(n.manager, n.version, o.version);
      diff(c === undefined || c === 0 ? 'version-changed' : c > 0 ? 'upgraded' : 'downgraded', o, n);
      continue;
    }
    for (const o of olds) diff('removed', o, null);
    for (const n of news) diff('added', null, n);
  }
  const rank = (m: Package['manager']) => PACKAGE_MANAGERS.indexOf(m);
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const where = (d: PackageDiff) => (d.new ?? d.old)!.path ?? '';
  return out.sort((x, y) => rank(x.manager) - rank(y.manager) || cmp(x.name, y.name) || cmp(where(x), where(y)) || CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change));
}
