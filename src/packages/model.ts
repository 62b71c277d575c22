/**
 * What the package databases of an image say, as plain data: the packages of the final
 * filesystem, what each layer added, removed and changed, and warnings for databases that could
 * not be read. Paths are relative and cleaned like every path of the core (`usr/bin/sh`).
 * Every name and version comes from the image: a hostile string, to be escaped where printed.
 */

/** The package managers whose databases are read. dpkg, apk and rpm are the system managers. */
export type PackageManager = 'dpkg' | 'apk' | 'rpm' | 'pip' | 'npm';

/** Every manager, system managers first: the order packages are listed in. */
export const PACKAGE_MANAGERS: readonly PackageManager[] = ['dpkg', 'apk', 'rpm', 'pip', 'npm'];

/** True for a manager that owns the system's files (its files win over a language manager's). */
export function isSystemManager(m: PackageManager): boolean {
  return m === 'dpkg' || m === 'apk' || m === 'rpm';
}

/** A package as one layer's databases record it. */
export type PackageRef = {
  readonly manager: PackageManager;
  /**
   * dpkg: the package name, with `:ARCH` for a `Multi-Arch: same` package (as `dpkg-query`
   * prints it); rpm: NAME; apk: `P:`; pip: the metadata's `Name`; npm: package.json `name`.
   */
  readonly name: string;
  /** dpkg and apk as recorded; rpm `[EPOCH:]VERSION-RELEASE`; pip and npm as recorded. */
  readonly version: string;
  /** The package's directory for npm (`…/node_modules/x`) and pip (`…/x-1.0.dist-info`); null for system packages. */
  readonly path: string | null;
};

/** A package of the final filesystem. */
export type Package = PackageRef & {
  /** The layer that installed it or last changed its version. */
  readonly layer: number;
  /**
   * Its paths that are regular files or hard links in the final filesystem: the paths its
   * database lists (npm: the files under its directory outside nested `node_modules`) and no
   * other package owns first (see `ImagePackages.ownerAt`).
   */
  readonly files: number;
  /** Σ of the sizes of those files, each hard-link group once. */
  readonly sizeBytes: number;
};

/** A package whose version a layer changed. */
export type PackageChange = { readonly before: PackageRef; readonly after: PackageRef };

/** What one layer did to the packages, each list sorted by manager, name and path. */
export type LayerPackages = {
  readonly added: readonly PackageRef[];
  readonly removed: readonly PackageRef[];
  readonly changed: readonly PackageChange[];
};

/**
 * A database that was not read, or records that were skipped. For a system manager the whole
 * manager is left out (no packages, no owners); for pip and npm the records named are.
 */
export type PackageWarning = {
  readonly manager: PackageManager;
  /** The layer whose view of the database was being read. */
  readonly layer: number;
  /** The database file (relative path). */
  readonly path: string;
  /** What is wrong, one clause without the path. */
  readonly reason: string;
};

/**
 * What the package databases of an image say, as plain data (serializable: what a result cache
 * keeps and the exports write): the final filesystem's packages, each layer's changes, and the
 * databases that were not read.
 */
export type PackageSummary = {
  /** The final filesystem's packages, by manager (system managers first), name and path. */
  readonly packages: readonly Package[];
  /** Per layer, base first: what it added, removed and changed. */
  readonly layers: readonly LayerPackages[];
  /** Databases not read (the manager is then left out) and records skipped; at most one per manager. */
  readonly warnings: readonly PackageWarning[];
};

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order packages are listed in: by manager (system managers first), name, path and version. */
export function comparePackageRefs(a: PackageRef, b: PackageRef): number {
  return PACKAGE_MANAGERS.indexOf(a.manager) - PACKAGE_MANAGERS.indexOf(b.manager) || cmp(a.name, b.name) || cmp(a.path ?? '', b.path ?? '') || cmp(a.version, b.version);
}

/**
 * A warning as one line of plain text, `dpkg: var/lib/dpkg/status (L2) is 70000000 bytes, …`:
 * names and paths come from the image, so the caller escapes the line where it prints it.
 */
export function describePackageWarning(w: PackageWarning): string {
  return `${w.manager}: ${w.path} (L${w.layer}) ${w.reason}`;
}

/** Which database file a path is, by where it lies (`packageFileKind`). */
export type PackageFileKind =
  | 'dpkg-status'
  | 'dpkg-list'
  | 'dpkg-diversions'
  | 'dpkg-status-d'
  | 'dpkg-md5sums'
  | 'apk-installed'
  | 'rpm-sqlite'
  | 'rpm-sqlite-wal'
  | 'rpm-bdb'
  | 'rpm-ndb'
  | 'pip-metadata'
  | 'pip-record'
  | 'egg-pkg-info'
  | 'egg-info-file'
  | 'egg-files'
  | 'npm-package-json';

/** The manager whose database each kind of file belongs to. */
export const MANAGER_OF_KIND: Readonly<Record<PackageFileKind, PackageManager>> = {
  'dpkg-status': 'dpkg',
  'dpkg-list': 'dpkg',
  'dpkg-diversions': 'dpkg',
  'dpkg-status-d': 'dpkg',
  'dpkg-md5sums': 'dpkg',
  'apk-installed': 'apk',
  'rpm-sqlite': 'rpm',
  'rpm-sqlite-wal': 'rpm',
  'rpm-bdb': 'rpm',
  'rpm-ndb': 'rpm',
  'pip-metadata': 'pip',
  'pip-record': 'pip',
  'egg-pkg-info': 'pip',
  'egg-info-file': 'pip',
  'egg-files': 'pip',
  'npm-package-json': 'npm',
};

const MiB = 1024 * 1024;

/**
 * The caps on every input, one constant per limit. A database file larger than its kind's cap
 * is not read (a warning says so); the counts bound the work a hostile database can ask for.
 */
export const PACKAGE_LIMITS = {
  /** Largest body read, by kind (size-only kinds read no body). */
  fileBytes: {
    'dpkg-status': 64 * MiB,
    'dpkg-list': 16 * MiB,
    'dpkg-diversions': 4 * MiB,
    'dpkg-status-d': 1 * MiB,
    'dpkg-md5sums': 16 * MiB,
    'apk-installed': 64 * MiB,
    'rpm-sqlite': 256 * MiB,
    'rpm-sqlite-wal': 0,
    'rpm-bdb': 0,
    'rpm-ndb': 0,
    'pip-metadata': 4 * MiB,
    'pip-record': 16 * MiB,
    'egg-pkg-info': 4 * MiB,
    'egg-info-file': 4 * MiB,
    'egg-files': 16 * MiB,
    'npm-package-json': 1 * MiB,
  } satisfies Record<PackageFileKind, number>,
  /** Σ of the bodies one image asks for: beyond it the rest are not read. */
  totalBytes: 1024 * MiB,
  /** Packages one database (or one manager's records in one layer) may hold. */
  packages: 200_000,
  /** Paths one manager's packages may list in one layer, all packages together. */
  listedPaths: 5_000_000,
  /** Longest name and version kept; a longer one makes the record malformed. */
  nameLength: 512,
  versionLength: 256,
  /** Index entries of one rpm header (rpm's own cap is 0xffff). */
  rpmHeaderTags: 0x10000,
  /** Symbolic links followed to resolve one listed path's directory. */
  symlinkHops: 40,
} as const;

/** Kinds whose size alone matters: their bodies are never read. */
export function isSizeOnlyKind(kind: PackageFileKind): boolean {
  return PACKAGE_LIMITS.fileBytes[kind] === 0;
}
