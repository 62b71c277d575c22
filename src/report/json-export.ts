import { formatPlatform } from '../reference/index.js';
import { findingsToJson, type FindingJson } from './findings-report.js';
import { type Analysis as FullAnalysis, type AnalysisSummary as Analysis, EntryKind, type IgnoredFigures, type LayerEntry, type RuleResult } from '../core/index.js';
import { OFFENDERS_SHOWN } from './ci-result.js';
import type { ImageSources, SourceLocation } from '../provenance/index.js';
import { findingLine } from './locations.js';
import type { PackageSummary } from '../packages/index.js';
import { layerPackagesToJson, packagesToJson, packageWarningsToJson, type LayerPackagesJson, type PackageJson, type PackageWarningJson } from './packages-report.js';

/** The versioned JSON export (schemaVersion 1). Field names match the Analysis. */
export type ExportV1 = {
  schemaVersion: 1;
  image: { reference: string; source: string; platform: string | null; digest: string | null };
  summary: {
    efficiency: number;
    sizeBytes: number;
    userSizeBytes: number;
    wastedBytes: number;
    userWastedPercent: number | null;
    layerCount: number;
    fileCount: number;
    reclaimable: {
      overwrittenBytes: number;
      deletedLaterBytes: number;
      metadataOnlyBytes: number;
      duplicateContentBytes: number;
      totalBytes: number;
    };
  };
  inefficientFiles: { path: string; count: number; wastedBytes: number }[];
  /** Which steps wasted what and how to fix it, largest first; `source` is the Dockerfile line to change, when known. */
  findings: (FindingJson & { source: SourceLocation | null })[];
  /** The Dockerfile the layers are located in, how it was found, and the final stage's `FROM`; null when none is known. */
  dockerfile: { file: string; via: 'provenance' | 'dockerfile'; from: SourceLocation | null } | null;
  layers: {
    index: number;
    digest: string | null;
    diffId: string | null;
    command: string;
    sizeBytes: number;
    compressedSizeBytes: number | null;
    mediaType: string | null;
    changes: { added: number; modified: number; removed: number; unmodified: number };
    /** The Dockerfile lines of the instruction that made the layer; null for a base layer, or when unknown. */
    source: SourceLocation | null;
    /** The packages the layer added, removed and changed (absent when the package databases were not read). */
    packages?: LayerPackagesJson;
  }[];
  /** The final filesystem's packages, from its package databases (absent with `--no-packages`). */
  packages?: PackageJson[];
  /** Package databases that could not be read (their manager's packages are left out), one per manager at most. */
  packageWarnings?: PackageWarningJson[];
  /** With an ignore list (`paths.ignore`): what it left out of every figure above. */
  ignored?: { paths: number; bytes: number };
  rules?: {
    name: string;
    status: 'pass' | 'fail' | 'skip';
    threshold: number | null;
    actual: number | null;
    /** Path rules: the first offending paths, and how many there are in all. */
    offenders?: { path: string; layer: number; sizeBytes: number }[];
    offenderCount?: number;
  }[];
};

/** A location as the export writes it: a fresh object with exactly the schema's keys. */
const locationJson = (l: SourceLocation | null | undefined): SourceLocation | null => (l ? { file: l.file, line: l.line, endLine: l.endLine } : null);

/**
 * The export of one image. `a` holds the figures the rules were evaluated on (with an ignore
 * list, those without the ignored paths, and `ignored` says what was left out); `sources`, the
 * Dockerfile lines of its layers when they are known; `packages`, what the image's package
 * databases say (the export then lists them, and each layer its changes).
 */
