import type { ImageIndex } from '../core/index.js';
import { parseApkInstalled, type ApkRecord } from './apk.js';
import { parseDiversions, parseDpkgList, parseDpkgStatus, parseMd5sums, type Diversion, type DpkgRecord, type Parsed } from './dpkg.js';
import { bodyEntryAt, PLAN_KINDS, type PackageReadPlan } from './locate.js';
import {
  comparePackageRefs,
  isSystemManager,
  MANAGER_OF_KIND,
  PACKAGE_LIMITS,
  PACKAGE_MANAGERS,
  type LayerPackages,
  type Package,
  type PackageChange,
  type PackageFileKind,
  type PackageManager,
  type PackageRef,
  type PackageSummary,
  type PackageWarning,
} from './model.js';
import { parsePackageJson } from './npm.js';
import { normalizePythonName, parseCoreMetadata, parseInstalledFiles, parseRecord } from './python.js';
import { OwnerHistory } from './owner-history.js';
import { ListedPathResolver } from './resolve.js';
import { loadSqlEngine, readRpmSqlite, type RpmRecord } from './rpm.js';
import { dirOf } from './text.js';

/** What `readPackages` takes: the plan, the bodies it asked for, and the SQLite engine's wasm when an rpmdb is present. */
export type PackageInput = {
  readonly plan: PackageReadPlan;
  /** The body of every entry of `plan.requests`, by global entry id. A missing one is reported as not read. */
  readonly bodies: ReadonlyMap<number, Uint8Array>;
  /** Why a requested body is missing, by entry id, when the caller knows (`cannot be read from the layer (EIO)`); else `was not read`. */
  readonly unread?: ReadonlyMap<number, string>;
  /**
   * The bytes of sql.js's wasm file (`SQLITE_WASM_MODULE`); called only when some layer holds an
   * `rpmdb.sqlite`. Without it rpm packages are not read (a warning says so).
   */
  readonly sqliteWasm?: () => Promise<Uint8Array>;
};

/**
 * The packages of an image: the final filesystem's, each layer's changes, who owns a path at
 * any layer and the packages as any layer's filesystem has them.
 */
export type ImagePackages = PackageSummary & {
  /**
   * The package owning a non-directory path (an index path id) at a layer, or undefined for a
   * directory, an absent path or a path no package claims. Ownership is exclusive: a path listed
   * by a system package (dpkg, apk, rpm) is that package's, whatever else lists it; then a pip
   * package's RECORD; then the npm package whose directory holds it outside nested
   * `node_modules`. A pip or npm package whose metadata file a system package lists is part of
   * that package, not a package of its own. At the last layer the result is the `Package`.
   */
  ownerAt(layer: number, pathId: number): PackageRef | undefined;
  /** The package of `packages` owning a path of the final filesystem: `ownerAt` at the last layer. */
  finalOwner(pathId: number): Package | undefined;
  /**
   * The packages of the filesystem after `layer`, counted as `packages` counts the final ones
   * (files and bytes in that layer's view, each path to its owner at that layer); `packages`
   * itself for the last layer, none for a layer out of range. Costs a walk of those packages'
   * files: callers keep what they ask for.
   */
  packagesAt(layer: number): readonly Package[];
};

/** A package record in one layer's state. */
type Rec = {
  readonly key: string;
  readonly ref: PackageRef;
  readonly refIndex: number;
  /** Path ids it lists (system, pip); empty for npm, which owns its directory instead. */
  readonly files: Int32Array;
  /** The layer that added it or last changed its version. */
  readonly since: number;
  /** The entries it was read from (its file list or manifest, and a second one or -1): read again from the same, it is the same record. */
  readonly source: number;
  readonly source2: number;
  /** npm: its package directory (a path id); -1 for a package that lists its files. */
  readonly dir: number;
  /**
   * pip and npm: the bytes it was read from (metadata, then file list), so the same bytes
   * written again (a `chown -R` layer rewrites every manifest) keep the record unread.
   */
  readonly read?: readonly (Uint8Array | undefined)[];
};

/** A database that is unreadable: the whole manager is left out. */
class ManagerFailure {
  constructor(readonly warning: PackageWarning) {}
}

/** Parse results kept across the runs of one `readPackages` call, by entry id. */
type Caches = {
  readonly dpkgStatus: Map<number, Parsed<DpkgRecord[]>>;
  readonly lists: Map<string, Int32Array>;
  readonly diversions: Map<number, Parsed<Diversion[]>>;
  readonly apk: Map<number, Parsed<ApkRecord[]>>;
  readonly rpm: Map<number, Parsed<RpmRecord[]>>;
  readonly resolved: Map<string, Int32Array[]>;
};

