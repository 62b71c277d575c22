import { describe, expect, it } from 'vitest';
import { analyzeImage, indexImage, type Analysis, type LayerEntry } from '../../src/core/index.js';
import { compareImages, selectCrossDigests, type CrossDigests } from '../../src/core/compare-images.js';
import { contentKeysOf, contentOfEntry, dir, file, opaque, symlink, whiteout } from '../helpers/layers.js';

/** An image from layers named by their diffID (equal names: the same layer), with commands. */
function image(layers: readonly { id: string; entries: readonly LayerEntry[]; command?: string }[]): Analysis {
  const index = indexImage({
    identity: { reference: 'test', source: 'test' },
    config: { diffIds: layers.map((l) => l.id), history: layers.map((l, i) => ({ createdBy: `/bin/sh -c ${l.command ?? `step ${i}`}`, emptyLayer: false })), config: {} },
    layers: layers.map((l, i) => ({ descriptor: { diffId: l.id, digest: `sha256:${l.id.slice(7)}`, compressedSize: 100 + i }, entries: l.entries })),
  });
  return analyzeImage(index, contentKeysOf(index));
}

/** Digests as a loader would give them: the stand-in content of each entry built by `file`. */
const digestsOf = (a: Analysis, b: Analysis): CrossDigests => ({ old: (g) => contentOfEntry(a.tree.entry(g)), new: (g) => contentOfEntry(b.tree.entry(g)) });
const id = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

const base = { id: id(1), entries: [dir('etc'), file('etc/passwd', 100, { content: 'p1' }), file('etc/hosts', 10, { content: 'h1' }), dir('bin'), file('bin/sh', 500, { content: 'sh' })] };