export function toExportV1(a: Analysis, rules?: readonly RuleResult[], opts: { ignored?: IgnoredFigures; sources?: ImageSources | null; packages?: PackageSummary } = {}): ExportV1 {
  const sources = opts.sources ?? null;
  const pk = opts.packages;
  const out: ExportV1 = {
    schemaVersion: 1,
    image: {
      reference: a.identity.reference,
      source: a.identity.source,
      platform: a.identity.platform ? formatPlatform(a.identity.platform) : null,
      digest: a.identity.digest ?? null,
    },
    summary: {
      efficiency: a.efficiency,
      sizeBytes: a.sizeBytes,
      userSizeBytes: a.userSizeBytes,
      wastedBytes: a.wastedBytes,
      userWastedPercent: a.userWastedPercent,
      layerCount: a.layers.length,
      fileCount: a.fileCount,
      reclaimable: { ...a.reclaimable },
    },
    inefficientFiles: a.inefficientFiles.map((f) => ({ path: f.path, count: f.count, wastedBytes: f.wastedBytes })),
    findings: findingsToJson(a.findings).map((f, i) => ({ ...f, source: locationJson(findingLine(sources, a.findings[i]!)) })),
    dockerfile: sources ? { file: sources.file, via: sources.via, from: locationJson(sources.from) } : null,
    layers: a.layers.map((l, i) => ({
      index: l.index,
      digest: l.digest ?? null,
      diffId: l.diffId ?? null,
      command: l.command,
      sizeBytes: l.sizeBytes,
      compressedSizeBytes: l.compressedSizeBytes ?? null,
      mediaType: l.mediaType ?? null,
      changes: { ...l.changes },
      source: locationJson(sources?.layers[l.index]?.source),
      ...(pk?.layers[i] ? { packages: layerPackagesToJson(pk.layers[i]!) } : {}),
    })),
    ...(pk ? { packages: packagesToJson(pk), packageWarnings: packageWarningsToJson(pk) } : {}),
  };
  if (opts.ignored) out.ignored = { paths: opts.ignored.paths, bytes: opts.ignored.bytes };
  if (rules) {
    out.rules = rules.map((r) => ({
      name: r.name,
      status: r.status,
      threshold: r.threshold,
      actual: r.actual,
      ...(r.offenders && r.name !== 'paths.maxLayerCount' ? { offenders: r.offenders.slice(0, OFFENDERS_SHOWN).map((o) => ({ path: o.path, layer: o.layer, sizeBytes: o.sizeBytes })), offenderCount: r.offenders.length } : {}),
    }));
  }
  return out;
}

/** One entry of a layer's `fileList`: dive's `filetree.FileInfo` as it marshals it (the hash is not exported). */
export type DiveFileInfo = {
  path: string;
  typeFlag: number;
  linkName: string;
  size: number;
  fileMode: number;
  uid: number;
  gid: number;
  isDir: boolean;
};

/** dive's `--json` export (v0.13's `runtime/export`), key for key, for tools that already read it. */
export type DiveExport = {
  layer: { index: number; id: string; digestId: string; sizeBytes: number; command: string; fileList: DiveFileInfo[] }[];
  image: {
    sizeBytes: number;
    inefficientBytes: number;
    efficiencyScore: number;
    fileReference: { count: number; sizeBytes: number; file: string }[];
  };
};

// Go's archive/tar type flags, as bytes.
const TYPE_FLAG: Readonly<Record<LayerEntry['type'], number>> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  'char-device': 0x33,
  'block-device': 0x34,
  dir: 0x35,
  fifo: 0x36,
};

// Go's fs.FileMode bits, as tar's Header.FileInfo().Mode() sets them.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

/** Go's `tar.Header.FileInfo().Mode()` for an entry: permission bits, setuid/setgid/sticky, and the type bits. */
export function goFileMode(e: LayerEntry): number {
  let m = e.mode & 0o777;
  if (e.mode & 0o4000) m += MODE_SETUID;
  if (e.mode & 0o2000) m += MODE_SETGID;
  if (e.mode & 0o1000) m += MODE_STICKY;
  switch (e.type) {
    case 'dir':
      return m + MODE_DIR;
    case 'symlink':
      return m + MODE_SYMLINK;
    case 'char-device':
      return m + MODE_DEVICE + MODE_CHAR_DEVICE;
    case 'block-device':
      return m + MODE_DEVICE;
    case 'fifo':
      return m + MODE_NAMED_PIPE;
    default:
      return m;
  }
}

/** Go's string order (bytes of UTF-8, which is code point order), not JavaScript's UTF-16 order. */
function goLess(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

type Node = { info: DiveFileInfo; children: Map<string, Node> };

const EMPTY_INFO = (): DiveFileInfo => ({ path: '', typeFlag: 0, linkName: '', size: 0, fileMode: 0, uid: 0, gid: 0, isDir: false });

/**
 * A layer's `fileList` as dive builds it: every tar entry added to the layer's own tree in tar
 * order (a later entry for the same path replaces the data, an intermediate directory the tar
 * does not list gets empty data, a `.wh..wh.*` name stops the path), then visited depth-first,
 * children (sorted by name) before their parent, the root left out.
 */
function diveFileList(entries: readonly LayerEntry[]): DiveFileInfo[] {
  const root: Node = { info: EMPTY_INFO(), children: new Map() };
  for (const e of entries) {
    let node = root;
    const names = e.path.split('/');
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (name === '') continue;
      let child = node.children.get(name);
      if (!child) {
        if (name.startsWith('.wh..wh.')) break;
        child = { info: EMPTY_INFO(), children: new Map() };
        node.children.set(name, child);
      }
      node = child;
      if (i === names.length - 1) {
        node.info = {
          path: e.path,
          typeFlag: TYPE_FLAG[e.type],
          linkName: e.linkTarget ?? '',
          size: e.size,
          fileMode: goFileMode(e),
          uid: e.uid,
          gid: e.gid,
          isDir: e.type === 'dir',
        };
      }
    }
  }
  const out: DiveFileInfo[] = [];
  // Post-order without recursion: (node, next child index) frames.
  const stack: { node: Node; keys: string[]; i: number }[] = [{ node: root, keys: [...root.children.keys()].sort(goLess), i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.keys.length) {
      const child = top.node.children.get(top.keys[top.i++]!)!;
      stack.push({ node: child, keys: [...child.children.keys()].sort(goLess), i: 0 });
    } else {
      stack.pop();
      if (top.node !== root) out.push(top.node.info);
    }
  }
  return out;
}