const EMPTY: Int32Array = new Int32Array(0);
const kindCode = (k: PackageFileKind) => PLAN_KINDS.indexOf(k) + 1;
const K = {
  dpkgList: kindCode('dpkg-list'),
  dpkgStatusD: kindCode('dpkg-status-d'),
  pipMetadata: kindCode('pip-metadata'),
  eggPkgInfo: kindCode('egg-pkg-info'),
  eggFile: kindCode('egg-info-file'),
  npm: kindCode('npm-package-json'),
};
const MANAGER_BY_CODE: readonly (PackageManager | undefined)[] = [undefined, ...PLAN_KINDS.map((k) => MANAGER_OF_KIND[k])];

const managerRank = (m: PackageManager) => PACKAGE_MANAGERS.indexOf(m);
const compareRefs = comparePackageRefs;

/**
 * Reads the package databases of every layer and builds the packages of the final filesystem,
 * each layer's changes and the owner of any path at any layer (see `ImagePackages`). A database
 * that is too large, malformed or unreadable gives one warning and no packages for its manager:
 * never a guess. Work is proportional to the database files the layers wrote, plus a walk of the
 * final filesystem's package files for their sizes.
 */
export async function readPackages(input: PackageInput): Promise<ImagePackages> {
  const { plan } = input;
  const caches: Caches = { dpkgStatus: new Map(), lists: new Map(), diversions: new Map(), apk: new Map(), rpm: new Map(), resolved: new Map() };
  const warnings: PackageWarning[] = [];
  const disabled = new Set<PackageManager>();
  await readRpmDatabases(input, caches, warnings, disabled);
  for (;;) {
    try {
      const engine = new Engine(plan, input.bodies, input.unread, caches, disabled);
      const result = engine.run();
      warnings.push(...engine.recordWarnings());
      warnings.sort((a, b) => managerRank(a.manager) - managerRank(b.manager));
      return { ...result, warnings };
    } catch (e) {
      if (!(e instanceof ManagerFailure)) throw e;
      warnings.push(e.warning);
      disabled.add(e.warning.manager);
    }
  }
}

/** Parses every rpmdb.sqlite body up front (sql.js is asynchronous to start); only when one exists. */
async function readRpmDatabases(input: PackageInput, caches: Caches, warnings: PackageWarning[], disabled: Set<PackageManager>): Promise<void> {
  const { plan, bodies } = input;
  const dbs = plan.requests.filter((r) => r.kind === 'rpm-sqlite');
  if (dbs.length === 0) return;
  const fail = (layer: number, path: string, reason: string) => {
    warnings.push({ manager: 'rpm', layer, path, reason });
    disabled.add('rpm');
  };
  if (!input.sqliteWasm) return fail(dbs[0]!.layer, dbs[0]!.path, 'not read: no SQLite engine was given');
  let engine;
  try {
    engine = await loadSqlEngine(await input.sqliteWasm());
  } catch (e) {
    return fail(dbs[0]!.layer, dbs[0]!.path, `not read: the SQLite engine did not start (${e instanceof Error ? e.message : String(e)})`);
  }
  for (const r of dbs) {
    const body = bodies.get(r.entry);
    if (body) caches.rpm.set(r.entry, readRpmSqlite(body, engine));
  }
}

/** One run over the layers with some managers left out. Throws `ManagerFailure` for an unreadable database. */
class Engine {
  private readonly index: ImageIndex;
  private readonly kinds: Uint8Array;
  private readonly refs: PackageRef[] = [];
  /** Per path id: the records that list it, system ones first in claim order. */
  private readonly claims: (Rec | Rec[] | undefined)[];
  /** Per path id: its list-based owner (a ref index) from each layer on. */
  private readonly owners: OwnerHistory;
  /** Per npm package directory: its package (a ref index) from each layer on. */
  private readonly npmOwners: OwnerHistory;
  private readonly system = new Map<PackageManager, Map<string, Rec>>();
  private readonly pipByDir = new Map<number, Rec>();
  private readonly npmByDir = new Map<number, Rec>();
  private readonly skippedRecords = new Map<PackageManager, { first: PackageWarning; count: number }>();
  private resolvers: ListedPathResolver | undefined;
  /** Paths whose claims changed in the current layer (a list, and a stamp per path id against repeats). */
  private affected: number[] = [];
  private readonly affectedStamp: Int32Array;
  private layer = -1;
  private listIds: Map<string, number> | undefined;
  /** Per layer: the records that left and came (a version change, or the same version read anew, is both). */
  private readonly recDeltas: { gone: Rec[]; come: Rec[] }[] = [];
  private gone: Rec[] = [];
  private come: Rec[] = [];

