import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFindings, guessBaseLayers } from '../../src/core/findings.js';
import { buildAnalysis, dir, file, whiteout } from '../helpers/build-analysis.js';
import { FIXTURES, NO_FIXTURES, ROOT } from '../helpers/image-files.js';
import { analyzeArg } from '../helpers/load.js';

/** One image with one case of every kind, with sizes chosen so each total is unmistakable. */
const a = buildAnalysis([
  { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/conf', 1000, { content: 'c1' }), dir('usr'), dir('usr/lib'), file('usr/lib/libx.so', 70), file('usr/bin', 3)] },
  {
    command: 'apt-get update && apt-get install -y gcc',
    entries: [
      dir('var'),
      dir('var/lib/apt/lists'),
      file('var/lib/apt/lists/main', 4000), // survives: apt lists
      dir('tmp'),
      file('tmp/build.tar.gz', 20000), // deleted two layers later
      dir('src'),
      file('src/app.o', 300), // survives: object file
      file('usr/lib/libx.a', 500), // survives: static archive beside libx.so
      file('src/dl.tar.gz', 60), // survives: archive beside its extracted tree
      dir('src/dl'),
      file('src/dl/x', 1),
    ],
  },
  { command: 'sed -i s/a/b/ /etc/conf', entries: [file('etc/conf', 1000, { content: 'c2' })] }, // overwrites 1000
  { command: 'rm -rf /tmp/build.tar.gz', entries: [whiteout('tmp/build.tar.gz')] }, // deletes 20000
  { command: 'chown -R app /etc', entries: [file('etc/conf', 1000, { content: 'c2', uid: 1000 })] }, // rewrites 1000 unchanged
  { command: 'cp /etc/conf /etc/conf.bak', entries: [file('etc/conf.bak', 1000, { content: 'c2' })] }, // 1000 duplicate
]);

describe('findings', () => {
  const f = findFindings(a, { baseLayers: 0 });
  const by = (kind: string) => f.filter((x) => x.kind === kind);

  it('names each kind of waste with its exact bytes, layers, paths and advice', () => {
    // RUN rm in L3 deleted what L1 wrote: the largest finding comes first
    expect(f[0]).toMatchObject({ kind: 'deleted-later', bytes: 20000, survives: false, layers: [{ index: 1 }, { index: 3 }], paths: [{ path: '/tmp/build.tar.gz', bytes: 20000 }] });
    expect(f[0]!.advice).toMatch(/same RUN|multi-stage/);
    expect(by('overwritten')).toEqual([expect.objectContaining({ bytes: 1000, layers: [{ index: 0, command: 'RUN ADD rootfs /' }, { index: 2, command: 'RUN sed -i s/a/b/ /etc/conf' }] })]);
    expect(by('metadata-only')).toEqual([expect.objectContaining({ bytes: 1000, layers: [expect.objectContaining({ index: 2 }), expect.objectContaining({ index: 4 })] })]);
    expect(by('metadata-only')[0]!.advice).toContain('COPY --chown');
    expect(by('duplicate-content')).toEqual([expect.objectContaining({ bytes: 1000, paths: [{ path: '/etc/conf.bak', bytes: 1000 }] })]);
  });

  it('says which surviving bytes are package caches and build leftovers, apart from the waste', () => {
    expect(by('package-cache')).toEqual([expect.objectContaining({ manager: 'apt', bytes: 4000, survives: true, layers: [expect.objectContaining({ index: 1 })] })]);
    expect(by('package-cache')[0]!.advice).toContain('rm -rf /var/lib/apt/lists/*');
    const leftovers = new Map(by('build-leftovers').map((x) => [x.paths[0]!.path, x.bytes]));
    expect(leftovers).toEqual(new Map([['/usr/lib/libx.a', 500], ['/src/app.o', 300], ['/src/dl.tar.gz', 60]]));
    expect(by('build-leftovers').every((x) => x.survives)).toBe(true);
  });

  it('never counts a byte twice, and the waste adds up to no more than the reclaimable total', () => {
    // A surviving file is in one finding at most (a cache is no duplicate too)…
    const surviving = f.filter((x) => x.survives || x.kind === 'duplicate-content').flatMap((x) => x.paths.map((p) => p.path));
    expect(new Set(surviving).size).toBe(surviving.length);
    // …and every wasted copy once: /etc/conf has two (L0's, overwritten; L2's, rewritten by chown)
    expect(f.filter((x) => x.paths.some((p) => p.path === '/etc/conf')).map((x) => x.kind).sort()).toEqual(['metadata-only', 'overwritten']);
    const wasted = f.filter((x) => !x.survives).reduce((s, x) => s + x.bytes, 0);
    expect(wasted).toBe(20000 + 1000 + 1000 + 1000);
    expect(wasted).toBeLessThanOrEqual(a.reclaimable.totalBytes);
    expect(a.reclaimable.totalBytes).toBe(wasted); // here every reclaimable byte is explained
  });

  it('reports waste inside the base image on its own, since the Dockerfile cannot fix it', () => {
    const withBase = findFindings(a, { baseLayers: 4 });
    // overwritten (L0→L2) and deleted (L1→L3) fall inside the first four layers
    expect(withBase.filter((x) => x.kind === 'base-image').map((x) => x.bytes)).toEqual([21000]);
    expect(withBase.some((x) => x.kind === 'deleted-later' || x.kind === 'overwritten')).toBe(false);
    expect(withBase.find((x) => x.kind === 'metadata-only')?.bytes).toBe(1000); // L2→L4 is the user's
  });

  it('guesses the base from a jump in the history timestamps', () => {
    const img = buildAnalysis([{ entries: [file('a', 1)] }, { entries: [file('b', 1)] }, { entries: [file('c', 1)] }]);
    // buildAnalysis dates layers a day apart: equal jumps, the first one wins
    expect(guessBaseLayers(img)).toBe(1);
  });
});

describe.skipIf(!FIXTURES)(`findings on real images${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  it('the example image: the steps a reader of its history would blame', async () => {
    const { analysis } = await analyzeArg(path.join(ROOT, 'examples', 'example-image.tar'));
    const f = findFindings(analysis, { baseLayers: 0 });
    const find = (kind: string, layer: number) => f.find((x) => x.kind === kind && x.layers.at(-1)!.index === layer);
    // "RUN rm -rf /var/cache/apk /src/app.o" deletes what "apk add … && make" left: combine them
    expect(find('deleted-later', 2)).toMatchObject({ layers: [{ index: 1, command: expect.stringMatching(/apk add/) }, { index: 2 }] });
    expect(find('deleted-later', 2)!.paths.map((p) => p.path)).toEqual(expect.arrayContaining(['/src/app.o']));
    // "chown -R 1000:1000 /usr/bin" copies /usr/bin/app again to change its owner
    expect(find('metadata-only', 4)).toMatchObject({ layers: [{ index: 2 }, { index: 4, command: expect.stringMatching(/chown -R/) }], paths: [{ path: '/usr/bin/app' }] });
    // "cp /bin/busybox /usr/lib/busybox.bak" keeps a second copy of busybox
    expect(f.find((x) => x.kind === 'duplicate-content')).toMatchObject({ paths: [{ path: '/usr/lib/busybox.bak' }], layers: [{ index: 3 }] });
  });

  it('edge: the 3000 files made and removed, the identical rewrite of big.bin, the busybox copy', async () => {
    const { analysis } = await analyzeArg(path.join(FIXTURES!, 'images', 'edge.docker-archive.tar'));
    const f = findFindings(analysis);
    // "RUN mkdir -p /many && … echo $i > /many/f$i" then "RUN rm -rf /many": one RUN would not store them
    expect(f.find((x) => x.kind === 'deleted-later' && x.pathCount === 3000)).toMatchObject({ layers: [{ command: expect.stringMatching(/mkdir -p \/many/) }, { command: 'RUN rm -rf /many' }] });
    // "dd … of=/data/big.bin" writes the same 512 KiB of zeros again
    expect(f.find((x) => x.kind === 'metadata-only' && x.paths[0]!.path === '/data/big.bin' && x.advice.includes('same bytes'))!.bytes).toBe(524288);
    // "cp /bin/busybox /usr/bin/bb2" stores busybox twice
    expect(f.find((x) => x.kind === 'duplicate-content')).toMatchObject({ paths: [{ path: expect.stringMatching(/^\/usr\/bin\/bb(2|-hard)$/) }], layers: [{ command: expect.stringMatching(/cp \/bin\/busybox/) }] });
    const wasted = f.filter((x) => !x.survives).reduce((s, x) => s + x.bytes, 0);
    expect(wasted).toBeLessThanOrEqual(analysis.reclaimable.totalBytes);
  });
});
