import { describe, expect, it } from 'vitest';
import { indexImage, selectHashRequests } from '../../src/core/index.js';
import { analyze, dir, file, opaque, whiteout } from '../helpers/layers.js';

describe("dive's efficiency figures", () => {
  it.each([
    {
      // A rewrite counts both copies as waste (dive's definition) and halves efficiency.
      name: 'file written twice',
      layers: [[file('a', 100)], [file('a', 100, { content: 'other' })]],
      efficiency: 0.5, wasted: 200, files: [['/a', 2, 200]],
    },
    {
      // A deleted file: contributions 50 and 0, so the minimum is 0.
      name: 'file deleted later',
      layers: [[file('f', 50)], [whiteout('f')]],
      efficiency: 0, wasted: 50, files: [['/f', 2, 50]],
    },
    {
      // A deleted directory contributes its whole subtree once, at the directory's path.
      name: 'directory deleted later',
      layers: [[dir('d'), file('d/x', 10), file('d/y', 20)], [whiteout('d')]],
      efficiency: 1, wasted: 0, files: [],
    },
    {
      // Whiteout of an explicitly written directory, then the directory re-added empty:
      // contributions at d are 15 (subtree) and 0.
      name: 'directory deleted and re-added',
      layers: [[dir('d'), file('d/x', 10)], [dir('d'), file('d/y', 5)], [whiteout('d')], [dir('d')]],
      efficiency: 15 / 30, wasted: 15, files: [['/d', 2, 15]],
    },
    {
      // dive grafts implicit directories with an empty FileInfo, so a directory last touched
      // implicitly is "not a directory" when its whiteout is sized: contribution 0.
      name: 'directory last touched implicitly (dive compatibility)',
      layers: [[dir('d'), file('d/x', 10)], [file('d/y', 5)], [whiteout('d')], [dir('d')]],
      efficiency: 1, wasted: 0, files: [['/d', 2, 0]],
    },
    {
      // An opaque directory contributes for each lower child it hides that the layer does not
      // re-add, exactly as an explicit whiteout of that child would (file: 0; dir: subtree).
      name: 'opaque directory',
      layers: [[dir('d'), file('d/a', 10), dir('d/s'), file('d/s/t', 7)], [dir('d'), opaque('d'), file('d/n', 1)]],
      efficiency: 15 / 25, wasted: 10, files: [['/d/a', 2, 10]],
    },
    {
      // Nothing contributed: efficiency is 1.
      name: 'empty image',
      layers: [[]],
      efficiency: 1, wasted: 0, files: [],
    },
  ])('$name', ({ layers, efficiency, wasted, files }) => {
    const a = analyze(layers);
    expect(a.efficiency).toBeCloseTo(efficiency, 12);
    expect(a.wastedBytes).toBe(wasted);
    expect(a.inefficientFiles.map((f) => [f.path, f.count, f.wastedBytes])).toEqual(files);
  });

  it('sizes: all layers, user layers, and wasted relative to user bytes', () => {
    const a = analyze([[file('base', 1000)], [file('a', 100)], [file('a', 100, { content: 'x' })]]);
    expect(a.sizeBytes).toBe(1200);
    expect(a.userSizeBytes).toBe(200);
    expect(a.userWastedPercent).toBe(1);
  });

  it('userWastedPercent is null with no user layers', () => {
    expect(analyze([[file('a', 5)]]).userWastedPercent).toBeNull();
  });

  it('orders inefficient files by wasted bytes, largest first', () => {
    const a = analyze([[file('s', 1), file('b', 9)], [file('s', 1, { content: 'q' }), file('b', 9, { content: 'q' })]]);
    expect(a.inefficientFiles.map((f) => f.path)).toEqual(['/b', '/s']);
  });
});

describe('reclaimable breakdown', () => {
  it('splits what squashing would reclaim by cause, never counting the surviving copy', () => {
    const a = analyze([
      [file('f', 100, { content: 'A' }), file('g', 50), file('h', 30, { content: 'H' }), file('dup1', 40, { content: 'D' }), file('dup2', 40, { content: 'D' })],
      [file('f', 100, { content: 'B' }), whiteout('g'), file('h', 30, { content: 'H', mode: 0o600 })],
    ]);
    expect(a.reclaimable).toEqual({
      overwrittenBytes: 100,
      deletedLaterBytes: 50,
      metadataOnlyBytes: 30,
      duplicateContentBytes: 40,
      totalBytes: 220,
    });
  });
});

describe('lazy hashing', () => {
  it('asks only for same-path rewrites of equal size and same-size survivors', () => {
    const index = indexImage({
      identity: { reference: 'r', source: 't' },
      config: { diffIds: [], history: [], config: {} },
      layers: [
        { descriptor: {}, entries: [file('a', 10), file('b', 10), file('c', 7), file('e', 0)] },
        { descriptor: {}, entries: [file('a', 10), file('c', 8), file('e', 0)] },
      ],
    });
    const want = selectHashRequests(index).map((g) => `${index.entryLayer[g]}:${index.entries[g]!.path}`);
    // a (rewritten, same size) both copies; b survives with the same size as the final a.
    expect(want.sort()).toEqual(['0:a', '0:b', '1:a']);
  });

  it('refuses to guess when a needed hash is missing', () => {
    // A copy of an entry has no content key: what the loader would give for a body it never hashed.
    const strip = (e: ReturnType<typeof file>) => ({ ...e });
    expect(() => analyze([[strip(file('a', 10))], [strip(file('a', 10))]])).toThrow(/no content hash/);
  });
});
