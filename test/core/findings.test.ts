import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFindings, guessBaseLayers } from '../../src/core/findings.js';
import type { LayerEntry, Reclaimable } from '../../src/core/index.js';
import { buildAnalysis, dir, file, opaque, whiteout } from '../helpers/build-analysis.js';
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
    // and each kind by its own part of reclaimable, with and without a base
    for (const g of [f, findFindings(a, { baseLayers: 4 })]) {
      const sum = (kind: string) => g.filter((x) => x.kind === kind).reduce((s, x) => s + x.bytes, 0);
      expect(sum('deleted-later')).toBeLessThanOrEqual(a.reclaimable.deletedLaterBytes);
      expect(sum('overwritten')).toBeLessThanOrEqual(a.reclaimable.overwrittenBytes);
      expect(sum('metadata-only')).toBeLessThanOrEqual(a.reclaimable.metadataOnlyBytes);
      expect(sum('duplicate-content')).toBeLessThanOrEqual(a.reclaimable.duplicateContentBytes);
      expect(g.filter((x) => !x.survives).reduce((s, x) => s + x.bytes, 0)).toBe(a.reclaimable.totalBytes);
    }
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
    const find = (kind: string, layer: number) => f.find((x) => x.kind === kind && x.manager === undefined && x.layers.at(-1)!.index === layer);
    // "RUN rm -rf /var/cache/apk /src/app.o" deletes what "apk add … && make" left: combine them
    expect(find('deleted-later', 2)).toMatchObject({ layers: [{ index: 1, command: expect.stringMatching(/apk add/) }, { index: 2 }] });
    expect(find('deleted-later', 2)!.paths.map((p) => p.path)).toEqual(expect.arrayContaining(['/src/app.o']));
    // …but apk's own cache it deletes is apk's finding, with apk's fix
    expect(f.filter((x) => x.manager === 'apk')).toEqual([
      expect.objectContaining({ kind: 'deleted-later', layers: [expect.objectContaining({ index: 1 }), expect.objectContaining({ index: 2 })], paths: [expect.objectContaining({ path: '/var/cache/apk/APKINDEX.tar.gz' })], advice: expect.stringContaining('apk add --no-cache') }),
    ]);
    // "chown -R 1000:1000 /usr/bin" copies /usr/bin/app again to change its owner
    expect(find('metadata-only', 4)).toMatchObject({ layers: [{ index: 2 }, { index: 4, command: expect.stringMatching(/chown -R/) }], paths: [{ path: '/usr/bin/app' }] });
    // "cp /bin/busybox /usr/lib/busybox.bak" keeps a second copy of busybox: the base wrote the first, L3 the second
    expect(f.find((x) => x.kind === 'duplicate-content')).toMatchObject({ paths: [{ path: '/usr/lib/busybox.bak' }], layers: [{ index: 0 }, { index: 3 }] });
  });

  it('edge: the 3000 files made and removed, the identical rewrite of big.bin, the busybox copy', async () => {
    const { analysis } = await analyzeArg(path.join(FIXTURES!, 'images', 'edge.docker-archive.tar'));
    const f = findFindings(analysis);
    // "RUN mkdir -p /many && … echo $i > /many/f$i" then "RUN rm -rf /many": one RUN would not store them
    expect(f.find((x) => x.kind === 'deleted-later' && x.pathCount === 3000)).toMatchObject({ layers: [{ command: expect.stringMatching(/mkdir -p \/many/) }, { command: 'RUN rm -rf /many' }] });
    // "dd … of=/data/big.bin" writes the same 512 KiB of zeros again
    expect(f.find((x) => x.kind === 'metadata-only' && x.paths[0]!.path === '/data/big.bin' && x.advice.includes('same bytes'))!.bytes).toBe(524288);
    // "cp /bin/busybox /usr/bin/bb2" stores busybox twice
    // (the base's ADD wrote /bin/busybox, the cp the copy: both are blamed)
    expect(f.find((x) => x.kind === 'duplicate-content')).toMatchObject({ paths: [{ path: expect.stringMatching(/^\/usr\/bin\/bb(2|-hard)$/) }], layers: [{ index: 0, command: expect.stringMatching(/^ADD/) }, { command: expect.stringMatching(/cp \/bin\/busybox/) }] });
    const wasted = f.filter((x) => !x.survives).reduce((s, x) => s + x.bytes, 0);
    expect(wasted).toBeLessThanOrEqual(analysis.reclaimable.totalBytes);
  });
});

