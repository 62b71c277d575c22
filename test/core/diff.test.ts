import { describe, expect, it } from 'vitest';
import { Change } from '../../src/core/index.js';
import { analyze, dir, file, opaque, whiteout } from '../helpers/layers.js';

function codeOf(a: ReturnType<typeof analyze>, base: number, top: number, path: string) {
  return a.tree.diffRange(base, top)[a.tree.find(path)!];
}

describe('per-layer changes', () => {
  const a = analyze([
    [dir('etc'), file('etc/a', 10, { content: 'A' }), file('etc/b', 10, { content: 'B' }), file('etc/c', 5), file('etc/d', 3, { content: 'D' })],
    [
      dir('etc'),
      file('etc/a', 10, { content: 'A2' }), // same size, other content: modified (needs the hash)
      file('etc/b', 10, { content: 'B' }), // identical rewrite: unmodified
      whiteout('etc/c'), // removed
      file('etc/d', 3, { content: 'D', mode: 0o600 }), // chmod only: modified (metadata)
      file('etc/e', 1), // added
    ],
  ]);

  it('counts added, modified, removed and unmodified files', () => {
    expect(a.layers[1]!.changes).toEqual({ added: 1, modified: 2, removed: 1, unmodified: 1 });
    expect(a.layers[0]!.changes).toEqual({ added: 4, modified: 0, removed: 0, unmodified: 0 });
  });

  it('classifies each path of a single-layer diff', () => {
    expect(codeOf(a, 0, 1, 'etc/a')).toBe(Change.modified);
    expect(codeOf(a, 0, 1, 'etc/b')).toBe(Change.unmodified);
    expect(codeOf(a, 0, 1, 'etc/c')).toBe(Change.removed);
    expect(codeOf(a, 0, 1, 'etc/d')).toBe(Change.modified);
    expect(codeOf(a, 0, 1, 'etc/e')).toBe(Change.added);
    // a directory with mixed children is modified, as in dive
    expect(codeOf(a, 0, 1, 'etc')).toBe(Change.modified);
  });

  it('the aggregated view compares with the empty image', () => {
    expect(codeOf(a, -1, 1, 'etc/a')).toBe(Change.added);
    expect(codeOf(a, -1, 1, 'etc/c')).toBe(Change.none);
    expect(codeOf(a, -1, 1, 'etc')).toBe(Change.added);
  });

  it('sizes directories by what is under them', () => {
    const s = a.tree.treeSizes(1);
    expect(s[a.tree.find('etc')!]).toBe(10 + 10 + 3 + 1);
    expect(s[0]).toBe(24);
  });
});

describe('ranges, history and whiteout attribution', () => {
  const a = analyze([
    [dir('app'), file('app/conf', 4, { content: 'v1' }), dir('cache'), file('cache/x', 100)],
    [dir('app'), file('app/conf', 4, { content: 'v1', uid: 1000 })],
    [dir('app'), file('app/conf', 4, { content: 'v2' })],
    [whiteout('cache'), dir('app'), whiteout('app/conf')],
  ]);

  it('compares any two layers', () => {
    expect(codeOf(a, 0, 2, 'app/conf')).toBe(Change.modified);
    expect(codeOf(a, 1, 1, 'app/conf')).toBe(Change.none);
    expect(codeOf(a, 0, 3, 'cache/x')).toBe(Change.removed);
    expect(codeOf(a, 0, 3, 'cache')).toBe(Change.removed);
  });

  it('lists every layer that changed a path', () => {
    const h = a.tree.fileHistory(a.tree.find('app/conf')!);
    expect(h.map((e) => [e.layer, e.kind])).toEqual([[0, 'added'], [1, 'metadata'], [2, 'modified'], [3, 'removed']]);
    expect(h[3]!.removedVia).toEqual({ via: 'whiteout', markerPath: '/app' });
    const x = a.tree.fileHistory(a.tree.find('cache/x')!);
    expect(x.map((e) => [e.layer, e.kind, e.removedVia?.via])).toEqual([[0, 'added', undefined], [3, 'removed', 'whiteout']]);
  });

  it('attributes hidden paths to the layer and marker that hid them', () => {
    const b = analyze([[dir('d'), file('d/a', 1), dir('d/s'), file('d/s/t', 1)], [dir('d'), opaque('d')]]);
    const hidden = b.tree.hiddenInRange(0, 1);
    const st = hidden.get(b.tree.find('d/s/t')!)!;
    expect(st).toMatchObject({ layer: 1, via: 'opaque', markerDir: b.tree.find('d') });
    expect(b.tree.hiddenInRange(1, 1).size).toBe(0);
  });
});

describe('two analyses side by side', () => {
  it('keep their own memoized diffs and sizes', () => {
    // Same paths, different contents: each analysis must answer from its own memo.
    const one = analyze([[dir('d'), file('d/a', 10, { content: 'x' })], [file('d/a', 10, { content: 'y' })]]);
    const two = analyze([[dir('d'), file('d/a', 10, { content: 'x' })], [file('d/a', 10, { content: 'x' })], [file('d/b', 99)]]);
    const a1 = one.tree.find('d/a')!;
    const a2 = two.tree.find('d/a')!;
    expect(one.tree.diffRange(0, 1)[a1]).toBe(Change.modified);
    expect(two.tree.diffRange(0, 1)[a2]).toBe(Change.unmodified);
    // Asking again, interleaved, gives the same (memoized) answers.
    expect(one.tree.diffRange(0, 1)[a1]).toBe(Change.modified);
    expect(one.tree.diffRange(0, 1)).toBe(one.tree.diffRange(0, 1));
    expect(one.tree.diffRange(0, 1)).not.toBe(two.tree.diffRange(0, 1));
    expect(one.tree.treeSizes(1)[one.tree.find('d')!]).toBe(10);
    expect(two.tree.treeSizes(2)[two.tree.find('d')!]).toBe(109);
  });

  it('never change the entries they were given', () => {
    const layers = [[dir('d'), file('d/a', 10, { content: 'x' })], [file('d/a', 10, { content: 'x' })]];
    const before = JSON.stringify(layers);
    const frozen = layers.map((l) => l.map((e) => Object.freeze(e)));
    analyze(frozen);
    expect(JSON.stringify(frozen)).toBe(before);
  });
});