  constructor(
    private readonly plan: PackageReadPlan,
    private readonly bodies: ReadonlyMap<number, Uint8Array>,
    private readonly unread: ReadonlyMap<number, string> | undefined,
    private readonly caches: Caches,
    private readonly disabled: ReadonlySet<PackageManager>,
  ) {
    this.index = plan.index;
    this.kinds = plan.kinds;
    const n = plan.index.paths.size;
    this.claims = new Array<Rec | Rec[] | undefined>(n);
    this.owners = new OwnerHistory(n);
    this.npmOwners = new OwnerHistory(n);
    this.affectedStamp = new Int32Array(n).fill(-1);
  }

  private touch(p: number): void {
    if (this.affectedStamp[p] !== this.layer) {
      this.affectedStamp[p] = this.layer;
      this.affected.push(p);
    }
  }

  run(): Omit<ImagePackages, 'warnings'> {
    const { index, kinds } = this;
    const layers: LayerPackages[] = [];
    for (let li = 0; li < index.merged.layerCount; li++) {
      const dirty = new Set<PackageManager>();
      // Language package directories to read again, each with the metadata path that named it.
      const pipDirs = new Map<number, number>();
      const npmDirs = new Map<number, number>();
      const touched = this.plan.touched[li]!;
      for (let i = 0; i < touched.length; i++) {
        const p = touched[i]!;
        const code = kinds[p]!;
        const m = MANAGER_BY_CODE[code]!;
        if (this.disabled.has(m)) continue;
        dirty.add(m);
        if (m === 'pip') pipDirs.set(code === K.eggFile ? p : index.paths.parents[p]!, p);
        else if (m === 'npm') npmDirs.set(index.paths.parents[p]!, p);
      }
      if (dirty.size === 0) {
        layers.push({ added: [], removed: [], changed: [] });
        this.recDeltas.push({ gone: [], come: [] });
        continue;
      }
      this.layer = li;
      this.affected = [];
      this.gone = [];
      this.come = [];
      this.resolvers = undefined;
      const added: PackageRef[] = [];
      const removed: PackageRef[] = [];
      const changed: PackageChange[] = [];
      for (const m of ['dpkg', 'apk', 'rpm'] as const) {
        if (!dirty.has(m)) continue;
        const next = m === 'dpkg' ? this.dpkgState(li) : m === 'apk' ? this.apkState(li) : this.rpmState(li);
        this.applySystem(m, next, added, removed, changed);
      }
      // A system package that now lists (or no longer lists) a language package's metadata
      // file decides whether that package stands on its own: look at it again.
      for (const p of this.affected) {
        const code = kinds[p]!;
        if (code === K.pipMetadata || code === K.eggPkgInfo) pipDirs.set(index.paths.parents[p]!, p);
        else if (code === K.eggFile) pipDirs.set(p, p);
        else if (code === K.npm) npmDirs.set(index.paths.parents[p]!, p);
      }
      if (!this.disabled.has('pip') && pipDirs.size > 0) this.updateLanguage('pip', li, pipDirs, this.pipByDir, (d) => this.pipRecord(li, d), added, removed, changed);
      if (!this.disabled.has('npm') && npmDirs.size > 0) this.updateLanguage('npm', li, npmDirs, this.npmByDir, (d, marker) => this.npmRecord(li, d, marker), added, removed, changed);
      for (const p of this.affected) this.owners.set(p, li, this.resolveOwner(p));
      added.sort(compareRefs);
      removed.sort(compareRefs);
      changed.sort((a, b) => compareRefs(a.after, b.after));
      layers.push({ added, removed, changed });
      this.recDeltas.push({ gone: this.gone, come: this.come });
    }
    return this.finish(layers);
  }

  /** One warning per language manager for the records it skipped. */
  recordWarnings(): PackageWarning[] {
    return [...this.skippedRecords.values()].map(({ first, count }) => (count === 1 ? first : { ...first, reason: `${first.reason} (and ${count - 1} more records skipped)` }));
  }

  // ---------------------------------------------------------------- reading

  private resolver(li: number): ListedPathResolver {
    if (this.resolvers?.layer !== li) this.resolvers = new ListedPathResolver(this.index, li);
    return this.resolvers;
  }

  private fail(manager: PackageManager, layer: number, path: string, reason: string): never {
    throw new ManagerFailure({ manager, layer, path, reason });
  }

  /** The body at a path in a layer's view: undefined when absent, else the bytes or the reason they are missing. */
  private bodyAt(li: number, pathId: number): { entry: number; bytes: Uint8Array } | { entry: number; missing: string } | undefined {
    const g = bodyEntryAt(this.index, li, pathId);
    if (g === undefined) return undefined;
    const bytes = this.bodies.get(g);
    if (bytes) return { entry: g, bytes };
    return { entry: g, missing: this.plan.skipped.get(g) ?? this.unread?.get(g) ?? 'was not read' };
  }

