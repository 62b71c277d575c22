import type { ImageIndex } from '../core/index.js';
import { isSizeOnlyKind, PACKAGE_LIMITS, type PackageFileKind } from './model.js';

/**
 * Where package databases lie. One function classifies a path by string alone, so the same rule
 * serves a layer reader deciding which bodies to keep while a tar streams past and the plan
 * below, which walks the index once.
 */

const DPKG = 'var/lib/dpkg';
const DPKG_INFO = 'var/lib/dpkg/info';
const DPKG_STATUS_D = 'var/lib/dpkg/status.d';
const APK_DB = 'lib/apk/db';
/** rpm's database directory; Fedora 36+ keeps it in /usr/lib/sysimage/rpm (and /var/lib/rpm is a link there). */
const RPM_DIRS = ['var/lib/rpm', 'usr/lib/sysimage/rpm'];

/** True when the directory of `path` (the part before index `slash`) is exactly `dir`. */
const dirIs = (path: string, slash: number, dir: string) => slash === dir.length && path.startsWith(dir);

const inRpmDir = (path: string, slash: number) => RPM_DIRS.some((d) => dirIs(path, slash, d));

/** The component of `path` that ends just before index `end` (exclusive), and where it starts. */
function componentBefore(path: string, end: number): { name: string; start: number } {
  const start = path.lastIndexOf('/', end - 1) + 1;
  return { name: path.slice(start, end), start };
}

const isSiteDir = (name: string) => name === 'site-packages' || name === 'dist-packages';

/** True when the component before `end` ends with `suffix` and the one above it is a site directory. */
function metadataDirIn(path: string, end: number, suffix: string): boolean {
  if (end <= 0) return false;
  const dir = componentBefore(path, end);
  if (!dir.name.endsWith(suffix) || dir.name.length === suffix.length || dir.start === 0) return false;
  return isSiteDir(componentBefore(path, dir.start - 1).name);
}

/** `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`. */
function isNpmManifest(path: string, slash: number): boolean {
  if (slash <= 0) return false;
  const pkg = componentBefore(path, slash);
  if (pkg.start === 0 || pkg.name.startsWith('.') || pkg.name.startsWith('@')) return false;
  const up = componentBefore(path, pkg.start - 1);
  if (up.name === 'node_modules') return true;
  if (!up.name.startsWith('@') || up.name.length === 1 || up.start === 0) return false;
  return componentBefore(path, up.start - 1).name === 'node_modules';
}

/** The last components a database file has wherever it lies (the cases of `kindOf`'s switch). */
const DB_NAMES: ReadonlySet<string> = new Set(['status', 'diversions', 'installed', 'rpmdb.sqlite', 'rpmdb.sqlite-wal', 'Packages', 'Packages.db', 'METADATA', 'RECORD', 'PKG-INFO', 'installed-files.txt', 'package.json']);

/**
 * Which database file a cleaned relative path is, by where it lies; undefined for every other
 * path. Costs a `lastIndexOf`, one short slice and a switch for nearly every path.
 */
export function packageFileKind(path: string): PackageFileKind | undefined {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? undefined : kindOf(path, slash, path.slice(slash + 1));
}

/** `packageFileKind` for a path whose last component `base` (after the slash at `slash`) is at hand. */
function kindOf(path: string, slash: number, base: string): PackageFileKind | undefined {
  switch (base) {
    case 'status':
      if (dirIs(path, slash, DPKG)) return 'dpkg-status';
      break;
    case 'diversions':
      if (dirIs(path, slash, DPKG)) return 'dpkg-diversions';
      break;
    case 'installed':
      return dirIs(path, slash, APK_DB) ? 'apk-installed' : undefined;
    case 'rpmdb.sqlite':
      return inRpmDir(path, slash) ? 'rpm-sqlite' : undefined;
    case 'rpmdb.sqlite-wal':
      return inRpmDir(path, slash) ? 'rpm-sqlite-wal' : undefined;
    case 'Packages':
      return inRpmDir(path, slash) ? 'rpm-bdb' : undefined;
    case 'Packages.db':
      return inRpmDir(path, slash) ? 'rpm-ndb' : undefined;
    case 'METADATA':
      return metadataDirIn(path, slash, '.dist-info') ? 'pip-metadata' : undefined;
    case 'RECORD':
      return metadataDirIn(path, slash, '.dist-info') ? 'pip-record' : undefined;
    case 'PKG-INFO':
      return metadataDirIn(path, slash, '.egg-info') ? 'egg-pkg-info' : undefined;
    case 'installed-files.txt':
      return metadataDirIn(path, slash, '.egg-info') ? 'egg-files' : undefined;
    case 'package.json':
      return isNpmManifest(path, slash) ? 'npm-package-json' : undefined;
    default:
      break;
  }
  if (dirIs(path, slash, DPKG_INFO)) return base.endsWith('.list') && base.length > 5 ? 'dpkg-list' : undefined;
  if (dirIs(path, slash, DPKG_STATUS_D)) return base.endsWith('.md5sums') ? (base.length > 8 ? 'dpkg-md5sums' : undefined) : 'dpkg-status-d';
  if (base.endsWith('.egg-info') && base.length > 9 && isSiteDir(componentBefore(path, slash).name)) return 'egg-info-file';
  return undefined;
}

