import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/core/analyze.js';
import { compareImages } from '../../../src/core/compare-images.js';
import { CHANGE_CODE, NODE_KIND, type ImageView } from '../../../src/report/html/page-data.js';
import { comparisonPage, imageView, packageProvenance } from '../../../src/report/html/index.js';
import type { ImagePackages } from '../../../src/packages/index.js';
import { clip, foldTree, type TreeSource } from '../../../src/report/html/size-tree.js';
import { buildAnalysis, dir, file, sampleAnalysis } from '../../helpers/build-analysis.js';

/** A source tree from `{ path: bytes }` (directories implied by the paths). */
function treeOf(files: Record<string, number>): TreeSource & { names: string[] } {
  const names = [''];
  const children: number[][] = [[]];
  const bytes = [0];
  const dirs = new Set([0]);
  const ids = new Map<string, number>([['', 0]]);
  for (const [p, b] of Object.entries(files)) {
    const parts = p.split('/');
    let parent = 0;
    parts.forEach((_, k) => {
      const key = parts.slice(0, k + 1).join('/');
      let id = ids.get(key);
      if (id === undefined) {
        id = names.length;
        ids.set(key, id);
        names.push(parts[k]!);
        children.push([]);
        bytes.push(k === parts.length - 1 ? b : 0);
        children[parent]!.push(id);
      }
      if (k < parts.length - 1) dirs.add(id);
      parent = id;
    });
  }
  return { names, size: names.length, children: (i) => children[i]!, leafBytes: (i) => (dirs.has(i) ? 0 : bytes[i]!), isDir: (i) => dirs.has(i) };
}

const leavesOf = (v: { tree: { kind: readonly number[]; bytes: readonly number[] } }) => v.tree.kind.map((k, i) => (k === NODE_KIND.dir ? 0 : v.tree.bytes[i]!));
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('folding a tree for the treemap', () => {
  it('keeps every file with bytes of a tree within the budget, and leaves out empty ones', () => {
    const t = treeOf({ 'a/x': 5, 'a/y': 7, 'b/z': 0, c: 3 });
    const f = foldTree(t, 100);
    expect(f.threshold).toBe(0);
    expect(f.nodes.filter((n) => n.kind === 'aggregate')).toEqual([]);
    const kept = f.nodes.filter((n) => n.kind === 'path' && n.id !== 0).map((n) => (n.kind === 'path' ? t.names[n.id] : ''));
    expect(kept.sort()).toEqual(['a', 'c', 'x', 'y']); // b/z has no bytes: no area, no node
    expect(f.bytesUnder[0]).toBe(15);
  });

  it('folds the small files of each directory into one counted node, within the budget, bytes conserved', () => {
    const files: Record<string, number> = {};
    for (let d = 0; d < 30; d++) for (let i = 0; i < 100; i++) files[`d${d}/f${i}`] = 1 + ((d * 100 + i) % 97);
    files['d0/huge'] = 100_000;
    const t = treeOf(files);
    const total = sum(Object.values(files));
    for (const budget of [10, 50, 200, 1000]) {
      const f = foldTree(t, budget);
      expect(f.nodes.length - 1).toBeLessThanOrEqual(budget);
      expect(f.threshold).toBeGreaterThan(0);
      // every byte is in exactly one leaf (a file or an aggregate)
      const leafBytes = f.nodes.map((n) => (n.kind === 'aggregate' ? n.bytes : n.dir ? 0 : t.leafBytes(n.id)));
      expect(sum(leafBytes)).toBe(total);
      const members = f.nodes.flatMap((n) => (n.kind === 'aggregate' ? n.members : []));
      const singles = f.nodes.filter((n) => n.kind === 'path' && !n.dir).length;
      expect(members.length + singles).toBe(3001);
      expect(new Set(members).size).toBe(members.length);
      // parents first
      f.nodes.forEach((n, i) => expect(n.parent).toBeLessThan(Math.max(i, 1)));
    }
    // the largest file always keeps its own node
    const f = foldTree(t, 10);
    expect(f.nodes.some((n) => n.kind === 'path' && t.names[n.id] === 'huge')).toBe(true);
  });

  it('handles a path thousands of levels deep without recursion', () => {
    const deep = Array.from({ length: 3000 }, (_, i) => `d${i}`).join('/');
    const f = foldTree(treeOf({ [`${deep}/f`]: 9 }), 10);
    expect(f.bytesUnder[0]).toBe(9);
  });
});