/**
 * dive's export. `fileReference` is dive's inefficient-files list: largest first and, among
 * equal sizes, in the reverse of the order in which the paths became inefficient (dive sorts
 * them ascending in that order with Go's sort, which is stable for up to 12 files, and reverses
 * the result). Commands lose dive's `/bin/sh -c ` prefix; a layer without history is
 * `(missing)`, as in dive.
 *
 * @param layerIds dive's layer IDs: the first component of each layer's member name in a
 *   `docker save` archive (`<id>/layer.tar`). Without them, the layer digest's hex stands in.
 */
export function toDiveExport(a: FullAnalysis, opts: { layerIds?: readonly (string | undefined)[] } = {}): DiveExport {
  const index = a.tree.index;
  const layers = index.input.layers;
  return {
    layer: a.layers.map((l, i) => ({
      index: l.index,
      id: opts.layerIds?.[i] ?? (l.digest ?? l.diffId ?? '').replace(/^[a-z0-9]+:/, ''),
      digestId: l.diffId ?? '',
      sizeBytes: l.sizeBytes,
      command: l.createdBy === undefined ? '(missing)' : l.createdBy.startsWith('/bin/sh -c ') ? l.createdBy.slice('/bin/sh -c '.length) : l.createdBy,
      fileList: diveFileList(layers[i]?.entries ?? []),
    })),
    image: {
      sizeBytes: a.sizeBytes,
      inefficientBytes: a.wastedBytes,
      efficiencyScore: a.efficiency,
      fileReference: diveOrder(a).map((f) => ({ count: f.count, sizeBytes: f.wastedBytes, file: f.path })),
    },
  };
}

/**
 * The inefficient files in dive's order (see `toDiveExport`). A path becomes inefficient at its
 * second contribution: the layer of that, then the path's place in the layer's depth-first,
 * children-first walk (a whiteout's node is named `.wh.NAME` there).
 */
function diveOrder(a: FullAnalysis): FullAnalysis['inefficientFiles'] {
  const t = a.tree;
  const { entryPath, entryKind, entryLayer } = t.index;
  const wanted = new Map<number, { layers: number[]; whiteout: boolean[] }>();
  for (const f of a.inefficientFiles) {
    const p = t.find(f.path.slice(1));
    if (p !== undefined) wanted.set(p, { layers: [], whiteout: [] });
  }
  for (let g = 0; g < entryPath.length; g++) {
    const k = entryKind[g];
    if (k !== EntryKind.write && k !== EntryKind.whiteout) continue;
    const w = wanted.get(entryPath[g]!);
    if (!w) continue;
    const li = entryLayer[g]!;
    if (w.layers.at(-1) === li) continue;
    w.layers.push(li);
    w.whiteout.push(k === EntryKind.whiteout);
  }
  const key = (path: string) => {
    const p = t.find(path.slice(1));
    const w = p === undefined ? undefined : wanted.get(p);
    const second = w && w.layers.length >= 2 ? 1 : 0;
    const names = path.slice(1).split('/');
    if (w?.whiteout[second]) names[names.length - 1] = `.wh.${names[names.length - 1]}`;
    return { layer: w?.layers[second] ?? Infinity, names };
  };
  const keys = new Map(a.inefficientFiles.map((f) => [f.path, key(f.path)]));
  // children before parents, siblings by name
  const postOrder = (x: string[], y: string[]) => {
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return goLess(x[i]!, y[i]!);
    return y.length - x.length;
  };
  return [...a.inefficientFiles].sort((f, g) => {
    if (f.wastedBytes !== g.wastedBytes) return g.wastedBytes - f.wastedBytes;
    const x = keys.get(f.path)!;
    const y = keys.get(g.path)!;
    // later-inefficient first (the reverse of dive's ascending order)
    return y.layer - x.layer || postOrder(y.names, x.names);
  });
}