describe('package caches: every location the rules know', () => {
  // One row per directory a rule names (and both the /root and the /home/USER form where the
  // rule takes either), each in an image of its own: a surviving 100-byte file there is a
  // package-cache finding for that manager, with the manager's own fix.
  const CASES: readonly { path: string; manager: string; fix: string }[] = [
    { path: 'var/lib/apt/lists/deb.debian.org_dists_main', manager: 'apt', fix: 'rm -rf /var/lib/apt/lists/*' },
    { path: 'var/cache/apt/archives/curl.deb', manager: 'apt', fix: 'rm -rf /var/lib/apt/lists/*' },
    { path: 'var/cache/apk/APKINDEX.tar.gz', manager: 'apk', fix: '--no-cache' },
    { path: 'etc/apk/cache/APKINDEX.tar.gz', manager: 'apk', fix: '--no-cache' },
    { path: 'var/cache/dnf/repodata.xml', manager: 'dnf/yum', fix: 'dnf clean all' },
    { path: 'var/cache/yum/repodata.xml', manager: 'dnf/yum', fix: 'yum clean all' },
    { path: 'var/cache/zypp/raw/repo.xml', manager: 'zypper', fix: 'zypper clean --all' },
    { path: 'root/.cache/pip/http/wheel', manager: 'pip', fix: '--no-cache-dir' },
    { path: 'home/app/.cache/pip/http/wheel', manager: 'pip', fix: '--no-cache-dir' },
    { path: 'root/.npm/_cacache/index', manager: 'npm', fix: 'npm cache clean --force' },
    { path: 'home/node/.npm/_cacache/index', manager: 'npm', fix: 'npm cache clean --force' },
    { path: 'root/.cache/yarn/v6/pkg.tgz', manager: 'yarn', fix: 'yarn cache clean' },
    { path: 'home/node/.cache/yarn/v6/pkg.tgz', manager: 'yarn', fix: 'yarn cache clean' },
    { path: 'usr/local/share/.cache/yarn/v6/pkg.tgz', manager: 'yarn', fix: 'yarn cache clean' }, // the node image's global yarn cache
    { path: 'root/.local/share/pnpm/store/v3/files/ab', manager: 'pnpm', fix: 'pnpm store prune' },
    { path: 'home/app/.local/share/pnpm/store/v3/files/ab', manager: 'pnpm', fix: 'pnpm store prune' },
    { path: 'root/.pnpm-store/v3/files/ab', manager: 'pnpm', fix: 'pnpm store prune' },
    { path: 'home/app/.pnpm-store/v3/files/ab', manager: 'pnpm', fix: 'pnpm store prune' },
    { path: 'root/.cargo/registry/cache/serde.crate', manager: 'cargo', fix: 'cache mount' },
    { path: 'home/rust/.cargo/registry/cache/serde.crate', manager: 'cargo', fix: 'cache mount' },
    { path: 'usr/local/cargo/registry/cache/serde.crate', manager: 'cargo', fix: 'cache mount' }, // the rust image's CARGO_HOME
    { path: 'root/.cache/go-build/ab/cd-d', manager: 'go', fix: 'cache mounts' },
    { path: 'home/gopher/.cache/go-build/ab/cd-d', manager: 'go', fix: 'cache mounts' },
    { path: 'root/go/pkg/mod/cache/download/x.zip', manager: 'go', fix: 'cache mounts' },
    { path: 'home/gopher/go/pkg/mod/cache/download/x.zip', manager: 'go', fix: 'cache mounts' },
    { path: 'go/pkg/mod/cache/download/x.zip', manager: 'go', fix: 'cache mounts' }, // the golang image's GOPATH
  ];
  it.each(CASES)('/$path is a $manager cache', ({ path: p, manager, fix }) => {
    const img = buildAnalysis([{ command: 'ADD rootfs /', entries: [file('bin/sh', 10)] }, { command: 'install things', entries: [file(p, 100)] }]);
    const caches = findFindings(img, { baseLayers: 0 }).filter((x) => x.kind === 'package-cache');
    expect(caches).toEqual([expect.objectContaining({ manager, bytes: 100, survives: true, pathCount: 1, paths: [{ path: `/${p}`, bytes: 100 }], layers: [expect.objectContaining({ index: 1 })] })]);
    expect(caches[0]!.advice).toContain(fix);
  });

  // Near misses: the rules are anchored, so these are no package cache.
  const NOT: readonly { path: string; why: string }[] = [
    { path: 'var/cache/fontconfig/x.cache-8', why: 'a cache, but no package manager’s' },
    { path: 'var/lib/apt/extended_states', why: 'apt’s state, not its lists' },
    { path: 'root/.cache/other/x', why: 'another tool under ~/.cache' },
    { path: 'home/a/b/.npm/x', why: 'not a home directory: two levels below /home' },
    { path: 'srv/root/.npm/x', why: 'not at the root of the filesystem' },
    { path: 'root/backup/var/lib/apt/lists/main', why: 'apt’s lists path, inside another directory' },
    { path: 'usr/local/lib/node_modules/npm/package.json', why: 'npm itself, not its cache' },
  ];
  it.each(NOT)('/$path is not ($why)', ({ path: p }) => {
    const img = buildAnalysis([{ command: 'ADD rootfs /', entries: [file('bin/sh', 10)] }, { command: 'install things', entries: [file(p, 100)] }]);
    expect(findFindings(img, { baseLayers: 0 }).filter((x) => x.kind === 'package-cache')).toEqual([]);
  });

  it('a cache deleted in a later layer is waste of that layer, not a surviving cache', () => {
    const img = buildAnalysis([
      { command: 'ADD rootfs /', entries: [file('bin/sh', 10)] },
      { command: 'pip install app', entries: [file('root/.cache/pip/http/wheel', 100)] },
      { command: 'rm -rf /root/.cache', entries: [whiteout('root/.cache')] },
    ]);
    const f = findFindings(img, { baseLayers: 0 });
    expect(f.map((x) => [x.kind, x.bytes])).toEqual([['deleted-later', 100]]);
  });
});