describe('comparing two images', () => {
  it('reports every kind of change with what changed and the layer of NEW that wrote it', () => {
    const old = image([
      base,
      {
        id: id(2),
        command: 'old app',
        entries: [
          dir('app'),
          file('app/same', 7, { content: 's' }),
          file('app/content', 20, { content: 'c1' }),
          file('app/grows', 20, { content: 'g1' }),
          file('app/mode', 5, { content: 'm', mode: 0o644 }),
          file('app/owner', 5, { content: 'o', uid: 0 }),
          symlink('app/link', 'a'),
          file('app/type', 3, { content: 't' }),
          file('app/gone', 40, { content: 'x' }),
        ],
      },
    ]);
    const neu = image([
      base,
      {
        id: id(3),
        command: 'new app',
        entries: [
          dir('app'),
          file('app/same', 7, { content: 's' }), // same bytes, rewritten: unchanged
          file('app/content', 20, { content: 'c2' }), // same size, other bytes: content
          file('app/grows', 25, { content: 'g2' }), // other size: content, +5
          file('app/mode', 5, { content: 'm', mode: 0o755 }), // chmod: mode
          file('app/owner', 5, { content: 'o', uid: 1000 }), // chown: owner
          symlink('app/link', 'b'), // retargeted: link-target
          symlink('app/type', 'x'), // file → symlink: type, -3
          file('app/new', 9, { content: 'n' }), // added, +9
        ],
      },
      { id: id(4), command: 'rm hosts', entries: [whiteout('etc/hosts')] }, // removed, by layer 2
    ]);
    const need = selectCrossDigests(old, neu, { old: () => undefined, new: () => undefined });
    // Only equal-size files outside the shared base need a body digest.
    const names = (side: readonly number[], a: Analysis) => side.map((g) => a.tree.entry(g).path).sort();
    expect(names(need.old, old)).toEqual(['app/content', 'app/mode', 'app/owner', 'app/same']);
    expect(names(need.new, neu)).toEqual(['app/content', 'app/mode', 'app/owner', 'app/same']);

    const c = compareImages(old, neu, digestsOf(old, neu));
    const by = new Map(c.files.map((f) => [f.path, f]));
    expect(by.has('/app/same')).toBe(false);
    expect(by.get('/app/content')).toMatchObject({ change: 'modified', aspects: ['content'], sizeDelta: 0, newLayer: 1 });
    expect(by.get('/app/grows')).toMatchObject({ change: 'modified', aspects: ['content'], sizeDelta: 5 });
    expect(by.get('/app/mode')).toMatchObject({ change: 'modified', aspects: ['mode'], old: { mode: 0o644 }, new: { mode: 0o755 } });
    expect(by.get('/app/owner')).toMatchObject({ change: 'modified', aspects: ['owner'], old: { uid: 0 }, new: { uid: 1000 } });
    expect(by.get('/app/link')).toMatchObject({ change: 'modified', aspects: ['link-target'], old: { linkTarget: 'a' }, new: { linkTarget: 'b' } });
    expect(by.get('/app/type')).toMatchObject({ change: 'modified', aspects: ['type', 'mode'], sizeDelta: -3 }); // a symlink's mode is 0777
    expect(by.get('/app/new')).toMatchObject({ change: 'added', sizeDelta: 9, newLayer: 1, new: { size: 9 } });
    expect(by.get('/app/gone')).toMatchObject({ change: 'removed', sizeDelta: -40 });
    expect(by.get('/app/gone')!.newLayer).toBeUndefined(); // NEW never had it
    expect(by.get('/etc/hosts')).toMatchObject({ change: 'removed', sizeDelta: -10, newLayer: 2 });
    // directories carry the summed delta of their subtree: +5 -3 +9 -40
    expect(c.deltas.get('app')).toBe(-29);
    expect(c.deltas.get('etc')).toBe(-10);
    expect(c.deltas.has('bin')).toBe(false);
    expect(c.unchangedCount).toBe(6); // etc, etc/passwd, bin, bin/sh, app, app/same
    expect(c.identical).toBe(false);
    expect(c.totals.layerCount).toEqual({ old: 2, new: 3, delta: 1 });
    expect(c.totals.sizeBytes.delta).toBe(neu.sizeBytes - old.sizeBytes);
    expect(c.totals.fileCount).toEqual({ old: old.fileCount, new: neu.fileCount, delta: neu.fileCount - old.fileCount });
  });

  it('aligns layers: the shared base, then each side, with layers that moved marked', () => {
    const l = (n: number) => ({ id: id(n), entries: [file(`f${n}`, n)] });
    const old = image([l(1), l(2), l(3), l(4)]);
    const neu = image([l(1), l(2), l(4), l(5)]);
    const c = compareImages(old, neu, digestsOf(old, neu));
    expect(c.sharedLayers).toBe(2);
    expect(c.layers.map((x) => [x.kind, x.kind === 'shared' ? x.old.index : x.kind === 'old-only' ? x.old.index : x.new.index, 'moved' in x ? x.moved : null])).toEqual([
      ['shared', 0, null],
      ['shared', 1, null],
      ['old-only', 2, false], // l3: only in OLD
      ['old-only', 3, true], // l4: in NEW too, one position down
      ['new-only', 2, true], // l4 again, from NEW's side
      ['new-only', 3, false], // l5: only in NEW
    ]);
  });

  it('never asks for the bodies of files both images take from the same shared layer', () => {
    const old = image([base, { id: id(2), entries: [file('x', 1)] }]);
    const neu = image([base, { id: id(3), entries: [file('y', 1)] }]);
    const need = selectCrossDigests(old, neu, { old: () => undefined, new: () => undefined });
    expect(need).toEqual({ old: [], new: [] });
    // …and a file rewritten outside the base with the same size is asked for, on both sides
    const neu2 = image([base, { id: id(3), entries: [file('etc/passwd', 100, { content: 'p2' })] }]);
    const need2 = selectCrossDigests(old, neu2, { old: () => undefined, new: () => undefined });
    expect(need2.old.map((g) => old.tree.entry(g).path)).toEqual(['etc/passwd']);
    expect(need2.new.map((g) => neu2.tree.entry(g).path)).toEqual(['etc/passwd']);
    // digests the analyses already know are not asked for again
    const hex = 'a'.repeat(64);
    expect(selectCrossDigests(old, neu2, { old: () => hex, new: () => hex })).toEqual({ old: [], new: [] });
  });

  it('an opaque directory in NEW hides what OLD had there', () => {
    const old = image([base, { id: id(2), entries: [dir('data'), file('data/a', 10), file('data/b', 20)] }]);
    const neu = image([base, { id: id(2), entries: [dir('data'), file('data/a', 10), file('data/b', 20)] }, { id: id(3), entries: [dir('data'), opaque('data'), file('data/c', 5)] }]);
    const c = compareImages(old, neu, digestsOf(old, neu));
    expect(c.sharedLayers).toBe(2);
    expect(c.files.map((f) => [f.path, f.change, f.newLayer])).toEqual([
      ['/data/a', 'removed', 2],
      ['/data/b', 'removed', 2],
      ['/data/c', 'added', 2],
    ]);
    expect(c.deltas.get('data')).toBe(-25);
  });

  it('the same image twice is identical, not an error', () => {
    const a = image([base, { id: id(2), entries: [file('x', 3)] }]);
    const b = image([base, { id: id(2), entries: [file('x', 3)] }]);
    const c = compareImages(a, b, digestsOf(a, b));
    expect(c.identical).toBe(true);
    expect(c.files).toEqual([]);
    expect(c.layers.every((l) => l.kind === 'shared')).toBe(true);
    expect(c.totals.sizeBytes.delta).toBe(0);
  });
});