/** One database file whose body `readPackages` needs. */
export type PackageFileRequest = {
  /** Global entry id in the index. */
  readonly entry: number;
  /** The layer whose tar holds it, and its position among that layer's entries. */
  readonly layer: number;
  readonly local: number;
  readonly path: string;
  readonly size: number;
  readonly kind: PackageFileKind;
};

/**
 * What `readPackages` needs read, found from the index alone: the kind of every database path,
 * and the entries (regular files, or the files hard links point at) that some layer's merged
 * view shows at those paths. Bodies larger than their kind's cap, or beyond the total cap, are
 * not asked for (`readPackages` then warns).
 */
export type PackageReadPlan = {
  readonly index: ImageIndex;
  /** Per path id: the index of its kind in `PLAN_KINDS` plus one, 0 for a path that is no database file. */
  readonly kinds: Uint8Array;
  /** Per layer: the database paths whose visible entry the layer changed (written or removed). */
  readonly touched: readonly Int32Array[];
  /** Sorted by entry id, so each layer's requests come together and in tar order. */
  readonly requests: readonly PackageFileRequest[];
  /** Entries not asked for, with why: too large for their kind, or past the total cap. */
  readonly skipped: ReadonlyMap<number, string>;
};

/** Every kind, in a fixed order: `PackageReadPlan.kinds` holds an index into it plus one. */
export const PLAN_KINDS: readonly PackageFileKind[] = [
  'dpkg-status', 'dpkg-list', 'dpkg-diversions', 'dpkg-status-d', 'dpkg-md5sums', 'apk-installed', 'rpm-sqlite', 'rpm-sqlite-wal',
  'rpm-bdb', 'rpm-ndb', 'pip-metadata', 'pip-record', 'egg-pkg-info', 'egg-info-file', 'egg-files', 'npm-package-json',
];
const KIND_CODE = new Map(PLAN_KINDS.map((k, i) => [k, i + 1]));

/**
 * The regular-file entry whose body stands at a path in a layer's merged view: the entry itself,
 * or for a hard link the entry at its target; undefined for anything else.
 */
export function bodyEntryAt(index: ImageIndex, layer: number, pathId: number): number | undefined {
  let g = index.merged.at(layer, pathId);
  if (g < 0) return undefined;
  const e = index.entries[g]!;
  if (e.type === 'hardlink') {
    const t = e.linkTarget === undefined ? undefined : index.paths.find(e.linkTarget);
    if (t === undefined) return undefined;
    g = index.merged.at(layer, t);
    if (g < 0) return undefined;
  }
  return index.entries[g]!.type === 'file' ? g : undefined;
}

/** Finds the database files of an image and the bodies to read (see `PackageReadPlan`). */
export function planPackageReads(index: ImageIndex): PackageReadPlan {
  const { paths } = index;
  const kinds = new Uint8Array(paths.size);
  let any = false;
  const all = paths.paths;
  const names = paths.names;
  const parents = paths.parents;
  // Only a path with a database file's name, or in a directory that holds databases by any
  // name, can be one: a set lookup of the interned name and an id compare reject the rest
  // (`kindOf` on each of the real-shaped image's 106k paths took 19–27 ms).
  const byAnyName = new Set([DPKG_INFO, DPKG_STATUS_D].map((d) => paths.find(d)).filter((id): id is number => id !== undefined));
  for (let p = 1; p < paths.size; p++) {
    const name = names[p]!;
    const parent = parents[p]!;
    if (!DB_NAMES.has(name) && !byAnyName.has(parent) && !(name.endsWith('.egg-info') && isSiteDir(names[parent]!))) continue;
    const path = all[p]!;
    // The table holds every last component already: no slice per path.
    const k = name.length === path.length ? undefined : kindOf(path, path.length - name.length - 1, name);
    if (k !== undefined) {
      kinds[p] = KIND_CODE.get(k)!;
      any = true;
    }
  }
  const requests: PackageFileRequest[] = [];
  const skipped = new Map<number, string>();
  const touched: Int32Array[] = [];
  const none = new Int32Array(0);
  if (!any) return { index, kinds, touched: Array.from({ length: index.merged.layerCount }, () => none), requests, skipped };
  const seen = new Set<number>();
  let total = 0;
  for (let li = 0; li < index.merged.layerCount; li++) {
    const all = index.touched[li]!;
    const mine: number[] = [];
    for (let i = 0; i < all.length; i++) {
      const p = all[i]!;
      const code = kinds[p]!;
      if (code === 0) continue;
      mine.push(p);
      const kind = PLAN_KINDS[code - 1]!;
      if (isSizeOnlyKind(kind)) continue;
      const g = bodyEntryAt(index, li, p);
      if (g === undefined || seen.has(g)) continue;
      seen.add(g);
      const size = index.entries[g]!.size;
      const cap = PACKAGE_LIMITS.fileBytes[kind];
      if (size > cap) skipped.set(g, `is ${size} bytes, more than the ${cap} read for this kind of file`);
      else if (total + size > PACKAGE_LIMITS.totalBytes) skipped.set(g, `was not read: the image's package databases exceed ${PACKAGE_LIMITS.totalBytes} bytes`);
      else {
        total += size;
        requests.push({ entry: g, layer: index.entryLayer[g]!, local: index.entryLocal[g]!, path: index.entries[g]!.path, size, kind });
      }
    }
    touched.push(mine.length === 0 ? none : Int32Array.from(mine));
  }
  requests.sort((a, b) => a.entry - b.entry);
  return { index, kinds, touched, requests, skipped };
}