describe('what a later layer does to a file: the waste kind, its bytes and its advice', () => {
  // The first layer writes /app/f (1000 bytes, mode 0644, root:root, content v1); the second
  // does one thing to it. Built in memory (no fixture): each row is the smallest image that
  // shows its kind, and the reclaimable figure must say the same.
  const first = { command: 'COPY app /app', entries: [dir('app'), file('app/f', 1000, { content: 'v1' })] };
  const CASES: readonly { name: string; entries: LayerEntry[]; kind: string; advice: string; reclaimable: keyof Reclaimable }[] = [
    { name: 'rm /app/f (a whiteout)', entries: [whiteout('app/f')], kind: 'deleted-later', advice: 'same RUN', reclaimable: 'deletedLaterBytes' },
    { name: 'rm -rf /app (a whiteout of its directory)', entries: [whiteout('app')], kind: 'deleted-later', advice: 'same RUN', reclaimable: 'deletedLaterBytes' },
    { name: 'an opaque /app', entries: [dir('app'), opaque('app')], kind: 'deleted-later', advice: 'same RUN', reclaimable: 'deletedLaterBytes' },
    { name: 'other bytes, same size', entries: [file('app/f', 1000, { content: 'v2' })], kind: 'overwritten', advice: 'write the final version once', reclaimable: 'overwrittenBytes' },
    { name: 'other bytes, other size', entries: [file('app/f', 10, { content: 'v2' })], kind: 'overwritten', advice: 'write the final version once', reclaimable: 'overwrittenBytes' },
    { name: 'chmod 600', entries: [file('app/f', 1000, { content: 'v1', mode: 0o600 })], kind: 'metadata-only', advice: 'COPY --chown', reclaimable: 'metadataOnlyBytes' },
    { name: 'chown 1000', entries: [file('app/f', 1000, { content: 'v1', uid: 1000 })], kind: 'metadata-only', advice: 'COPY --chown', reclaimable: 'metadataOnlyBytes' },
    { name: 'chgrp 1000', entries: [file('app/f', 1000, { content: 'v1', gid: 1000 })], kind: 'metadata-only', advice: 'COPY --chown', reclaimable: 'metadataOnlyBytes' },
    // The same bytes and attributes written again (a `touch`, a `COPY` of the same file, a
    // `chown -R` to the owner it already had): metadata-only waste, with its own advice.
    { name: 'written again unchanged', entries: [file('app/f', 1000, { content: 'v1' })], kind: 'metadata-only', advice: 'same bytes and attributes', reclaimable: 'metadataOnlyBytes' },
  ];
  it.each(CASES)('$name: $kind', ({ entries, kind, advice, reclaimable }) => {
    const img = buildAnalysis([first, { command: 'the second step', entries }]);
    const f = findFindings(img, { baseLayers: 0 }).filter((x) => !x.survives);
    expect(f).toEqual([
      expect.objectContaining({ kind, bytes: 1000, pathCount: 1, paths: [{ path: '/app/f', bytes: 1000 }], layers: [{ index: 0, command: 'RUN COPY app /app' }, { index: 1, command: 'RUN the second step' }] }),
    ]);
    expect(f[0]!.advice).toContain(advice);
    expect(img.reclaimable[reclaimable]).toBe(1000);
    expect(img.reclaimable.totalBytes).toBe(1000);
  });

  it('the two metadata-only causes stay apart: a chmod and an unchanged rewrite of two files are two findings', () => {
    const img = buildAnalysis([
      { command: 'COPY app /app', entries: [dir('app'), file('app/a', 300, { content: 'a' }), file('app/b', 700, { content: 'b' })] },
      { command: 'chmod 600 /app/a && touch /app/b', entries: [file('app/a', 300, { content: 'a', mode: 0o600 }), file('app/b', 700, { content: 'b' })] },
    ]);
    const meta = findFindings(img, { baseLayers: 0 }).filter((x) => x.kind === 'metadata-only');
    expect(meta.map((x) => [x.paths.map((p) => p.path), x.bytes, x.advice.includes('same bytes')])).toEqual([
      [['/app/b'], 700, true],
      [['/app/a'], 300, false],
    ]);
  });

  it('a file written twice in one layer: the first copy is overwritten by that same layer', () => {
    const img = buildAnalysis([{ command: 'ADD rootfs /', entries: [file('bin/sh', 10)] }, { command: 'build', entries: [dir('out'), file('out/x', 400, { content: '1' }), file('out/x', 400, { content: '2' })] }]);
    expect(findFindings(img, { baseLayers: 0 })).toEqual([expect.objectContaining({ kind: 'overwritten', bytes: 400, layers: [expect.objectContaining({ index: 1 })] })]);
  });
});
