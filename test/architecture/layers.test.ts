import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';

/**
 * The layer order of `src/`, lowest first (CONTRIBUTING.md, "Layout"). A module may import from its
 * own folder and from folders of a lower rank; never from a folder of the same or a higher rank.
 * `index.ts` at the top of `src/` is the library's entry point.
 */
const RANKS: Readonly<Record<string, number>> = {
  errors: 0,
  core: 1,
  format: 2,
  reference: 2,
  provenance: 2,
  packages: 2,
  archive: 3,
  sources: 4,
  cache: 4,
  load: 5,
  report: 6,
  viewmodel: 6,
  extract: 6,
  ui: 7,
  'index.ts': 8,
  cli: 9,
};

type Violation = { readonly from: string; readonly to: string; readonly why: string };

/** The top-level unit of a path under src/: its first folder, or the file itself. */
function unitOf(rel: string): string {
  return rel.split('/')[0]!;
}

/** Every relative import of every module: static, re-exports and `import('…')` with a literal. */
function importGraph(srcDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name)) {
        const info = ts.preProcessFile(readFileSync(p, 'utf8'), true, true);
        const rel = path.relative(srcDir, p).split(path.sep).join('/');
        const targets = info.importedFiles
          .map((f) => f.fileName)
          .filter((f) => f.startsWith('.'))
          .map((f) => path.posix.normalize(path.posix.join(path.posix.dirname(rel), f)));
        graph.set(rel, targets);
      }
    }
  };
  walk(srcDir);
  return graph;
}

/** The imports that run against the layer order, or leave src/, or name a folder without a rank. */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>, ranks: Readonly<Record<string, number>> = RANKS): Violation[] {
  const out: Violation[] = [];
  for (const [from, targets] of graph) {
    const a = unitOf(from);
    if (ranks[a] === undefined) out.push({ from, to: '', why: `src/${a} has no place in the layer order` });
    for (const to of targets) {
      if (to.startsWith('..')) {
        out.push({ from, to, why: 'imports from outside src/' });
        continue;
      }
      const b = unitOf(to);
      if (a === b) continue;
      const ra = ranks[a];
      const rb = ranks[b];
      if (ra === undefined || rb === undefined) continue;
      if (rb >= ra) out.push({ from, to, why: `${a} (rank ${ra}) must not import ${b} (rank ${rb})` });
    }
  }
  return out;
}

/**
 * The folders of `src/` that are closed: every top-level folder with an `index.ts` (or
 * `index.tsx`) directly inside it. Nested folders (`sources/registry/`, `core/rules/`) are
 * part of their top-level folder and have no door of their own.
 */
