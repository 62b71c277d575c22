import type { Analysis } from './analyze.js';
import type { FileTree } from './file-tree.js';
import { EntryKind } from './index-image.js';

/**
 * Findings: the waste of an image explained as things a person can change in their Dockerfile.
 * Pure: everything comes from the analysis, and who owns each path from the `owners` table the
 * caller passes (built from the package databases). Each byte is counted in one finding at most;
 * the waste kinds (`deleted-later`, `overwritten`, `metadata-only`, `duplicate-content`, and
 * `base-image` for waste inside the base) are bytes that squashing or deduplicating would give
 * back: each adds up to no more than its part of `reclaimable` (`deletedLaterBytes`…) and all of
 * them to no more than `reclaimable.totalBytes`. The kinds about bytes that survive in the final
 * image (`package-cache`, `build-leftovers`) say so (`survives`) and count apart.
 *
 * The words: "wasted" is dive's figure (`wastedBytes`, every copy of a path written more than
 * once, the surviving one too); what findings add up is "reclaimable".
 */
export type FindingKind = 'deleted-later' | 'overwritten' | 'metadata-only' | 'duplicate-content' | 'package-cache' | 'build-leftovers' | 'base-image';

export type FindingLayer = { readonly index: number; readonly command: string };

/** A package owning some of a finding's paths, as its database names it (a string from the image: escape it where printed). */
export type FindingOwner = { readonly manager: string; readonly name: string };

/**
 * Who owned a path at a layer: the package whose database listed it there, or undefined.
 * `pathId` is an id of the analysis's own tree. The packages the lifecycle reads
 * (`ImagePackages`) are such a table for the analysis they were read with; for an analysis
 * rebuilt from it (`withoutIgnored`) see `ownersByPath`.
 */
export type OwnerTable = { ownerAt(layer: number, pathId: number): FindingOwner | undefined };

export type Finding = {
  readonly kind: FindingKind;
  /** Bytes the advice would save: reclaimable copies, or the surviving bytes of caches and leftovers. */
  readonly bytes: number;
  /** True for bytes that are in the final filesystem (caches, leftovers); false for reclaimable copies. */
  readonly survives: boolean;
  /**
   * The layers involved, in order: the ones that wrote the bytes and the ones that deleted,
   * overwrote or rewrote them; for a duplicate, the layers that wrote each copy; for a package
   * manager's own files, every layer that wrote or removed them.
   */
  readonly layers: readonly FindingLayer[];
  /** Absolute paths, largest first, at most `PATH_CAP`. */
  readonly paths: readonly { readonly path: string; readonly bytes: number }[];
  /** How many paths the finding covers (`paths` may show fewer). */
  readonly pathCount: number;
  /** One sentence: what to change. It depends on the owners, the manager and `fromBase`. */
  readonly advice: string;
  /**
   * The packages owning its paths when the counted copies were written, most bytes first, at most
   * `OWNER_CAP`; empty when no package owns them or no owner table was given.
   */
  readonly owners: readonly FindingOwner[];
  /**
   * True when the bytes were written by the base image (the layers below `baseLayers`): no step
   * after `FROM` removes them, so deleting or changing them later saves nothing.
   */
  readonly fromBase: boolean;
  /**
   * The package manager whose own files these are (caches, lists, databases, logs): `apt`
   * (with dpkg and debconf), `apk`, `dnf/yum`, `pip`, `npm`… One finding per manager and kind
   * covers every layer involved.
   */
  readonly manager?: string;
};

export type FindingsOptions = {
  /**
   * How many layers at the bottom belong to the base image (waste entirely inside them is
   * reported as `base-image`). @default guessed from the history's timestamps (see `guessBaseLayers`)
   */
  readonly baseLayers?: number;
  /** Who owns each path at each layer (see `OwnerTable`); without it findings have no owners and say less. */
  readonly owners?: OwnerTable;
};

/** Paths listed per finding. */
export const PATH_CAP = 10;

/** Owners listed per finding. */
export const OWNER_CAP = 5;

/**
 * An owner table read with another tree (`tableTree`) as one for `tree`: each path is looked up
 * by its name. For an analysis rebuilt from the one the packages were read with; the layers are
 * the same.
 */
