import { describe, expect, it } from 'vitest';
import { analyze, dir, file, hardlink, mergedPaths, opaque, symlink, whiteout } from '../helpers/layers.js';

const names = (a: ReturnType<typeof analyze>, layer?: number) => [...mergedPaths(a, layer).keys()].sort();

describe('merged filesystem', () => {
  it.each([
    {
      // A file whiteout removes exactly that file.
      name: 'file whiteout',
      layers: [[dir('a'), file('a/x', 1), file('a/y', 1)], [dir('a'), whiteout('a/x')]],
      expected: ['a', 'a/y'],
    },
    {
      // A directory whiteout removes the whole subtree.
      name: 'directory whiteout',
      layers: [[dir('a'), dir('a/b'), file('a/b/c', 1), file('a/d', 1)], [dir('a'), whiteout('a/b')]],
      expected: ['a', 'a/d'],
    },
    {
      // An opaque directory hides everything below it from lower layers but keeps its own entries.
      name: 'opaque directory',
      layers: [[dir('data'), file('data/old', 1), dir('data/sub'), file('data/sub/x', 1)], [dir('data'), opaque('data'), file('data/only-this', 1)]],
      expected: ['data', 'data/only-this'],
    },
    {
      // The opaque marker applies before the layer's own entries even when it comes after them in the tar.
      name: 'opaque marker after the layer entries',
      layers: [[dir('data'), file('data/old', 1)], [dir('data'), file('data/new', 1), opaque('data')]],
      expected: ['data', 'data/new'],
    },
    {
      // A re-created directory under an opaque parent does not bring back lower children.
      name: 'opaque hides grandchildren of a re-added child',
      layers: [[dir('d'), dir('d/k'), file('d/k/old', 1)], [dir('d'), opaque('d'), dir('d/k'), file('d/k/new', 1)]],
      expected: ['d', 'd/k', 'd/k/new'],
    },
    {
      // A whiteout never affects its own layer: removed then re-created in the same layer survives.
      name: 'whiteout and re-create in one layer',
      layers: [[dir('a'), file('a/x', 1, { content: 'old' })], [dir('a'), whiteout('a/x'), file('a/x', 2, { content: 'new' })]],
      expected: ['a', 'a/x'],
    },
    {
      // AUFS metadata (.wh..wh.plnk) is not a file.
      name: 'aufs metadata ignored',
      layers: [[dir('a'), file('a/x', 1)], [{ ...file('.wh..wh.plnk/123', 1) }]],
      expected: ['a', 'a/x'],
    },
    {
      // Parents a layer writes into without entries are implied.
      name: 'implicit parent directories',
      layers: [[file('deep/er/path/f', 3)]],
      expected: ['deep', 'deep/er', 'deep/er/path', 'deep/er/path/f'],
    },
  ])('$name', ({ layers, expected }) => {
    expect(names(analyze(layers))).toEqual(expected);
  });

  it('records what each whiteout and opaque directory hid', () => {
    const a = analyze([[dir('d'), file('d/a', 1), file('d/b', 1), file('x', 1)], [whiteout('x'), dir('d'), opaque('d')]]);
    const rs = a.tree.index.removals[1]!.map((r) => [a.tree.pathOf(r.path), r.via]);
    expect(rs.sort()).toEqual([['d/a', 'opaque'], ['d/b', 'opaque'], ['x', 'whiteout']]);
  });

  it('reports a whiteout of a path no lower layer has as a path problem, not an error', () => {
    const a = analyze([[file('a', 1)], [whiteout('ghost')]]);
    expect(a.problems).toEqual([{ layer: 1, path: 'ghost', problem: 'whiteout-target-missing' }]);
    expect(names(a)).toEqual(['a']);
  });

  it('keeps hard links and symlinks with their targets', () => {
    const a = analyze([[dir('usr'), file('usr/bb', 10), hardlink('usr/bb-hard', 'usr/bb'), symlink('usr/bb-sym', '/usr/bb'), symlink('dangling', '/nonexistent')]]);
    const m = mergedPaths(a);
    expect(m.get('usr/bb-hard')).toMatchObject({ type: 'hardlink', linkTarget: 'usr/bb', size: 0 });
    expect(m.get('usr/bb-sym')).toMatchObject({ type: 'symlink', linkTarget: '/usr/bb' });
    expect(m.get('dangling')).toMatchObject({ type: 'symlink', linkTarget: '/nonexistent' });
  });

  it('handles deep and long paths', () => {
    let p = 'deep';
    for (let i = 1; i <= 12; i++) p += `/directory-level-${i}-with-a-long-name`;
    const leaf = `${p}/file-with-a-long-name-too.txt`;
    expect(leaf.length).toBeGreaterThan(255);
    const a = analyze([[file(leaf, 5)]]);
    expect(mergedPaths(a).get(leaf)?.size).toBe(5);
    expect(a.tree.index.paths.depths[a.tree.find(leaf)!]).toBe(14);
  });

  it('a file written over a directory replaces the directory and its children', () => {
    const a = analyze([[dir('a'), file('a/x', 1)], [file('a', 4)]]);
    expect(names(a)).toEqual(['a']);
    expect(mergedPaths(a).get('a')?.type).toBe('file');
  });
});