function closedFolders(graph: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>();
  for (const file of graph.keys()) {
    const m = /^([^/]+)\/index\.tsx?$/.exec(file);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** The top-level folders of `src/` (every unit but `index.ts`, the library's entry file). */
function foldersOf(graph: ReadonlyMap<string, readonly string[]>): Set<string> {
  return new Set([...graph.keys()].filter((f) => f.includes('/')).map(unitOf));
}

/**
 * The folders that must have a front door: every top-level folder of `src/` that another unit
 * may import, by the layer order. Only the top (`cli/`) has none: nothing may import it at all.
 */
export function missingDoors(graph: ReadonlyMap<string, readonly string[]>, ranks: Readonly<Record<string, number>> = RANKS): string[] {
  const closed = closedFolders(graph);
  const top = Math.max(...Object.values(ranks));
  return [...foldersOf(graph)].filter((f) => !closed.has(f) && ranks[f] !== top).sort();
}

/**
 * The report page's script (`report/html/client/`) is a browser bundle of its own with its own
 * tsconfig: it takes the pure formatting files it needs (`format/bytes.ts`, `format/totals.ts`)
 * directly, so that nothing else of `format/` has to build for the browser.
 */
const OWN_BUNDLE = 'report/html/client/';

/**
 * Imports past a front door. A module may import anything in its own top-level folder; from
 * another top-level folder that is closed (see `closedFolders`) it may import only that
 * folder's `index.js` (the door), never a file behind it. `index.ts` at the top of `src/` is a
 * file, not a folder, and counts as outside every folder. Imports that leave `src/` are the
 * layer order's concern.
 */
export function frontDoorViolations(graph: ReadonlyMap<string, readonly string[]>, closed: ReadonlySet<string> = closedFolders(graph)): Violation[] {
  const out: Violation[] = [];
  for (const [from, targets] of graph) {
    const a = unitOf(from);
    if (from.startsWith(OWN_BUNDLE)) continue;
    for (const to of targets) {
      if (to.startsWith('..')) continue;
      const b = unitOf(to);
      if (a === b || !closed.has(b)) continue;
      if (to !== `${b}/index.js`) out.push({ from, to, why: `${b}/ has a front door: import ${b}/index.js, not ${to}` });
    }
  }
  return out;
}

describe('layer order', () => {
  const graph = importGraph(path.join(ROOT, 'src'));

  it('sees the whole source tree', () => {
    expect(graph.size).toBeGreaterThan(80);
    // dynamic imports count too: the table loads the registry source lazily
    expect(graph.get('sources/table.ts')).toContain('sources/registry/index.js');
  });

  it('no module imports from a folder above (or beside) its own', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it.each([
    // [what the case proves, from, to]
    ['a lower folder importing a higher one is caught', 'core/analyze.ts', 'sources/table.js'],
    ['two folders of the same rank importing each other is caught', 'cache/layer-cache.ts', 'sources/image-source.js'],
    ['reaching the error catalogue from above is fine, but not the reverse', 'errors/index.ts', 'core/model.js'],
    ['the inspector importing the CLI is caught', 'ui/App.tsx', 'cli/args.js'],
    ['a new folder without a rank is caught', 'plugins/x.ts', 'core/model.js'],
  ])('the check can fail: %s', (_why, from, to) => {
    const bad = new Map(graph);
    bad.set(from, [...(bad.get(from) ?? []), to]);
    expect(layerViolations(bad).length).toBeGreaterThan(0);
  });
});

describe('front doors', () => {
  const graph = importGraph(path.join(ROOT, 'src'));

  it('every folder another may import has a front door', () => {
    expect(missingDoors(graph)).toEqual([]);
    const closed = [...closedFolders(graph)].sort();
    expect(closed).toEqual(['archive', 'cache', 'core', 'errors', 'extract', 'format', 'load', 'packages', 'provenance', 'reference', 'report', 'sources', 'ui', 'viewmodel']);
    expect(closed).toEqual([...foldersOf(graph)].filter((f) => f !== 'cli').sort());
  });

  it('the check can fail: a new folder without a door is caught, and a folder that loses its door', () => {
    const bad = new Map(graph);
    bad.set('plugins/x.ts', ['core/index.js']);
    expect(missingDoors(bad, { ...RANKS, plugins: 5 })).toEqual(['plugins']);
    bad.delete('plugins/x.ts');
    bad.delete('format/index.ts');
    expect(missingDoors(bad)).toEqual(['format']);
  });

  it('no module imports a file behind another folder\'s index', () => {
    expect(frontDoorViolations(graph)).toEqual([]);
  });

  it.each([
    // [what the case proves, from, to]
    ['a source reaching past the archive door is caught', 'sources/registry/blob.ts', 'archive/read-layer.js'],
    ['the library entry point reaching into the core is caught', 'index.ts', 'core/rules/rules.js'],
    ['the CLI reaching into the lifecycle is caught', 'cli/run-ci.ts', 'load/load-image.js'],
  ])('the check can fail: %s', (_why, from, to) => {
    const bad = new Map(graph);
    bad.set(from, [...(bad.get(from) ?? []), to]);
    expect(frontDoorViolations(bad).map((v) => v.to)).toEqual([to]);
  });

  it.each([
    // [what the case proves, from, to]
    ['the inspector reaching into the view model is caught', 'ui/App.tsx', 'viewmodel/rows.js'],
    ['a source reaching past the reference door is caught', 'sources/registry/index.ts', 'reference/docker-reference.js'],
    ['the library entry point reaching into the reports is caught', 'index.ts', 'report/json-export.js'],
    ['a report reaching past the format door is caught', 'report/markdown.ts', 'format/bytes.js'],
  ])('the check can fail: %s', (_why, from, to) => {
    const bad = new Map(graph);
    bad.set(from, [...(bad.get(from) ?? []), to]);
    expect(frontDoorViolations(bad).map((v) => v.to)).toEqual([to]);
  });

  it("the report page's script, a bundle of its own, takes its formatting files directly, and only it", () => {
    expect(graph.get('report/html/client/main.ts')).toEqual(expect.arrayContaining(['format/bytes.js']));
    const bad = new Map(graph);
    bad.set('report/html/image-page.ts', [...(bad.get('report/html/image-page.ts') ?? []), 'format/bytes.js']);
    expect(frontDoorViolations(bad).map((v) => v.from)).toEqual(['report/html/image-page.ts']);
  });

  it('an import of the door itself, or within one folder, is fine', () => {
    const ok = new Map([
      ['cli/run-ci.ts', ['load/index.js', 'cli/args.js']],
      ['load/load-image.ts', ['load/verify.js', 'archive/index.js']],
      ['load/index.ts', []],
      ['archive/index.ts', ['archive/read-layer.js']],
    ]);
    expect(frontDoorViolations(ok)).toEqual([]);
  });
});