export function ownersByPath(table: OwnerTable, tableTree: FileTree, tree: FileTree): OwnerTable {
  if (tableTree === tree) return table;
  return {
    ownerAt: (layer, pathId) => {
      const q = tableTree.find(tree.pathOf(pathId));
      return q === undefined ? undefined : table.ownerAt(layer, q);
    },
  };
}

/**
 * The package managers' own files, with the managers' own fixes: `cache` are caches and lists a
 * runtime image does not need (reported as `package-cache` when they survive); `state` are the
 * databases and logs every run of the manager writes again (needed, but each layer that runs the
 * manager stores another copy). Waste of either is the manager's, never plain waste.
 */
const MANAGERS: readonly { readonly manager: string; readonly cache: readonly RegExp[]; readonly state: readonly RegExp[]; readonly kept: string; readonly waste: string }[] = [
  {
    manager: 'apt',
    cache: [/^var\/lib\/apt\/lists\//, /^var\/cache\/apt\//],
    state: [/^var\/lib\/dpkg\//, /^var\/cache\/debconf\//, /^var\/log\/apt\//, /^var\/log\/(?:dpkg|alternatives)\.log$/],
    kept: 'end the same RUN with `rm -rf /var/lib/apt/lists/*` (and `apt-get clean`), or use a cache mount (`RUN --mount=type=cache,target=/var/cache/apt`)',
    waste:
      'every layer that runs apt stores its lists, caches and dpkg database again: use one `apt-get update && apt-get install … && apt-get clean && rm -rf /var/lib/apt/lists/*` per RUN, in as few RUNs as you can, or cache mounts (`RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt/lists`)',
  },
  {
    manager: 'apk',
    cache: [/^var\/cache\/apk\//, /^etc\/apk\/cache\//],
    state: [/^lib\/apk\/db\//],
    kept: 'use `apk add --no-cache`',
    waste: 'every layer that runs apk stores its index, cache and database again: use `apk add --no-cache`, in as few RUNs as you can',
  },
  {
    manager: 'dnf/yum',
    cache: [/^var\/cache\/(?:dnf|yum)\//],
    state: [/^var\/lib\/(?:dnf|yum|rpm)\//, /^usr\/lib\/sysimage\/rpm\//, /^var\/log\/(?:dnf|yum|hawkey)[^/]*\.log$/],
    kept: 'end the same RUN with `dnf clean all` (or `yum clean all`), or use a cache mount',
    waste: 'every layer that runs dnf or yum stores its metadata, cache and rpm database again: end each such RUN with `dnf clean all` (or `yum clean all`), in as few RUNs as you can, or use a cache mount on /var/cache/dnf',
  },
  { manager: 'zypper', cache: [/^var\/cache\/zypp\//], state: [], kept: 'end the same RUN with `zypper clean --all`', waste: 'end the same RUN that runs zypper with `zypper clean --all`' },
  {
    manager: 'pip',
    cache: [/^(?:root|home\/[^/]+)\/\.cache\/pip\//],
    state: [],
    kept: 'use `pip install --no-cache-dir`, or a cache mount on /root/.cache/pip',
    waste: 'use `pip install --no-cache-dir` (a cache deleted by a later step is still stored), or a cache mount on /root/.cache/pip',
  },
  {
    manager: 'npm',
    cache: [/^(?:root|home\/[^/]+)\/\.npm\//],
    state: [],
    kept: 'end the same RUN with `npm cache clean --force`, or use a cache mount on /root/.npm',
    waste: 'end the same RUN that runs npm with `npm cache clean --force` (a cache deleted by a later step is still stored), or use a cache mount on /root/.npm',
  },
  {
    manager: 'yarn',
    cache: [/^(?:root|home\/[^/]+)\/\.cache\/yarn\//, /^usr\/local\/share\/\.cache\/yarn\//],
    state: [],
    kept: 'end the same RUN with `yarn cache clean`, or use a cache mount',
    waste: 'end the same RUN that runs yarn with `yarn cache clean`, or use a cache mount',
  },
  {
    manager: 'pnpm',
    cache: [/^(?:root|home\/[^/]+)\/\.local\/share\/pnpm\/store\//, /^(?:root|home\/[^/]+)\/\.pnpm-store\//],
    state: [],
    kept: 'use a cache mount for the pnpm store, or `pnpm store prune` in the same RUN',
    waste: 'use a cache mount for the pnpm store, or `pnpm store prune` in the same RUN',
  },
  {
    manager: 'cargo',
    cache: [/^(?:root|home\/[^/]+)\/\.cargo\/registry\//, /^usr\/local\/cargo\/registry\//],
    state: [],
    kept: 'build in a separate stage, or use a cache mount on the cargo registry',
    waste: 'build in a separate stage, or use a cache mount on the cargo registry',
  },
  {
    manager: 'go',
    cache: [/^(?:root|home\/[^/]+)\/\.cache\/go-build\//, /^(?:root|home\/[^/]+)\/go\/pkg\/mod\//, /^go\/pkg\/mod\//],
    state: [],
    kept: 'build in a separate stage, or use cache mounts on the go build and module caches',
    waste: 'build in a separate stage, or use cache mounts on the go build and module caches',
  },
];

type Manager = (typeof MANAGERS)[number];

// One test first, so the per-manager and per-kind rules run only on the few paths that can
// match (at 200k paths, ~15 regular expressions a path cost ~0.7 s).
const MAY_BE_CACHE = /^(?:var\/(?:lib\/apt|cache)\/|etc\/apk\/|root\/|home\/|usr\/local\/|go\/)/;
const MAY_BE_MANAGER = /^(?:var\/(?:lib|cache|log)\/|etc\/apk\/|lib\/apk\/|usr\/lib\/sysimage\/|root\/|home\/|usr\/local\/|go\/)/;
const MAY_BE_LEFTOVER = /(?:\.git\/|\.[oa]$|\.(?:tar|tgz|tbz2|txz|zip|gz|bz2|xz|zst)$|^usr\/(?:local\/)?include\/|^usr\/lib(?:exec)?\/gcc|^usr\/bin\/)/;

/** The manager whose cache (survivors) or own file (waste) a path is, if any. */
function managerOf(rel: string, withState: boolean): Manager | undefined {
  return MANAGERS.find((m) => m.cache.some((d) => d.test(rel)) || (withState && m.state.some((d) => d.test(rel))));
}

/** What a package-owned path is, for advice: 0 anything, 1 documentation, 2 build-only (headers, static libraries, compilers). */
type PathClass = 0 | 1 | 2;
const DOCS = /^usr\/(?:local\/)?share\/(?:doc|man|info|locale|help|gtk-doc)\//;
const HEADERS = /^usr\/(?:local\/)?include\//;
const STATIC_LIB = /(?:^|\/)lib[^/]*\.a$/;
const COMPILERS = /^usr\/lib(?:exec)?\/gcc(?:-cross)?\/|^usr\/bin\/(?:[\w.+-]+-)?(?:gcc|g\+\+|c\+\+|cpp|cc)(?:-\d+(?:\.\d+)*)?$/;
function classOf(rel: string): PathClass {
  if (DOCS.test(rel)) return 1;
  if (HEADERS.test(rel) || STATIC_LIB.test(rel) || COMPILERS.test(rel)) return 2;
  return 0;
}

const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst|zip)$/;

/** Why a surviving file looks like something a runtime image rarely needs, or undefined. Headers and compilers count only when a package installed them. */
function leftoverOf(path: string, exists: (p: string) => boolean, owned: () => boolean): string | undefined {
  if (/(?:^|\/)\.git\//.test(path)) return 'a .git directory';
  if (/\.o$/.test(path)) return 'compiler object files';
  const a = /^(.*)\.a$/.exec(path);
  if (a && (exists(`${a[1]}.so`) || [...'0123456789'].some((d) => exists(`${a[1]}.so.${d}`)))) return 'static archives beside their shared libraries';
  const arc = ARCHIVE.exec(path);
  if (arc) {
    const stem = path.slice(0, path.length - arc[0].length);
    if (exists(stem)) return 'a downloaded archive kept beside its extracted tree';
  }
  if (HEADERS.test(path) && owned()) return 'headers';
  if (COMPILERS.test(path) && owned()) return 'compilers';
  return undefined;
}

/**
 * A step that copies from the build context (where `.dockerignore` applies): `COPY` without
 * `--from`, or `ADD` of a directory. An `ADD file:…` may be an archive it unpacked (a base's
 * rootfs), whose files no `.dockerignore` can leave out.
 */
const FROM_CONTEXT = /^(?:COPY\s(?!.*--from)|ADD dir:)/;

const HOW = ['deleted-later', 'overwritten', 'metadata-only', 'rewritten-same'] as const;
type How = 0 | 1 | 2 | 3;

const WASTE_ADVICE = {
  'deleted-later': 'delete these files in the same RUN that creates them, or build them in another stage and COPY only the result (multi-stage build)',
  overwritten: 'write the final version once: fold the later change into the step that first writes these files, or copy them in a later stage',
  'metadata-only': 'set the owner and mode when copying (`COPY --chown=… --chmod=…`) instead of a later `chown -R`/`chmod -R`, which copies every file again',
  'rewritten-same': 'these files are written again with the same bytes and attributes: keep the later step from touching them',
} as const;

const BUILD_STAGE = 'install the -dev and build packages only in a build stage and COPY what runs into the final one';

/** How to keep a package manager from installing documentation, by the managers that own it. */
function docsAdvice(managers: ReadonlySet<string>): string {
  const ways: string[] = [];
  if (managers.has('dpkg')) ways.push('for dpkg, a file in /etc/dpkg/dpkg.cfg.d/ with `path-exclude=/usr/share/doc/*` (and man, info, locale) written before `apt-get install`');
  if (managers.has('rpm')) ways.push('for dnf, `dnf install --setopt=tsflags=nodocs`');
  const only = ways.length > 0 ? `keep the package manager from installing them (${ways.join('; ')}), or ` : '';
  return `deleting packages' documentation in a later step saves nothing: ${only}delete them in the same RUN as the install`;
}

/**
 * The layers that belong to the base image, guessed from the history: the steps of one build
 * are minutes apart, while a base image was built long before. The base is every layer before
 * the largest jump in `created` over an hour (0 when there is none or no timestamps).
 */
export function guessBaseLayers(a: Analysis): number {
  let best = 0;
  let gap = 60 * 60 * 1000;
  let prevTime: number | undefined;
  let prevLayer = -1;
  for (const h of a.history) {
    const t = h.created ? Date.parse(h.created) : NaN;
    if (!Number.isNaN(t) && prevTime !== undefined && t - prevTime > gap && !h.emptyLayer) {
      gap = t - prevTime;
      best = prevLayer + 1;
    }
    if (!Number.isNaN(t)) prevTime = t;
    if (!h.emptyLayer) prevLayer = h.layer;
  }
  return Math.max(0, Math.min(best, a.layers.length));
}

/** A finding being summed: bytes per path id (path strings are built only for the few shown). */
type Acc = {
  readonly kind: FindingKind;
  readonly survives: boolean;
  readonly fromBase: boolean;
  /** For waste: how the later layer replaced the bytes. */
  readonly how?: How;
  /** For owned waste: what the paths are. */
  readonly cls: PathClass;
  readonly owned: boolean;
  readonly manager?: Manager;
  readonly leftover?: string;
  bytes: number;
  readonly layers: Set<number>;
  /** The layers that wrote the counted bytes (a subset of `layers`). */
  readonly writers: Set<number>;
  readonly paths: Map<number, number>;
  readonly owners: Map<string, { owner: FindingOwner; bytes: number }>;
};

type AccShape = Pick<Acc, 'kind' | 'survives' | 'fromBase' | 'how' | 'cls' | 'owned' | 'manager' | 'leftover'>;

/**
 * The findings of an analysis, largest first (ties by kind, then by the first layer). Waste is
 * grouped by the pair of layers involved (writer → the layer that deleted or replaced it) and,
 * with owners, by what the paths are and whether a package owns them; a package manager's own
 * files by manager and kind across every layer; caches by manager; leftovers by what they are;
 * duplicates by the layer that wrote the extra copies. Bytes the base wrote are apart (`fromBase`).
 */
export function findFindings(a: Analysis, opts: FindingsOptions = {}): Finding[] {
  const t = a.tree;
  const { index } = t;
  const L = a.layers.length;
  const base = Math.max(0, Math.min(L, opts.baseLayers ?? guessBaseLayers(a)));
  const owners = opts.owners;
  const rels = index.paths.paths;
  // Hot path, measured on the 200k-path synthetic image: ~1 s with a string key and a path string
  // per wasted copy, 234 ms with numeric keys and path ids (strings only for the paths shown).
  // Keys: strings for the few survivor and manager groups, numbers for the (many) waste groups.
  const groups = new Map<string | number, Acc>();
  const group = (key: string | number, shape: AccShape): Acc => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ...shape, bytes: 0, layers: new Set(), writers: new Set(), paths: new Map(), owners: new Map() }));
    return g;
  };
  const add = (g: Acc, pathId: number, bytes: number, writer: number, owner: FindingOwner | undefined) => {
    g.bytes += bytes;
    g.paths.set(pathId, (g.paths.get(pathId) ?? 0) + bytes);
    g.layers.add(writer);
    g.writers.add(writer);
    if (owner) noteOwner(g, owner, bytes);
  };
  const baseGroup = () => group('base', { kind: 'base-image', survives: false, fromBase: true, cls: 0, owned: false });

  const waste = (how: How, writer: number, by: number, p: number, bytes: number) => {
    if (bytes <= 0) return;
    if (writer < base && by < base) {
      const g = baseGroup();
      add(g, p, bytes, writer, owners?.ownerAt(writer, p));
      g.layers.add(by);
      return;
    }
    const fromBase = writer < base;
    const rel = rels[p]!;
    const manager = MAY_BE_MANAGER.test(rel) ? managerOf(rel, true) : undefined;
    const kind = how === 0 ? 'deleted-later' : how === 1 ? 'overwritten' : 'metadata-only';
    let g: Acc;
    let owner: FindingOwner | undefined;
    if (manager) {
      // A manager's own files: one finding per manager and kind, whatever the layers.
      g = group(`m:${manager.manager}:${kind}:${fromBase ? 1 : 0}`, { kind, survives: false, fromBase, how, cls: 0, owned: false, manager });
    } else {
      owner = owners?.ownerAt(writer, p);
      const cls = owner ? classOf(rel) : 0;
      g = group(((((how * L + writer) * L + by) * 3 + cls) * 2 + (owner ? 1 : 0)), { kind, survives: false, fromBase, how, cls, owned: owner !== undefined });
    }
    add(g, p, bytes, writer, owner);
    g.layers.add(by);
  };

  // What each layer did to what the layers below it left: deleted, overwrote, rewrote unchanged.
  let firstEntry = 0; // global id of the layer's first explicit entry (explicit entries come first, layer by layer)
  const { entries, entryKind, entryLayer, entryPath, merged } = index;
  for (let li = 0; li < L; li++) {
    for (const p of index.touched[li]!) {
      const b = merged.at(li - 1, p);
      if (b < 0 || entryKind[b] !== EntryKind.write) continue;
      const eb = entries[b]!;
      if (eb.size === 0) continue;
      const writer = entryLayer[b]!;
      const g = merged.at(li, p);
      if (g < 0) waste(0, writer, li, p, eb.size);
      else {
        const delta = t.compare(b, g);
        waste(delta === 'content' ? 1 : delta === 'metadata' ? 2 : 3, writer, li, p, eb.size);
      }
    }
    // A path written twice in one layer: the earlier copy is superseded at once.
    const count = a.layers[li]!.entryCount;
    for (let g = firstEntry; g < firstEntry + count; g++) {
      if (entryKind[g] !== EntryKind.write || merged.at(li, entryPath[g]!) === g) continue;
      const size = entries[g]!.size;
      if (size > 0) waste(1, li, li, entryPath[g]!, size);
    }
    firstEntry += a.layers[li]!.entryCount;
  }

  // What survives: package caches and build leftovers first, then identical content elsewhere.
  const top = L - 1;
  /**
   * The layer that wrote the content a path has at the end: a later step that only changed its
   * mode or owner (a `chown -R`), or wrote the same bytes again, stored a copy but did not make it.
   */
  const contentWriter = (p: number): number => {
    let g = merged.at(top, p);
    let layer = entryLayer[g]!;
    while (layer > 0) {
      const prev = merged.at(layer - 1, p);
      if (prev < 0 || entryKind[prev] !== EntryKind.write || t.compare(prev, g) === 'content') break;
      g = prev;
      layer = entryLayer[prev]!;
    }
    return layer;
  };
  const claimed = new Set<number>();
  if (L > 0) {
    const exists = (rel: string) => {
      const q = t.find(rel);
      return q !== undefined && t.entryIdAt(top, q) >= 0;
    };
    for (let p = 1; p < t.pathCount; p++) {
      const e = t.entryAt(top, p);
      if (!e || e.type !== 'file' || e.size === 0) continue;
      const rel = rels[p]!;
      const cache = MAY_BE_CACHE.test(rel) ? managerOf(rel, false) : undefined;
      if (cache) {
        const writer = contentWriter(p);
        const fromBase = writer < base;
        add(group(`cache:${cache.manager}:${fromBase ? 1 : 0}`, { kind: 'package-cache', survives: true, fromBase, cls: 0, owned: false, manager: cache }), p, e.size, writer, undefined);
        claimed.add(p);
        continue;
      }
      if (!MAY_BE_LEFTOVER.test(rel)) continue;
      let owner: FindingOwner | undefined | null = null; // null: not looked up yet
      const ownerOf = () => (owner === null ? (owner = owners?.ownerAt(top, p)) : owner);
      const why = leftoverOf(rel, exists, () => ownerOf() !== undefined);
      if (why) {
        const writer = contentWriter(p);
        const fromBase = writer < base;
        const o = ownerOf();
        // Apart: what a COPY from the build context brought in (where .dockerignore helps).
        const copied = FROM_CONTEXT.test(a.layers[writer]?.command ?? '');
        const g = group(`leftover:${why}:${o ? 1 : 0}:${fromBase ? 1 : 0}:${copied ? 1 : 0}`, { kind: 'build-leftovers', survives: true, fromBase, cls: o ? classOf(rel) : 0, owned: o !== undefined, leftover: why });
        add(g, p, e.size, writer, o);
        claimed.add(p);
      }
    }
    // Identical content at several surviving paths (the same rule as reclaimable): every copy but
    // the first counts, unless a cache or leftover finding already holds that path. One finding
    // per layer that wrote counted copies' content (not a later `chown`), naming the layers that
    // wrote the first copies too.
    const firstOf = new Map<string, number>();
    for (let p = 1; p < t.pathCount; p++) {
      const g = t.entryIdAt(top, p);
      if (g < 0) continue;
      const e = t.entry(g);
      const key = t.contentKey(g);
      if (e.type !== 'file' || e.size === 0 || key === undefined || key.startsWith('~')) continue;
      const first = firstOf.get(key);
      if (first === undefined) {
        firstOf.set(key, p);
        continue;
      }
      if (claimed.has(p)) continue;
      const w1 = contentWriter(first);
      const w2 = contentWriter(p);
      const o1 = owners?.ownerAt(top, first);
      const o2 = owners?.ownerAt(top, p);
      const acc =
        w1 < base && w2 < base
          ? baseGroup()
          : group(`dup:${w2}:${o1 && o2 ? 1 : 0}`, { kind: 'duplicate-content', survives: false, fromBase: false, cls: 0, owned: o1 !== undefined && o2 !== undefined });
      add(acc, p, e.size, w2, o2);
      acc.layers.add(w1);
      if (o1) noteOwner(acc, o1, e.size);
    }
  }

  const ORDER: readonly FindingKind[] = ['deleted-later', 'overwritten', 'metadata-only', 'duplicate-content', 'base-image', 'package-cache', 'build-leftovers'];
  return [...groups.values()]
    .filter((g) => g.bytes > 0)
    .map((g): Finding => {
      const abs = (p: number) => `/${rels[p]!}`;
      const sorted = [...g.paths].sort((x, y) => y[1] - x[1] || (abs(x[0]) < abs(y[0]) ? -1 : 1));
      const layers = [...g.layers].sort((x, y) => x - y);
      const owned = [...g.owners.values()].sort((x, y) => y.bytes - x.bytes || cmp(x.owner.manager, y.owner.manager) || cmp(x.owner.name, y.owner.name));
      return {
        kind: g.kind,
        bytes: g.bytes,
        survives: g.survives,
        layers: layers.map((i) => ({ index: i, command: a.layers[i]?.command ?? '' })),
        paths: sorted.slice(0, PATH_CAP).map(([p, bytes]) => ({ path: abs(p), bytes })),
        pathCount: sorted.length,
        advice: adviceOf(g, a),
        owners: owned.slice(0, OWNER_CAP).map((o) => o.owner),
        fromBase: g.fromBase,
        ...(g.manager ? { manager: g.manager.manager } : {}),
      };
    })
    .sort((x, y) => y.bytes - x.bytes || ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind) || (x.layers[0]?.index ?? 0) - (y.layers[0]?.index ?? 0));
}

const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

function noteOwner(g: Acc, o: FindingOwner, bytes: number): void {
  const key = `${o.manager}\0${o.name}`;
  const seen = g.owners.get(key);
  if (seen) seen.bytes += bytes;
  else g.owners.set(key, { owner: { manager: o.manager, name: o.name }, bytes });
}

/** The one sentence of a finding: what to change, from what the bytes are, who wrote them and who owns them. */
function adviceOf(g: Acc, a: Analysis): string {
  const managers = new Set([...g.owners.values()].map((o) => o.owner.manager));
  const fromContext = g.writers.size > 0 && [...g.writers].every((w) => FROM_CONTEXT.test(a.layers[w]?.command ?? ''));
  switch (g.kind) {
    case 'base-image':
      return 'this waste is inside the base image: choose a slimmer base, or squash it in a base you build yourself';
    case 'package-cache':
      return g.fromBase ? 'this cache comes with the base image, and deleting it in a later layer saves nothing: choose a base without it' : g.manager!.kept;
    case 'build-leftovers': {
      if (g.fromBase) return `${g.leftover} come with the base image, and deleting them in a later layer saves nothing: choose a slimmer base for the final stage`;
      if (g.owned && g.cls === 2) return `${g.leftover} of installed packages rarely belong in a runtime image: ${BUILD_STAGE}`;
      if (g.owned) return `${g.leftover} of installed packages rarely belong in a runtime image: install those packages only in a build stage, or remove them in the same RUN once they are used`;
      return `${g.leftover} rarely belong in a runtime image: build in another stage and COPY only what runs${fromContext ? ', or leave them out of the build context with .dockerignore' : ''}`;
    }
    case 'duplicate-content':
      if (g.owned) return 'the same bytes are installed at several paths by packages: replace the copies with hard links in the same RUN that installs them, or leave them';
      return 'the same bytes are stored at several paths: keep one and link to it, or remove the extra copies in the step that makes them';
    default:
      break;
  }
  const how = HOW[g.how!];
  if (g.manager) {
    if (g.fromBase && how === 'deleted-later') return `these ${g.manager.manager} files come from the base image: deleting them in a later layer saves nothing, as the base layer keeps them: choose a base without them, or drop the step`;
    if (g.fromBase && how === 'overwritten') return `a later ${g.manager.manager} step stores the base image's ${g.manager.manager} files again, and the base layer keeps its copies: only a base that already has what you install avoids that`;
    if (!g.fromBase) return g.manager.waste;
  }
  if (g.fromBase) {
    if (how === 'deleted-later') return 'these files come from the base image: deleting them in a later layer saves nothing, as the base layer keeps them: choose a slimmer base, or drop the step';
    if (how === 'overwritten') {
      return g.owned
        ? "a later step upgrades or reinstalls the base image's packages, and the base layer keeps the old files: use a newer base image, or drop the step"
        : "a later step replaces the base image's files, and the base layer keeps the old copies: choose a base that already has what you need, or drop the step";
    }
    return "changing the owner or mode of the base image's files stores them again, and the base layer keeps the old copies: choose a base that has them as you need them, or drop the step";
  }
  if (g.owned) {
    if (how === 'deleted-later') {
      if (g.cls === 1) return docsAdvice(managers);
      if (g.cls === 2) return `deleting headers, static libraries or compilers in a later step saves nothing: ${BUILD_STAGE}`;
      return 'deleting files of installed packages in a later step saves nothing: remove them (or purge the packages) in the same RUN that installs them, or install the packages only in a build stage';
    }
    if (how === 'overwritten') return g.cls === 2 ? `these files are installed again by a later step: ${BUILD_STAGE}` : 'a later step installs these packages again or upgrades them: install the final versions once, in one step';
  }
  if (how === 'deleted-later' && fromContext) return 'a COPY brings in files a later step deletes: leave them out of the COPY (narrower sources, or .dockerignore)';
  return WASTE_ADVICE[how];
}
