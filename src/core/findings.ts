import type { Analysis } from './analyze.js';
import { EntryKind } from './index-image.js';

/**
 * Findings: the waste of an image explained as things a person can change in their Dockerfile.
 * Pure: everything comes from the analysis. Each byte is counted in one finding at most; the
 * waste kinds (`deleted-later`, `overwritten`, `metadata-only`, `duplicate-content`, and
 * `base-image` for waste inside the base) are bytes that squashing or deduplicating would give
 * back, and add up to no more than `reclaimable.totalBytes`; the kinds about bytes that survive
 * in the final image (`package-cache`, `build-leftovers`) say so (`survives`) and count apart.
 */
export type FindingKind = 'deleted-later' | 'overwritten' | 'metadata-only' | 'duplicate-content' | 'package-cache' | 'build-leftovers' | 'base-image';

export type FindingLayer = { readonly index: number; readonly command: string };

export type Finding = {
  readonly kind: FindingKind;
  /** Bytes the advice would save: wasted copies, or the surviving bytes of caches and leftovers. */
  readonly bytes: number;
  /** True for bytes that are in the final filesystem (caches, leftovers); false for wasted copies. */
  readonly survives: boolean;
  /** The layers involved: the one that wrote the bytes first, then the one that deleted, overwrote or rewrote them. */
  readonly layers: readonly FindingLayer[];
  /** Absolute paths, largest first, at most `PATH_CAP`. */
  readonly paths: readonly { readonly path: string; readonly bytes: number }[];
  /** How many paths the finding covers (`paths` may show fewer). */
  readonly pathCount: number;
  /** One sentence: what to change. */
  readonly advice: string;
  /** For package caches: which package manager. */
  readonly manager?: string;
};

export type FindingsOptions = {
  /**
   * How many layers at the bottom belong to the base image (waste entirely inside them is
   * reported as `base-image`). @default guessed from the history's timestamps (see `guessBaseLayers`)
   */
  readonly baseLayers?: number;
};

/** Paths listed per finding. */
export const PATH_CAP = 10;