describe('the merged tree of a comparison', () => {
  it('marks exactly the comparison\'s changes, with NEW layers, deltas and both entries per path', async () => {
    const { DiffTree } = await import('../../src/core/diff-tree.js');
    const { Change } = await import('../../src/core/index.js');
    const old = image([base, { id: id(2), entries: [dir('app'), file('app/a', 10, { content: 'a' }), file('app/m', 5, { content: 'm', mode: 0o644 }), dir('app/gone'), file('app/gone/x', 7)] }]);
    const neu = image([base, { id: id(3), entries: [dir('app'), file('app/a', 10, { content: 'a2' }), file('app/m', 5, { content: 'm', mode: 0o600 }), file('app/n', 3)] }]);
    const c = compareImages(old, neu, digestsOf(old, neu));
    const t = new DiffTree(c, old, neu);
    const codes = t.change;
    const code = (p: string) => codes[t.find(p)!];
    expect(code('app/a')).toBe(Change.modified); // content
    expect(code('app/m')).toBe(Change.modified); // mode only
    expect(code('app/n')).toBe(Change.added);
    expect(code('app/gone')).toBe(Change.removed);
    expect(code('app/gone/x')).toBe(Change.removed);
    expect(code('etc/passwd')).toBe(Change.none); // untouched: shown only with unmodified files
    expect(code('app')).toBe(Change.modified); // a directory: from its children, which differ in kind
    expect(code('etc')).toBe(Change.none);
    expect(t.newLayerOf[t.find('app/n')!]).toBe(1);
    expect(t.newLayerOf[t.find('etc/passwd')!]).toBe(-1);
    expect(t.deltaOf[t.find('app')!]).toBe(3 - 7);
    // the entry shown: NEW's, or OLD's for a path NEW no longer has
    expect(t.entryOf(t.find('app/gone/x')!)).toBe(t.oldEntry(t.find('app/gone/x')!));
    expect(t.newEntry(t.find('app/gone/x')!)).toBeUndefined();
    expect(t.entryOf(t.find('app/m')!)?.mode).toBe(0o600);
    expect(t.oldEntry(t.find('app/n')!)).toBeUndefined();
    // every changed path of the comparison is a changed path of the tree, and nothing else is
    const changed = new Set<string>();
    for (let p = 1; p < t.pathCount; p++) if (codes[p] !== Change.none && t.childrenOf(p).length === 0) changed.add(`/${t.pathOf(p)}`);
    expect([...changed].sort()).toEqual(c.files.filter((f) => f.new?.type !== 'dir' || f.change !== 'modified').map((f) => f.path).filter((p) => t.childrenOf(t.find(p.slice(1))!).length === 0).sort());
  });
});