  /** A body a system database needs: its absence of bytes fails the manager. */
  private systemBody(m: PackageManager, li: number, pathId: number): { entry: number; bytes: Uint8Array } | undefined {
    const b = this.bodyAt(li, pathId);
    if (b && 'missing' in b) this.fail(m, li, this.index.paths.paths[pathId]!, b.missing);
    return b;
  }

  private skipRecord(m: PackageManager, li: number, path: string, reason: string): void {
    const s = this.skippedRecords.get(m);
    if (s) s.count++;
    else this.skippedRecords.set(m, { first: { manager: m, layer: li, path, reason }, count: 1 });
  }

  /** Resolves listed paths in the view of the layer that wrote the list; cached with the list's identity. */
  private resolveList(key: string, li: number, list: () => readonly string[]): Int32Array {
    const known = this.caches.lists.get(key);
    if (known) return known;
    const r = this.resolver(li);
    const out = new Int32Array(list().map((p) => r.resolve(p)).filter((id) => id >= 0));
    this.caches.lists.set(key, out);
    return out;
  }

  private find(path: string): number | undefined {
    return this.index.paths.find(path);
  }

  /** The `.list` files of dpkg's info directory by package name (one map instead of a path lookup per package and layer). */
  private dpkgLists(): Map<string, number> {
    if (!this.listIds) {
      this.listIds = new Map();
      const info = this.find('var/lib/dpkg/info');
      const { names, children } = this.index.paths;
      if (info !== undefined) for (const c of children[info]!) if (this.kinds[c] === K.dpkgList) this.listIds.set(names[c]!.slice(0, -'.list'.length), c);
    }
    return this.listIds;
  }

  private dpkgState(li: number): Map<string, Rec> | undefined {
    const prev = this.system.get('dpkg');
    const statusId = this.find('var/lib/dpkg/status');
    const records: { r: DpkgRecord; listId: number | undefined; listKind: 'list' | 'md5sums' }[] = [];
    const status = statusId === undefined ? undefined : this.systemBody('dpkg', li, statusId);
    if (status) {
      const parsed = this.cached(this.caches.dpkgStatus, status.entry, () => parseDpkgStatus(status.bytes));
      if (!parsed.ok) this.fail('dpkg', li, 'var/lib/dpkg/status', parsed.reason);
      const lists = this.dpkgLists();
      for (const r of parsed.value) records.push({ r, listId: lists.get(r.name), listKind: 'list' });
    }
    const statusD = this.find('var/lib/dpkg/status.d');
    if (statusD !== undefined) {
      for (const c of this.index.paths.children[statusD]!) {
        if (this.kinds[c] !== K.dpkgStatusD) continue;
        const b = this.systemBody('dpkg', li, c);
        if (!b) continue;
        const parsed = this.cached(this.caches.dpkgStatus, b.entry, () => parseDpkgStatus(b.bytes, { statusD: true }));
        if (!parsed.ok) this.fail('dpkg', li, this.index.paths.paths[c]!, parsed.reason);
        for (const r of parsed.value) records.push({ r, listId: this.find(`${this.index.paths.paths[c]!}.md5sums`), listKind: 'md5sums' });
      }
    }
    if (!status && records.length === 0 && statusD === undefined) return undefined;
    const divId = this.find('var/lib/dpkg/diversions');
    const div = divId === undefined ? undefined : this.systemBody('dpkg', li, divId);
    let diversions: Map<string, Diversion> | undefined;
    if (div) {
      const parsed = this.cached(this.caches.diversions, div.entry, () => parseDiversions(div.bytes));
      if (!parsed.ok) this.fail('dpkg', li, 'var/lib/dpkg/diversions', parsed.reason);
      if (parsed.value.length > 0) diversions = new Map(parsed.value.map((d) => [d.from, d]));
    }
    if (records.length > PACKAGE_LIMITS.packages) this.fail('dpkg', li, 'var/lib/dpkg/status', `more than ${PACKAGE_LIMITS.packages} packages`);
    const out = new Map<string, Rec>();
    let listed = 0;
    for (const { r, listId, listKind } of records) {
      const list = listId === undefined ? undefined : this.systemBody('dpkg', li, listId);
      const source = list?.entry ?? -1;
      const source2 = div?.entry ?? -1;
      const old = prev?.get(r.name);
      if (old && old.source === source && old.source2 === source2 && old.ref.version === r.version) {
        out.set(r.name, old);
        listed += old.files.length;
        continue;
      }
      let files = EMPTY;
      if (list) {
        const owner = r.name.split(':')[0]!;
        files = this.resolveList(`dpkg:${source}/${source2}:${owner}`, li, () => {
          let paths: string[];
          if (listKind === 'list') paths = parseDpkgList(list.bytes);
          else {
            const m = parseMd5sums(list.bytes);
            if (!m.ok) this.fail('dpkg', li, this.index.paths.paths[listId!]!, m.reason);
            paths = m.value;
          }
          if (!diversions) return paths;
          // A diverted path of another package is installed where the diversion sends it.
          return paths.map((p) => {
            const d = diversions!.get(p);
            return d && d.by !== owner ? d.to : p;
          });
        });
      }
      listed += files.length;
      if (listed > PACKAGE_LIMITS.listedPaths) this.fail('dpkg', li, 'var/lib/dpkg/status', `its packages list more than ${PACKAGE_LIMITS.listedPaths} paths`);
      out.set(r.name, this.rec('dpkg', r.name, r.name, r.version, null, files, source, source2, old, li));
    }
    return out;
  }