/** Package managers' caches and lists, by the directory they keep them in, with the manager's own fix. */
const CACHES: readonly { readonly manager: string; readonly dirs: readonly RegExp[]; readonly advice: string }[] = [
  { manager: 'apt', dirs: [/^var\/lib\/apt\/lists\//, /^var\/cache\/apt\//], advice: 'end the same RUN with `rm -rf /var/lib/apt/lists/*` (and `apt-get clean`), or use a cache mount (`RUN --mount=type=cache,target=/var/cache/apt`)' },
  { manager: 'apk', dirs: [/^var\/cache\/apk\//, /^etc\/apk\/cache\//], advice: 'use `apk add --no-cache`' },
  { manager: 'dnf/yum', dirs: [/^var\/cache\/(?:dnf|yum)\//], advice: 'end the same RUN with `dnf clean all` (or `yum clean all`), or use a cache mount' },
  { manager: 'zypper', dirs: [/^var\/cache\/zypp\//], advice: 'end the same RUN with `zypper clean --all`' },
  { manager: 'pip', dirs: [/^(?:root|home\/[^/]+)\/\.cache\/pip\//], advice: 'use `pip install --no-cache-dir`, or a cache mount on /root/.cache/pip' },
  { manager: 'npm', dirs: [/^(?:root|home\/[^/]+)\/\.npm\//], advice: 'end the same RUN with `npm cache clean --force`, or use a cache mount on /root/.npm' },
  { manager: 'yarn', dirs: [/^(?:root|home\/[^/]+)\/\.cache\/yarn\//, /^usr\/local\/share\/\.cache\/yarn\//], advice: 'end the same RUN with `yarn cache clean`, or use a cache mount' },
  { manager: 'pnpm', dirs: [/^(?:root|home\/[^/]+)\/\.local\/share\/pnpm\/store\//, /^(?:root|home\/[^/]+)\/\.pnpm-store\//], advice: 'use a cache mount for the pnpm store, or `pnpm store prune` in the same RUN' },
  { manager: 'cargo', dirs: [/^(?:root|home\/[^/]+)\/\.cargo\/registry\//, /^usr\/local\/cargo\/registry\//], advice: 'build in a separate stage, or use a cache mount on the cargo registry' },
  { manager: 'go', dirs: [/^(?:root|home\/[^/]+)\/\.cache\/go-build\//, /^(?:root|home\/[^/]+)\/go\/pkg\/mod\//, /^go\/pkg\/mod\//], advice: 'build in a separate stage, or use cache mounts on the go build and module caches' },
];

const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar\.zst|zip)$/;

const WASTE_ADVICE = {
  'deleted-later': 'delete these files in the same RUN that creates them, or build them in another stage and COPY only the result (multi-stage build)',
  overwritten: 'write the final version once: fold the later change into the step that first writes these files, or copy them in a later stage',
  'metadata-only': 'set the owner and mode when copying (`COPY --chown=… --chmod=…`) instead of a later `chown -R`/`chmod -R`, which copies every file again',
  'rewritten-same': 'these files are written again with the same bytes and attributes: keep the later step from touching them',
} as const;

// One test first over every surviving path, so the per-manager and per-kind rules run only on
// the few paths that can match (at 200k paths, ~15 regular expressions a path cost ~0.7 s).
const MAY_BE_CACHE = /^(?:var\/(?:lib\/apt|cache)\/|etc\/apk\/|root\/|home\/|usr\/local\/|go\/)/;
const MAY_BE_LEFTOVER = /(?:\.git\/|\.[oa]$|\.(?:tar|tgz|tbz2|txz|zip|gz|bz2|xz|zst)$)/;

/** Why a surviving file looks like something a runtime image rarely needs, or undefined. */
function leftoverOf(path: string, exists: (p: string) => boolean): string | undefined {
  if (/(?:^|\/)\.git\//.test(path)) return 'a .git directory';
  if (/\.o$/.test(path)) return 'compiler object files';
  const a = /^(.*)\.a$/.exec(path);
  if (a && (exists(`${a[1]}.so`) || [...'0123456789'].some((d) => exists(`${a[1]}.so.${d}`)))) return 'static archives beside their shared libraries';
  const arc = ARCHIVE.exec(path);
  if (arc) {
    const stem = path.slice(0, path.length - arc[0].length);
    if (exists(stem)) return 'a downloaded archive kept beside its extracted tree';
  }
  return undefined;
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
type Acc = { kind: FindingKind; bytes: number; layers: number[]; paths: Map<number, number>; manager?: string; advice: string; survives: boolean };

/**
 * The findings of an analysis, largest first (ties by kind, then by the first layer). Waste is
 * grouped by the pair of layers involved (writer → the layer that deleted or replaced it);
 * caches by manager and leftovers by what they are.
 */
export function findFindings(a: Analysis, opts: FindingsOptions = {}): Finding[] {
  const t = a.tree;
  const { index } = t;
  const L = a.layers.length;
  const base = Math.max(0, Math.min(L, opts.baseLayers ?? guessBaseLayers(a)));
  // Hot path, measured on the 200k-path synthetic image: ~1 s with a string key and a path string
  // per wasted copy, 234 ms with numeric keys and path ids (strings only for the paths shown).
  // Keys: strings for the few survivor groups, numbers for the (many) waste groups.
  const groups = new Map<string | number, Acc>();
  const add = (key: string | number, make: () => Omit<Acc, 'bytes' | 'paths'>, pathId: number, bytes: number) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ...make(), bytes: 0, paths: new Map() }));
    g.bytes += bytes;
    g.paths.set(pathId, (g.paths.get(pathId) ?? 0) + bytes);
  };
  const HOW = ['deleted-later', 'overwritten', 'metadata-only', 'rewritten-same'] as const;
  const waste = (how: 0 | 1 | 2 | 3, writer: number, by: number, pathId: number, bytes: number) => {
    if (bytes <= 0) return;
    if (writer < base && by < base) {
      add('base', () => ({ kind: 'base-image', layers: [writer, by], advice: 'this waste is inside the base image: choose a slimmer base, or squash it in a base you build yourself', survives: false }), pathId, bytes);
      return;
    }
    // Identical bytes written again without a mode or owner change are metadata-only waste too,
    // with their own advice.
    const name = HOW[how];
    add((how * L + writer) * L + by, () => ({ kind: name === 'rewritten-same' ? 'metadata-only' : name, layers: [writer, by], advice: WASTE_ADVICE[name], survives: false }), pathId, bytes);
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
  const claimed = new Set<number>();
  if (L > 0) {
    const exists = (rel: string) => {
      const q = t.find(rel);
      return q !== undefined && t.entryIdAt(top, q) >= 0;
    };
    for (let p = 1; p < t.pathCount; p++) {
      const e = t.entryAt(top, p);
      if (!e || e.type !== 'file' || e.size === 0) continue;
      const rel = t.pathOf(p);
      const writer = t.originOf(t.entryIdAt(top, p)).layer;
      const cache = MAY_BE_CACHE.test(rel) ? CACHES.find((c) => c.dirs.some((d) => d.test(rel))) : undefined;
      if (cache) {
        add(`cache:${cache.manager}`, () => ({ kind: 'package-cache', layers: [writer], manager: cache.manager, advice: cache.advice, survives: true }), p, e.size);
        noteLayer(groups.get(`cache:${cache.manager}`)!, writer);
        claimed.add(p);
        continue;
      }
      const why = MAY_BE_LEFTOVER.test(rel) ? leftoverOf(rel, exists) : undefined;
      if (why) {
        const advice = `${why} rarely belong in a runtime image: build in another stage and COPY only what runs, or add them to .dockerignore`;
        add(`leftover:${why}`, () => ({ kind: 'build-leftovers', layers: [writer], advice, survives: true }), p, e.size);
        noteLayer(groups.get(`leftover:${why}`)!, writer);
        claimed.add(p);
      }
    }
    // Identical content at several surviving paths (the same rule as reclaimable): every copy but
    // the first counts, unless a cache or leftover finding already holds that path.
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
      const writer = t.originOf(g).layer;
      add(
        'duplicate',
        () => ({ kind: 'duplicate-content', layers: [writer], advice: 'the same bytes are stored at several paths: keep one and link to it, or remove the extra copies in the step that makes them', survives: false }),
        p,
        e.size,
      );
      noteLayer(groups.get('duplicate')!, writer);
    }
  }

  const ORDER: readonly FindingKind[] = ['deleted-later', 'overwritten', 'metadata-only', 'duplicate-content', 'base-image', 'package-cache', 'build-leftovers'];
  return [...groups.values()]
    .filter((g) => g.bytes > 0)
    .map((g): Finding => {
      const abs = (p: number) => `/${t.pathOf(p)}`;
      const sorted = [...g.paths].sort((x, y) => y[1] - x[1] || (abs(x[0]) < abs(y[0]) ? -1 : 1));
      const layers = [...new Set(g.layers)].sort((x, y) => x - y);
      return {
        kind: g.kind,
        bytes: g.bytes,
        survives: g.survives,
        layers: layers.map((i) => ({ index: i, command: a.layers[i]?.command ?? '' })),
        paths: sorted.slice(0, PATH_CAP).map(([p, bytes]) => ({ path: abs(p), bytes })),
        pathCount: sorted.length,
        advice: g.advice,
        ...(g.manager ? { manager: g.manager } : {}),
      };
    })
    .sort((x, y) => y.bytes - x.bytes || ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind) || (x.layers[0]?.index ?? 0) - (y.layers[0]?.index ?? 0));
}

function noteLayer(g: Acc, layer: number): void {
  if (!g.layers.includes(layer)) g.layers.push(layer);
}