describe('clip', () => {
  it.each([
    // [what, input, max, expected]
    ['short text stays', 'usr/bin', 20, 'usr/bin'],
    ['control characters become visible escapes', 'a\nb\x1b[2Jc', 40, 'a\\nb\\x1b[2Jc'],
    ['bidi overrides and U+2028 are escaped', 'x\u202ey\u2028z', 40, 'x\\u202ey\\u2028z'],
    ['long text is cut with an ellipsis', 'abcdefghij', 5, 'abcd…'],
    ['a surrogate pair is never split', 'ab😀cd', 4, 'ab…'],
  ])('%s', (_what, input, max, expected) => {
    expect(clip(input, max)).toBe(expected);
  });
});

describe('the page data of an image', () => {
  const a = sampleAnalysis();
  const v = imageView(a, summarize(a));
  const pathOf = (view: ImageView, i: number) => {
    const parts: string[] = [];
    for (let x = i; x > 0; x = view.tree.parent[x]!) parts.unshift(view.tree.name[x]!);
    return `/${parts.join('/')}`;
  };
  const nodeAt = (view: ImageView, p: string) => view.tree.name.findIndex((_, i) => pathOf(view, i) === p);

  it('draws the final filesystem: its files and bytes, nothing that was removed', () => {
    const files = v.tree.kind.flatMap((k, i) => (k === NODE_KIND.file ? [pathOf(v, i)] : []));
    expect(files.sort()).toEqual(['/etc/passwd', '/usr/bin/only']);
    expect(v.treeBytes).toBe(130);
    expect(sum(leavesOf(v))).toBe(130);
  });

  it('says which layer wrote each file and what every layer did to it, as the file history does', () => {
    const t = a.tree;
    for (const p of ['/etc/passwd', '/usr/bin/only']) {
      const i = nodeAt(v, p);
      const history = t.fileHistory(t.find(p.slice(1))!);
      const expected = history.map((e) => [e.layer, e.kind === 'added' ? CHANGE_CODE.added : e.kind === 'removed' ? CHANGE_CODE.removed : e.kind === 'unmodified' ? CHANGE_CODE.unmodified : CHANGE_CODE.modified, 1]);
      const got = v.tree.events[i] === 0 ? [[v.tree.layer[i], CHANGE_CODE.added, 1]] : chunk(v.tree.events[i] as number[]);
      expect(got).toEqual(expected);
      expect(v.tree.layer[i]).toBe(history.at(-1)!.layer);
    }
    // /etc/passwd: added by L0, content changed by L1, mode changed by L2
    expect(v.tree.events[nodeAt(v, '/etc/passwd')]).toEqual([0, 1, 1, 1, 2, 1, 2, 2, 1]);
    // /usr/bin/only: added once by L3, the common case, written as 0
    expect(v.tree.events[nodeAt(v, '/usr/bin/only')]).toBe(0);
  });

  it('counts the bytes of the earlier copies each final file replaced', () => {
    expect(v.tree.waste[nodeAt(v, '/etc/passwd')]).toBe(100 + 120);
    expect(v.tree.waste[nodeAt(v, '/usr/bin/only')]).toBe(0);
  });

  it('lists per layer what is not in the final filesystem: removed by it, or written by it and removed later', () => {
    expect(v.layers[1]!.removed).toEqual({ count: 1, bytes: 50, top: [{ path: '/etc/hosts', bytes: 50 }] });
    expect(v.layers[2]!.removed.top.map((x) => x.path)).toEqual(['/var/cache/a', '/var/cache/b']);
    expect(v.layers[3]!.removed).toMatchObject({ count: 3, bytes: 3000 });
    expect(v.layers[0]!.goneLater).toMatchObject({ count: 5, bytes: 1850 });
    expect(v.layers[1]!.goneLater.top).toEqual([{ path: '/usr/bin/curl', bytes: 2000 }]);
    expect(v.layers[3]!.goneLater.count).toBe(0);
  });

  it('leaves out what is not known, and carries it when given: owners, packages, Dockerfile lines', () => {
    expect(v.tree.owner).toBeUndefined();
    expect(v.owners).toBeUndefined();
    expect(v.packages).toBeUndefined();
    expect(v.layers.every((l) => l.source === null)).toBe(true);
    expect(v.rules).toBeUndefined();
    const w = imageView(a, summarize(a), {
      provenance: {
        ownerOf: (p) => (p === '/etc/passwd' ? 'dpkg base-files 12.4' : undefined),
        packages: [
          { manager: 'dpkg', name: 'small', version: '1', layer: 0, files: 1, sizeBytes: 10 },
          { manager: 'dpkg', name: 'base-files', version: '12.4', layer: 0, files: 30, sizeBytes: 120 },
        ],
        layerSources: [{ file: 'Dockerfile', line: 1, endLine: 1 }, null, { file: 'Dockerfile', line: 4, endLine: 6 }, null],
      },
    });
    expect(w.owners).toEqual(['dpkg base-files 12.4']);
    expect(w.tree.owner![nodeAt(w, '/etc/passwd')]).toBe(0);
    expect(w.tree.owner![nodeAt(w, '/usr/bin/only')]).toBe(-1);
    expect(w.packages!.map((p) => p.name)).toEqual(['base-files', 'small']);
    expect(w.layers.map((l) => l.source?.line ?? null)).toEqual([1, null, 4, null]);
  });

  it('takes the owners and packages from the package databases by path, and no owners when they could be wrong', () => {
    const t = a.tree;
    const passwd = t.find('etc/passwd')!;
    const base = { manager: 'dpkg' as const, name: 'base-files', version: '12.4', path: null, layer: 0, files: 1, sizeBytes: 120 };
    // What the lifecycle hands beside the analysis (src/packages' ImagePackages), here for this small analysis.
    const read = (warnings: ImagePackages['warnings'], packages: ImagePackages['packages'] = [base]): ImagePackages => ({
      packages,
      layers: a.layers.map(() => ({ added: [], removed: [], changed: [] })),
      warnings,
      ownerAt: (_layer, id) => (id === passwd ? base : undefined),
      finalOwner: (id) => (id === passwd ? base : undefined),
      packagesAt: () => packages,
    });
    const w = imageView(a, summarize(a), { provenance: packageProvenance(t, read([])) });
    expect(w.owners).toEqual(['dpkg base-files 12.4']);
    expect(w.tree.owner![nodeAt(w, '/etc/passwd')]).toBe(0);
    expect(w.tree.owner![nodeAt(w, '/usr/bin/only')]).toBe(-1);
    expect(w.packages!.map((p) => p.name)).toEqual(['base-files']);
    expect(w.packageNotes).toBeUndefined();
    // a database not read: its packages are missing, so no file is said to have no owner; the page names it
    const warned = imageView(a, summarize(a), { provenance: packageProvenance(t, read([{ manager: 'rpm', layer: 2, path: 'var/lib/rpm/Packages', reason: 'is a BerkeleyDB database \x1b[2J' }])) });
    expect(warned.tree.owner).toBeUndefined();
    expect(warned.packageNotes).toEqual(['rpm: var/lib/rpm/Packages (L2) is a BerkeleyDB database \\x1b[2J']);
    // no package at all: the list is known to be empty, and no owner is claimed
    const none = imageView(a, summarize(a), { provenance: packageProvenance(t, read([], [])) });
    expect([none.packages, none.tree.owner]).toEqual([[], undefined]);
  });

  it("carries a finding's owners and base-image fact when the finding has them", () => {
    const s = summarize(a);
    const f0 = s.findings[0]!;
    const withFacts = { ...s, findings: [{ ...f0, owners: [{ manager: 'dpkg', name: 'apt' }], fromBase: true }, ...s.findings.slice(1)] };
    const w = imageView(a, withFacts);
    expect(w.findings[0]).toMatchObject({ owners: ['dpkg apt'], fromBase: true, title: expect.stringContaining('(from the base image)') });
    expect(v.findings[0]).not.toHaveProperty('owners');
    expect(v.findings.map((f) => f.fromBase)).toEqual(s.findings.slice(0, v.findings.length).map((f) => f.fromBase));
  });

  it('escapes and cuts every string from the image', () => {
    // a name cannot hold a slash; a command can
    const evil = '\u202e<script>alert(1)<!--\n' + 'x'.repeat(500);
    const b = buildAnalysis([{ command: `echo '</script>${evil}'`, entries: [dir('srv'), file(`srv/${evil}`, 10)] }], {}, `docker-archive:${evil}.tar`);
    const w = imageView(b, summarize(b));
    const name = w.tree.name[w.tree.kind.indexOf(NODE_KIND.file)]!;
    expect(name.startsWith('\\u202e<script>alert(1)<!--\\nxxx')).toBe(true);
    expect(name.length).toBeLessThanOrEqual(120);
    expect(w.identity.reference).not.toMatch(/[\u202e\n]/);
    expect(w.layers[0]!.command).not.toMatch(/[\u202e\n]/);
  });

  it('folds a large image to the budget with bytes conserved and aggregates counted', () => {
    const entries = [dir('d')];
    for (let i = 0; i < 3000; i++) entries.push(file(`d/f${i}`, 1 + (i % 50)));
    entries.push(file('d/big', 10_000));
    const b = buildAnalysis([{ entries }]);
    const w = imageView(b, summarize(b), { budget: 100 });
    expect(w.tree.name.length - 1).toBeLessThanOrEqual(100);
    expect(sum(leavesOf(w))).toBe(w.treeBytes);
    expect(w.treeBytes).toBe(10_000 + Array.from({ length: 3000 }, (_, i) => 1 + (i % 50)).reduce((s, x) => s + x, 0));
    const aggs = w.tree.kind.flatMap((k, i) => (k === NODE_KIND.aggregate ? [i] : []));
    expect(aggs.length).toBeGreaterThan(0);
    expect(sum(aggs.map((i) => w.tree.count[i]!)) + w.tree.kind.filter((k) => k === NODE_KIND.file).length).toBe(3001);
    // an aggregate's events: every one of its files added by L0
    expect(chunk(w.tree.events[aggs[0]!] as number[])).toEqual([[0, CHANGE_CODE.added, w.tree.count[aggs[0]!]]]);
  });
});