  private apkState(li: number): Map<string, Rec> | undefined {
    const id = this.find('lib/apk/db/installed');
    const b = id === undefined ? undefined : this.systemBody('apk', li, id);
    if (!b) return undefined;
    const parsed = this.cached(this.caches.apk, b.entry, () => parseApkInstalled(b.bytes));
    if (!parsed.ok) this.fail('apk', li, 'lib/apk/db/installed', parsed.reason);
    const resolved = this.resolvedOf(`apk:${b.entry}`, li, parsed.value);
    return this.systemRecords('apk', li, b.entry, parsed.value.map((r, i) => ({ key: r.name, name: r.name, version: r.version, files: resolved[i]! })));
  }

  private rpmState(li: number): Map<string, Rec> | undefined {
    const { paths } = this.index;
    const view = this.index.merged.view(li);
    const visible = (p: string) => {
      const id = this.find(p);
      return id !== undefined && view[id]! >= 0 ? id : undefined;
    };
    for (const dir of ['var/lib/rpm', 'usr/lib/sysimage/rpm']) {
      const db = visible(`${dir}/rpmdb.sqlite`);
      if (db === undefined) continue;
      const wal = visible(`${dir}/rpmdb.sqlite-wal`);
      if (wal !== undefined && this.index.entries[view[wal]!]!.size > 0) this.fail('rpm', li, paths.paths[wal]!, 'holds changes not yet written to rpmdb.sqlite, which are not read');
      const b = this.systemBody('rpm', li, db);
      if (!b) return undefined;
      const parsed = this.caches.rpm.get(b.entry) ?? { ok: false, reason: this.unread?.get(b.entry) ?? 'was not read' };
      if (!parsed.ok) this.fail('rpm', li, paths.paths[db]!, parsed.reason);
      const resolved = this.resolvedOf(`rpm:${b.entry}`, li, parsed.value);
      // Several packages may share a name and architecture (installonly kernels, gpg-pubkey).
      const counts = new Map<string, number>();
      for (const r of parsed.value) counts.set(`${r.name}.${r.arch}`, (counts.get(`${r.name}.${r.arch}`) ?? 0) + 1);
      return this.systemRecords(
        'rpm',
        li,
        b.entry,
        parsed.value.map((r, i) => {
          const na = `${r.name}.${r.arch}`;
          return { key: counts.get(na)! > 1 ? `${na}-${r.version}` : na, name: r.name, version: r.version, files: resolved[i]! };
        }),
      );
    }
    for (const dir of ['var/lib/rpm', 'usr/lib/sysimage/rpm']) {
      for (const [file, what] of [['Packages', 'a BerkeleyDB'], ['Packages.db', 'an ndb']] as const) {
        const id = visible(`${dir}/${file}`);
        if (id !== undefined) this.fail('rpm', li, paths.paths[id]!, `is ${what} rpm database, which is not supported (rpm >= 4.16 writes rpmdb.sqlite)`);
      }
    }
    return undefined;
  }

  private resolvedOf(key: string, li: number, records: readonly { files: readonly string[] }[]): Int32Array[] {
    let out = this.caches.resolved.get(key);
    if (!out) {
      const r = this.resolver(li);
      out = records.map((rec) => new Int32Array(rec.files.map((p) => r.resolve(p)).filter((id) => id >= 0)));
      this.caches.resolved.set(key, out);
    }
    return out;
  }

  private systemRecords(m: PackageManager, li: number, entry: number, list: readonly { key: string; name: string; version: string; files: Int32Array }[]): Map<string, Rec> {
    const prev = this.system.get(m);
    const out = new Map<string, Rec>();
    for (const x of list) {
      if (out.has(x.key)) this.fail(m, li, this.index.paths.paths[this.index.entryPath[entry]!]!, `package ${x.key} is recorded twice`);
      const old = prev?.get(x.key);
      // A database rewritten with the same record and the same files keeps the record.
      if (old && old.ref.version === x.version && sameIds(old.files, x.files)) out.set(x.key, old);
      else out.set(x.key, this.rec(m, x.key, x.name, x.version, null, x.files, entry, -1, old, li));
    }
    return out;
  }

