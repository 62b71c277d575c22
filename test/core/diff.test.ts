import { describe, expect, it } from 'vitest';
import { Change, diffRange, fileHistory, hiddenInRange, treeSizes } from '../../src/core/index.js';
import { analyze, dir, file, opaque, whiteout } from '../helpers/layers.js';

function codeOf(a: ReturnType<typeof analyze>, base: number, top: number, path: string) {
  return diffRange(a, base, top)[a.index.paths.find(path)!];
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
    const s = treeSizes(a, 1);
    expect(s[a.index.paths.find('etc')!]).toBe(10 + 10 + 3 + 1);
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
    const h = fileHistory(a, a.index.paths.find('app/conf')!);
    expect(h.map((e) => [e.layer, e.kind])).toEqual([[0, 'added'], [1, 'metadata'], [2, 'modified'], [3, 'removed']]);
    expect(h[3]!.removedVia).toEqual({ via: 'whiteout', markerPath: '/app' });
    const x = fileHistory(a, a.index.paths.find('cache/x')!);
    expect(x.map((e) => [e.layer, e.kind, e.removedVia?.via])).toEqual([[0, 'added', undefined], [3, 'removed', 'whiteout']]);
  });

  it('attributes hidden paths to the layer and marker that hid them', () => {
    const b = analyze([[dir('d'), file('d/a', 1), dir('d/s'), file('d/s/t', 1)], [dir('d'), opaque('d')]]);
    const hidden = hiddenInRange(b, 0, 1);
    const st = hidden.get(b.index.paths.find('d/s/t')!)!;
    expect(st).toMatchObject({ layer: 1, via: 'opaque', markerDir: b.index.paths.find('d') });
    expect(hiddenInRange(b, 1, 1).size).toBe(0);
  });
});