describe('the page data of a comparison', () => {
  const old = buildAnalysis([{ command: 'base', entries: [dir('app'), file('app/a', 100), file('app/b', 50), file('app/gone', 30)] }]);
  const neu = buildAnalysis([
    { command: 'base', entries: [dir('app'), file('app/a', 100), file('app/b', 50), file('app/gone', 30)] },
    { command: 'grow', entries: [file('app/a', 160, { content: 'new' }), file('app/new', 40), { path: 'app/.wh.gone', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 }] },
  ]);
  const c = compareImages(old, neu, { old: () => undefined, new: () => undefined });
  const page = comparisonPage(c);

  it('draws every file whose size changed, with area the absolute change', () => {
    const t = page.tree;
    const byName = Object.fromEntries(t.name.map((n, i) => [n, i]));
    expect(t.delta[byName['a']!]).toBe(60);
    expect(t.delta[byName['new']!]).toBe(40);
    expect(t.delta[byName['gone']!]).toBe(-30);
    expect(t.change[byName['gone']!]).toBe(CHANGE_CODE.removed);
    expect(byName['b']).toBeUndefined();
    expect(page.treeBytes).toBe(60 + 40 + 30);
    expect(sum(leavesOf(page))).toBe(130);
  });

  it('lists the changed paths, largest change first, and counts them', () => {
    expect(page.changes.map((x) => [x.path, x.change, x.delta])).toEqual([
      ['/app/a', 'modified', 60],
      ['/app/new', 'added', 40],
      ['/app/gone', 'removed', -30],
    ]);
    expect(page.changeCounts).toMatchObject({ added: 1, removed: 1, modified: 1 });
    expect(page.layers.map((l) => l.kind)).toEqual(['shared', 'new-only']);
    expect(page.packages).toBeUndefined();
  });

  it('compares the packages when both sides know them', () => {
    const p = comparisonPage(c, {
      provenance: {
        old: { packages: [{ manager: 'apk', name: 'musl', version: '1.2.4', layer: 0, files: 3, sizeBytes: 600 }, { manager: 'apk', name: 'gone', version: '1', layer: 0, files: 1, sizeBytes: 5 }] },
        new: { packages: [{ manager: 'apk', name: 'musl', version: '1.2.5', layer: 0, files: 3, sizeBytes: 640 }, { manager: 'apk', name: 'curl', version: '8', layer: 1, files: 9, sizeBytes: 300 }] },
      },
    });
    expect(p.packages).toEqual([
      { manager: 'apk', name: 'curl', change: 'added', oldVersion: null, newVersion: '8', sizeDelta: 300 },
      { manager: 'apk', name: 'musl', change: 'changed', oldVersion: '1.2.4', newVersion: '1.2.5', sizeDelta: 40 },
      { manager: 'apk', name: 'gone', change: 'removed', oldVersion: '1', newVersion: null, sizeDelta: -5 },
    ]);
  });

  it("takes the comparison's own package differences when given: upgrades, downgrades and the same version with other files, as diff --json names them", () => {
    const pkg = (name: string, version: string, sizeBytes: number, path: string | null = null) => ({ manager: 'npm' as const, name, version, path, layer: 0, files: 1, sizeBytes });
    const p = comparisonPage(c, {
      // the two lists alone would pair the two `x` (other directories) as one package
      provenance: { old: { packages: [pkg('x', '1.0.0', 10, 'a/node_modules/x')] }, new: { packages: [pkg('x', '2.0.0', 10, 'b/node_modules/x')] } },
      packageChanges: [
        { manager: 'npm', name: 'x', change: 'removed', old: pkg('x', '1.0.0', 10, 'a/node_modules/x'), new: null, sizeDeltaBytes: -10 },
        { manager: 'npm', name: 'x', change: 'added', old: null, new: pkg('x', '2.0.0', 10, 'b/node_modules/x'), sizeDeltaBytes: 10 },
        { manager: 'npm', name: 'y', change: 'downgraded', old: pkg('y', '2.0.0', 50), new: pkg('y', '1.0.0', 20), sizeDeltaBytes: -30 },
        { manager: 'npm', name: 'z', change: 'changed', old: pkg('z', '1.0.0', 5), new: pkg('z', '1.0.0', 5), sizeDeltaBytes: 0 },
      ],
    });
    expect(p.packages).toEqual([
      { manager: 'npm', name: 'y', change: 'downgraded', oldVersion: '2.0.0', newVersion: '1.0.0', sizeDelta: -30 },
      { manager: 'npm', name: 'x', change: 'removed', oldVersion: '1.0.0', newVersion: null, sizeDelta: -10 },
      { manager: 'npm', name: 'x', change: 'added', oldVersion: null, newVersion: '2.0.0', sizeDelta: 10 },
      { manager: 'npm', name: 'z', change: 'changed', oldVersion: '1.0.0', newVersion: '1.0.0', sizeDelta: 0 },
    ]);
    expect(p.packageCount).toBe(4);
  });
});

function chunk(xs: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < xs.length; i += 3) out.push(xs.slice(i, i + 3));
  return out;
}