  private rec(m: PackageManager, key: string, name: string, version: string, path: string | null, files: Int32Array, source: number, source2: number, old: Rec | undefined, li: number, dir = -1): Rec {
    const ref: PackageRef = { manager: m, name, version, path };
    this.refs.push(ref);
    return { key, ref, refIndex: this.refs.length - 1, files, source, source2, since: old && old.ref.version === version ? old.since : li, dir };
  }

  private cached<T>(map: Map<number, T>, entry: number, make: () => T): T {
    let v = map.get(entry);
    if (v === undefined) map.set(entry, (v = make()));
    return v;
  }

  // ---------------------------------------------------------------- state changes

  private applySystem(m: PackageManager, next: Map<string, Rec> | undefined, added: PackageRef[], removed: PackageRef[], changed: PackageChange[]): void {
    const prev = this.system.get(m) ?? new Map<string, Rec>();
    const now = next ?? new Map<string, Rec>();
    for (const [key, old] of prev) {
      const cur = now.get(key);
      if (cur === old) continue;
      this.unclaim(old);
      this.gone.push(old);
      if (!cur) removed.push(old.ref);
      else if (cur.ref.version !== old.ref.version) changed.push({ before: old.ref, after: cur.ref });
    }
    for (const [key, cur] of now) {
      const old = prev.get(key);
      if (old === cur) continue;
      this.claim(cur);
      this.come.push(cur);
      if (!old) added.push(cur.ref);
    }
    this.system.set(m, now);
  }

  private updateLanguage(
    m: 'pip' | 'npm',
    li: number,
    dirs: ReadonlyMap<number, number>,
    byDir: Map<number, Rec>,
    read: (dir: number, marker: number) => Rec | undefined,
    added: PackageRef[],
    removed: PackageRef[],
    changed: PackageChange[],
  ): void {
    const gone: Rec[] = [];
    const come: Rec[] = [];
    for (const [d, marker] of dirs) {
      const old = byDir.get(d);
      const cur = read(d, marker);
      if (cur === old) continue;
      if (old) {
        if (m === 'pip') this.unclaim(old);
        byDir.delete(d);
        gone.push(old);
        this.gone.push(old);
      }
      if (cur) {
        if (m === 'pip') this.claim(cur);
        byDir.set(d, cur);
        come.push(cur);
        this.come.push(cur);
      }
      if (m === 'npm') this.npmOwners.set(d, li, cur ? cur.refIndex : -1);
    }
    if (byDir.size > PACKAGE_LIMITS.packages) this.fail(m, li, this.index.paths.paths[[...dirs.keys()][0]!]!, `more than ${PACKAGE_LIMITS.packages} packages`);
    // An upgrade moves a pip package to a new dist-info directory: the same key, gone and come.
    const goneByKey = new Map<string, Rec>();
    for (const g of gone) if (!goneByKey.has(g.key)) goneByKey.set(g.key, g);
    for (const c of come) {
      const g = goneByKey.get(c.key);
      if (g) {
        goneByKey.delete(c.key);
        if (g.ref.version !== c.ref.version) changed.push({ before: g.ref, after: c.ref });
      } else added.push(c.ref);
    }
    for (const g of goneByKey.values()) removed.push(g.ref);
  }

  /** True when a system package lists the path now: a language package there is part of it. */
  private systemClaimed(p: number): boolean {
    const c = this.claims[p];
    if (!c) return false;
    return isSystemManager((Array.isArray(c) ? c[0]! : c).ref.manager);
  }

  private pipRecord(li: number, d: number): Rec | undefined {
    const { paths } = this.index;
    const dirPath = paths.paths[d]!;
    const old = this.pipByDir.get(d);
    let meta: number | undefined;
    let list: number | undefined;
    let listKind: 'record' | 'installed-files' | 'self' = 'self';
    const g = this.index.merged.at(li, d);
    const isDir = g >= 0 && this.index.entries[g]!.type === 'dir';
    // An `.egg-info` path is classified by name alone: a file holds PKG-INFO itself, a directory holds the files.
    if (this.kinds[d] === K.eggFile && !isDir) meta = d;
    else if (dirPath.endsWith('.dist-info')) {
      meta = this.find(`${dirPath}/METADATA`);
      list = this.find(`${dirPath}/RECORD`);
      listKind = 'record';
    } else {
      meta = this.find(`${dirPath}/PKG-INFO`);
      list = this.find(`${dirPath}/installed-files.txt`);
      listKind = 'installed-files';
    }
    if (meta === undefined) return undefined;
    const mb = this.bodyAt(li, meta);
    if (!mb || this.systemClaimed(meta)) return undefined;
    if ('missing' in mb) return this.skipRecord('pip', li, paths.paths[meta]!, mb.missing), undefined;
    const lb = list === undefined ? undefined : this.bodyAt(li, list);
    if (lb && 'missing' in lb) return this.skipRecord('pip', li, paths.paths[list!]!, lb.missing), undefined;
    const source = mb.entry;
    const source2 = lb?.entry ?? -1;
    if (old && old.source === source && old.source2 === source2) return old;
    if (old?.read && sameBytes(old.read[0], mb.bytes) && (lb ? sameBytes(old.read[1], lb.bytes) : old.read[1] === undefined)) return old;
    const md = parseCoreMetadata(mb.bytes);
    if (!md) return this.skipRecord('pip', li, paths.paths[meta]!, 'has no valid Name and Version'), undefined;
    const site = dirOf(dirPath);
    let files: Int32Array;
    if (listKind === 'self') files = Int32Array.of(d);
    else if (!lb) files = EMPTY;
    else {
      const bytes = lb.bytes;
      files = this.resolveList(`pip:${lb.entry}`, li, () => (listKind === 'record' ? parseRecord(bytes, site) : parseInstalledFiles(bytes, dirPath)));
    }
    const rec = this.rec('pip', `${site}\0${normalizePythonName(md.name)}`, md.name, md.version, dirPath, files, source, source2, this.pipPrevByKey(site, md.name, d), li);
    return { ...rec, read: [mb.bytes, lb?.bytes] };
  }

  /** The record that held the same project in the same site directory before (an upgrade moves its dist-info). */
  private pipPrevByKey(site: string, name: string, d: number): Rec | undefined {
    const key = `${site}\0${normalizePythonName(name)}`;
    const same = this.pipByDir.get(d);
    if (same?.key === key) return same;
    for (const r of this.pipByDir.values()) if (r.key === key) return r;
    return undefined;
  }

  private npmRecord(li: number, d: number, id: number): Rec | undefined {
    const { paths } = this.index;
    const dirPath = paths.paths[d]!;
    const b = this.bodyAt(li, id);
    if (!b || this.systemClaimed(id)) return undefined;
    if ('missing' in b) return this.skipRecord('npm', li, paths.paths[id]!, b.missing), undefined;
    const old = this.npmByDir.get(d);
    const source = b.entry;
    if (old && (old.source === source || sameBytes(old.read?.[0], b.bytes))) return old;
    const pj = parsePackageJson(b.bytes);
    if (pj === 'invalid') return this.skipRecord('npm', li, paths.paths[id]!, 'is not valid JSON'), undefined;
    if (!pj) return undefined;
    return { ...this.rec('npm', dirPath, pj.name, pj.version, dirPath, EMPTY, source, -1, old, li, d), read: [b.bytes] };
  }

  private claim(r: Rec): void {
    const system = isSystemManager(r.ref.manager);
    const files = r.files;
    for (let i = 0; i < files.length; i++) {
      const p = files[i]!;
      this.touch(p);
      const c = this.claims[p];
      if (!c) this.claims[p] = r;
      else if (Array.isArray(c)) {
        if (c.includes(r)) continue;
        if (system) {
          const firstLang = c.findIndex((x) => !isSystemManager(x.ref.manager));
          if (firstLang < 0) c.push(r);
          else c.splice(firstLang, 0, r);
        } else c.push(r);
      } else if (c !== r) this.claims[p] = system && !isSystemManager(c.ref.manager) ? [r, c] : [c, r];
    }
  }

  private unclaim(r: Rec): void {
    const files = r.files;
    for (let i = 0; i < files.length; i++) {
      const p = files[i]!;
      const c = this.claims[p];
      if (!c) continue;
      this.touch(p);
      if (c === r) this.claims[p] = undefined;
      else if (Array.isArray(c)) {
        const k = c.indexOf(r);
        if (k >= 0) c.splice(k, 1);
        if (c.length === 1) this.claims[p] = c[0]!;
        else if (c.length === 0) this.claims[p] = undefined;
      }
    }
  }

  private resolveOwner(p: number): number {
    const c = this.claims[p];
    if (!c) return -1;
    return (Array.isArray(c) ? c[0]! : c).refIndex;
  }

  // ---------------------------------------------------------------- results

  private finish(layers: LayerPackages[]): Omit<ImagePackages, 'warnings'> {
    const { index } = this;
    const { paths, entries } = index;
    const last = index.merged.layerCount - 1;
    const finalRecs: Rec[] = [];
    for (const m of ['dpkg', 'apk', 'rpm'] as const) for (const rec of this.system.get(m)?.values() ?? []) finalRecs.push(rec);
    finalRecs.push(...this.pipByDir.values(), ...this.npmByDir.values());
    const byRef = new Map<number, Package>();
    const packages = last >= 0 ? this.packagesOf(last, finalRecs, byRef) : [];
    const deltas = this.recDeltas;
    const packagesAt = (layer: number): readonly Package[] => {
      if (!Number.isInteger(layer) || layer < 0 || layer > last) return [];
      if (layer === last) return packages;
      const live = new Set<Rec>();
      for (let li = 0; li <= layer; li++) {
        for (const g of deltas[li]!.gone) live.delete(g);
        for (const c of deltas[li]!.come) live.add(c);
      }
      return this.packagesOf(layer, live);
    };
    const refs = this.refs;
    const owners = this.owners;
    const npmOwners = this.npmOwners;
    /** The ref index of the package owning a path at a layer, or -1. */
    const ownerIndex = (layer: number, pathId: number): number => {
      if (layer < 0 || layer > last || pathId <= 0 || pathId >= paths.size) return -1;
      const g = index.merged.at(layer, pathId);
      if (g < 0 || entries[g]!.type === 'dir') return -1;
      let idx = owners.at(pathId, layer);
      if (idx < 0) {
        // The npm package whose directory holds the path: below the nearest node_modules.
        let child = pathId;
        let grandchild = -1;
        for (let a = paths.parents[pathId]!; a > 0; a = paths.parents[a]!) {
          if (paths.names[a] === 'node_modules') {
            const dir = paths.names[child]!.startsWith('@') && grandchild >= 0 ? grandchild : child;
            if (dir !== pathId) idx = npmOwners.at(dir, layer);
            break;
          }
          grandchild = child;
          child = a;
        }
      }
      return idx;
    };
    const ownerAt = (layer: number, pathId: number): PackageRef | undefined => {
      const idx = ownerIndex(layer, pathId);
      if (idx < 0) return undefined;
      return layer === last ? (byRef.get(idx) ?? refs[idx]) : refs[idx];
    };
    const finalOwner = (pathId: number): Package | undefined => byRef.get(ownerIndex(last, pathId));
    return { packages, layers, ownerAt, finalOwner, packagesAt };
  }

  /**
   * The packages `recs` as the filesystem after `layer` has them: each one's regular files and
   * hard links (that it owns at that layer) and their bytes, each hard-link group once.
   * `byRef`, when given, gets each package by its record's ref index.
   */
  private packagesOf(layer: number, recs: Iterable<Rec>, byRef?: Map<number, Package>): Package[] {
    const { paths, entries } = this.index;
    const view = this.index.merged.view(layer);
    const owners = this.owners;
    const seen = new Int32Array(paths.size).fill(-1);
    const group = new Int32Array(paths.size).fill(-1);
    const packages: Package[] = [];
    // One package at a time: its files and bytes, each path and each hard-link group once.
    let stamp = 0;
    let files = 0;
    let size = 0;
    const add = (p: number): void => {
      if (seen[p] === stamp) return;
      seen[p] = stamp;
      const g = view[p]!;
      if (g < 0) return;
      const e = entries[g]!;
      let root = p;
      let bytes = e.size;
      if (e.type === 'hardlink') {
        const t = e.linkTarget === undefined ? undefined : paths.find(e.linkTarget);
        const tg = t === undefined ? -1 : view[t]!;
        root = t ?? p;
        bytes = tg >= 0 && entries[tg]!.type === 'file' ? entries[tg]!.size : 0;
      } else if (e.type !== 'file') return;
      files++;
      if (group[root] !== stamp) {
        group[root] = stamp;
        size += bytes;
      }
    };
    const stack: number[] = [];
    for (const rec of recs) {
      if (rec.dir >= 0 && view[rec.dir]! < 0) continue;
      stamp++;
      files = 0;
      size = 0;
      if (rec.dir < 0) {
        const list = rec.files;
        for (let i = 0; i < list.length; i++) if (owners.at(list[i]!, layer) === rec.refIndex) add(list[i]!);
      } else {
        stack.push(rec.dir);
        while (stack.length > 0) {
          const ch = paths.children[stack.pop()!]!;
          for (let i = 0; i < ch.length; i++) {
            const c = ch[i]!;
            const g = view[c]!;
            if (g < 0) continue;
            if (entries[g]!.type === 'dir') {
              if (paths.names[c] !== 'node_modules') stack.push(c);
            } else if (owners.at(c, layer) < 0) add(c);
          }
        }
      }
      const pkg: Package = { manager: rec.ref.manager, name: rec.ref.name, version: rec.ref.version, path: rec.ref.path, layer: rec.since, files, sizeBytes: size };
      packages.push(pkg);
      byRef?.set(rec.refIndex, pkg);
    }
    packages.sort(compareRefs);
    return packages;
  }
}

/** True when two bodies hold the same bytes. */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
