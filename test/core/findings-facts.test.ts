import { describe, expect, it } from 'vitest';
import { findFindings, ownersByPath, type Finding, type FindingOwner, type OwnerTable } from '../../src/core/findings.js';
import { withoutIgnored, type Analysis } from '../../src/core/index.js';
import { buildAnalysis, dir, file, whiteout } from '../helpers/build-analysis.js';

/**
 * The rules of the findings that rest on facts beyond the layers: who owns a path (an owner
 * table, here written by hand as a map from path to package — the real one, read from dpkg's
 * database, is in test/e2e/findings-debian.test.ts), which layers are the base, which files are a
 * package manager's own, and which layer wrote a copy's content.
 */

/** An owner table for `a`: each listed path is owned by its package at every layer where it exists. */
function ownersOf(a: Analysis, byPath: Readonly<Record<string, string>>): OwnerTable {
  return {
    ownerAt(layer: number, pathId: number): FindingOwner | undefined {
      if (a.tree.entryIdAt(layer, pathId) < 0) return undefined;
      const pkg = byPath[a.tree.pathOf(pathId)];
      if (pkg === undefined) return undefined;
      const [manager, name] = pkg.split(' ') as [string, string];
      return { manager, name };
    },
  };
}

const layersOf = (f: Finding | undefined) => f?.layers.map((l) => l.index);

/** The figures add up: each waste kind to no more than its part of reclaimable, all of them to no more than the total. */
function expectWithinReclaimable(a: Analysis, f: readonly Finding[]): void {
  const sum = (pred: (x: Finding) => boolean) => f.filter(pred).reduce((s, x) => s + x.bytes, 0);
  const r = a.reclaimable;
  expect(sum((x) => x.kind === 'deleted-later')).toBeLessThanOrEqual(r.deletedLaterBytes);
  expect(sum((x) => x.kind === 'overwritten')).toBeLessThanOrEqual(r.overwrittenBytes);
  expect(sum((x) => x.kind === 'metadata-only')).toBeLessThanOrEqual(r.metadataOnlyBytes);
  expect(sum((x) => x.kind === 'duplicate-content')).toBeLessThanOrEqual(r.duplicateContentBytes);
  expect(sum((x) => !x.survives)).toBeLessThanOrEqual(r.totalBytes);
  // every waste finding is one of the reclaimable kinds
  expect(f.filter((x) => !x.survives).every((x) => ['deleted-later', 'overwritten', 'metadata-only', 'duplicate-content', 'base-image'].includes(x.kind))).toBe(true);
}

describe('findings use ownership', () => {
  // L0 base; L1 apt-get install of a -dev package and a library with docs; L2 removes the docs
  // and the headers later; L3 builds from the context.
  const a = buildAnalysis([
    { command: 'ADD rootfs /', entries: [dir('usr'), dir('usr/lib'), file('usr/lib/libc.so.6', 900)] },
    {
      command: 'apt-get install -y libx-dev',
      entries: [
        dir('usr/include'),
        file('usr/include/x.h', 300),
        file('usr/lib/libx.so.1', 700),
        file('usr/lib/libx.a', 500),
        dir('usr/share/doc/libx1'),
        file('usr/share/doc/libx1/changelog.gz', 4000),
        dir('usr/share/man/man3'),
        file('usr/share/man/man3/x.3.gz', 600),
        file('usr/share/doc/libr1/changelog.gz', 200),
      ],
    },
    { command: 'rm -rf /usr/share/doc/libx1 /usr/share/man /usr/include/x.h', entries: [whiteout('usr/share/doc/libx1'), whiteout('usr/share/man'), whiteout('usr/include/x.h')] },
    { command: '#(nop) COPY dir:abc in /src', entries: [dir('src'), file('src/libapp.a', 80), file('src/libapp.so', 90), file('src/tmp.bin', 50)] },
    { command: 'rm /src/tmp.bin', entries: [whiteout('src/tmp.bin')] },
    { command: 'make -C /opt', entries: [dir('opt'), file('opt/libm2.a', 40), file('opt/libm2.so', 45)] },
  ]);
  const owners = ownersOf(a, {
    'usr/include/x.h': 'dpkg libx-dev',
    'usr/lib/libx.a': 'dpkg libx-dev',
    'usr/lib/libx.so.1': 'dpkg libx1',
    'usr/share/doc/libx1/changelog.gz': 'dpkg libx1',
    'usr/share/man/man3/x.3.gz': 'dpkg libx-dev',
    'usr/share/doc/libr1/changelog.gz': 'dpkg libr1',
  });
  const f = findFindings(a, { baseLayers: 1, owners });
  const plain = findFindings(a, { baseLayers: 1 });

  it('a static library apt installed: the -dev packages in a build stage, never .dockerignore', () => {
    const lib = f.find((x) => x.kind === 'build-leftovers' && x.paths[0]!.path === '/usr/lib/libx.a');
    expect(lib).toMatchObject({ bytes: 500, owners: [{ manager: 'dpkg', name: 'libx-dev' }], fromBase: false, layers: [{ index: 1 }] });
    expect(lib!.advice).toBe('static archives beside their shared libraries of installed packages rarely belong in a runtime image: install the -dev and build packages only in a build stage and COPY what runs into the final one');
    expect(f.every((x) => x.owners.length === 0 || !x.advice.includes('.dockerignore'))).toBe(true);
  });

  it('.dockerignore only for files a COPY from the build context brought in', () => {
    const copied = f.find((x) => x.paths[0]?.path === '/src/libapp.a')!;
    expect(copied).toMatchObject({ kind: 'build-leftovers', owners: [], layers: [{ index: 3 }] });
    expect(copied.advice).toContain('.dockerignore');
    const built = f.find((x) => x.paths[0]?.path === '/opt/libm2.a')!;
    expect(built).toMatchObject({ kind: 'build-leftovers', owners: [], layers: [{ index: 5 }] });
    expect(built.advice).not.toContain('.dockerignore');
    // an ADD of a file may have unpacked an archive: no .dockerignore leaves out what is inside
    const added = buildAnalysis([
      { command: '#(nop) ADD file:6a3f0c in /', entries: [dir('usr'), file('usr/lib/libold.so', 100)] },
      { command: 'rm /usr/lib/libold.so', entries: [whiteout('usr/lib/libold.so')] },
    ]);
    expect(findFindings(added, { baseLayers: 0 })[0]!.advice).not.toContain('.dockerignore');
    // a file the COPY brought in and a later step deleted: leave it out of the COPY
    expect(f.find((x) => x.kind === 'deleted-later' && x.paths[0]?.path === '/src/tmp.bin')!.advice).toBe(
      'a COPY brings in files a later step deletes: leave them out of the COPY (narrower sources, or .dockerignore)',
    );
  });

  it("package docs deleted later: dpkg's path-exclude or the same RUN; headers: a build stage; each with its owners, largest first", () => {
    const docs = f.find((x) => x.kind === 'deleted-later' && x.paths.some((p) => p.path === '/usr/share/doc/libx1/changelog.gz'))!;
    expect(docs).toMatchObject({ bytes: 4600, layers: [{ index: 1 }, { index: 2 }], owners: [{ manager: 'dpkg', name: 'libx1' }, { manager: 'dpkg', name: 'libx-dev' }], fromBase: false });
    expect(docs.advice).toBe(
      "deleting packages' documentation in a later step saves nothing: keep the package manager from installing them (for dpkg, a file in /etc/dpkg/dpkg.cfg.d/ with `path-exclude=/usr/share/doc/*` (and man, info, locale) written before `apt-get install`), or delete them in the same RUN as the install",
    );
    const headers = f.find((x) => x.kind === 'deleted-later' && x.paths[0]!.path === '/usr/include/x.h')!;
    expect(headers).toMatchObject({ bytes: 300, owners: [{ manager: 'dpkg', name: 'libx-dev' }] });
    expect(headers.advice).toContain('install the -dev and build packages only in a build stage');
  });

  it('without an owner table the same bytes come out, with no owners and no claim about packages', () => {
    const sum = (xs: readonly Finding[]) => xs.reduce((s, x) => s + x.bytes, 0);
    expect(sum(plain)).toBe(sum(f));
    expect(plain.every((x) => x.owners.length === 0)).toBe(true);
    expect(plain.some((x) => /package|path-exclude/.test(x.advice))).toBe(false);
    expectWithinReclaimable(a, f);
    expectWithinReclaimable(a, plain);
  });

  it('rpm and apk documentation get their own managers’ fixes', () => {
    const img = buildAnalysis([
      { command: 'ADD rootfs /', entries: [file('etc/os-release', 10)] },
      { command: 'dnf install -y x', entries: [dir('usr/share/doc/x'), file('usr/share/doc/x/README', 300)] },
      { command: 'apk add y', entries: [dir('usr/share/man/man1'), file('usr/share/man/man1/y.1', 200)] },
      { command: 'rm -rf /usr/share/doc /usr/share/man', entries: [whiteout('usr/share/doc'), whiteout('usr/share/man')] },
    ]);
    const got = findFindings(img, { baseLayers: 1, owners: ownersOf(img, { 'usr/share/doc/x/README': 'rpm x', 'usr/share/man/man1/y.1': 'apk y' }) });
    expect(got.find((x) => x.owners[0]?.name === 'x')!.advice).toContain('`dnf install --setopt=tsflags=nodocs`');
    // apk has no switch for documentation: the same RUN only
    expect(got.find((x) => x.owners[0]?.name === 'y')!.advice).toBe("deleting packages' documentation in a later step saves nothing: delete them in the same RUN as the install");
  });
});

describe("a package manager's own files are its own cause", () => {
  // Three apt layers and a later apt-get clean: lists and dpkg's database rewritten by each, the
  // .debs deleted by the clean.
  const apt = (lists: string, status: string, debs: readonly string[]) => [
    dir('var/lib/apt/lists'),
    file('var/lib/apt/lists/deb.debian.org_dists_main_Packages', 30000, { content: lists }),
    dir('var/lib/dpkg'),
    file('var/lib/dpkg/status', 2000, { content: status }),
    dir('var/cache/apt/archives'),
    ...debs.map((d) => file(`var/cache/apt/archives/${d}.deb`, 10000)),
    file('var/log/apt/history.log', 100, { content: `log ${status}` }),
  ];
  const a = buildAnalysis([
    { command: 'ADD rootfs /', entries: [dir('var'), dir('var/lib'), dir('var/lib/dpkg'), file('var/lib/dpkg/status', 1500, { content: 's0' }), dir('etc'), file('etc/motd', 50)] },
    { command: 'apt-get update && apt-get install -y curl', entries: apt('l1', 's1', ['curl']) },
    { command: 'apt-get update && apt-get install -y git', entries: apt('l2', 's2', ['git']) },
    { command: 'apt-get update && apt-get install -y make', entries: apt('l3', 's3', ['make']) },
    { command: 'apt-get clean', entries: [whiteout('var/cache/apt/archives/curl.deb'), whiteout('var/cache/apt/archives/git.deb'), whiteout('var/cache/apt/archives/make.deb')] },
  ]);
  const f = findFindings(a, { baseLayers: 1 });
  const aptOnes = f.filter((x) => x.manager === 'apt');

  it('one finding per manager and kind covers every layer, with one fix', () => {
    const deleted = aptOnes.find((x) => x.kind === 'deleted-later' && !x.fromBase)!;
    expect(deleted).toMatchObject({ bytes: 30000, pathCount: 3, survives: false });
    expect(layersOf(deleted)).toEqual([1, 2, 3, 4]);
    const overwritten = aptOnes.find((x) => x.kind === 'overwritten' && !x.fromBase)!;
    // the lists and the status of L1 and L2 (each replaced by the next), and the log
    expect(overwritten).toMatchObject({ bytes: 2 * (30000 + 2000 + 100), pathCount: 3 });
    expect(layersOf(overwritten)).toEqual([1, 2, 3]);
    expect(deleted.advice).toBe(overwritten.advice);
    expect(deleted.advice).toContain('one `apt-get update && apt-get install … && apt-get clean && rm -rf /var/lib/apt/lists/*` per RUN');
    // never plain: no apt path is in a finding without the manager
    expect(f.filter((x) => x.manager === undefined).flatMap((x) => x.paths).filter((p) => /^\/var\/(?:lib\/(?:apt|dpkg)|cache\/apt|log\/apt)\//.test(p.path))).toEqual([]);
  });

  it("the base's own dpkg database, replaced by the first apt layer, is apt's and the base's: that copy cannot be saved", () => {
    const base = aptOnes.find((x) => x.fromBase)!;
    expect(base).toMatchObject({ kind: 'overwritten', bytes: 1500, paths: [{ path: '/var/lib/dpkg/status', bytes: 1500 }], layers: [{ index: 0 }, { index: 1 }] });
    expect(base.advice).toBe("a later apt step stores the base image's apt files again, and the base layer keeps its copies: only a base that already has what you install avoids that");
  });

  it('the lists that survive are a package cache, apart from the waste', () => {
    expect(f.filter((x) => x.kind === 'package-cache')).toEqual([expect.objectContaining({ manager: 'apt', bytes: 30000, fromBase: false, layers: [expect.objectContaining({ index: 3 })] })]);
    expectWithinReclaimable(a, f);
  });
});

describe('the base image is not yours', () => {
  const a = buildAnalysis([
    { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/big.dat', 8000), file('etc/conf', 300, { content: 'c0' }), file('etc/tmp', 700), dir('opt'), file('opt/tool', 900)] },
    { command: 'rm /etc/tmp', entries: [whiteout('etc/tmp')] }, // still the base
    { command: 'rm /etc/big.dat', entries: [whiteout('etc/big.dat')] },
    { command: 'chmod 600 /etc/conf', entries: [file('etc/conf', 300, { content: 'c0', mode: 0o600 })] },
    { command: 'cp /opt/tool /opt/tool2', entries: [file('opt/tool2', 900, { content: 'opt/tool#900' })] },
  ]);
  const f = findFindings(a, { baseLayers: 2 });

  it('deleting or chmod-ing base files later saves nothing: pick a slimmer base or drop the step', () => {
    expect(f.find((x) => x.kind === 'deleted-later')).toMatchObject({ bytes: 8000, fromBase: true, layers: [{ index: 0 }, { index: 2 }] });
    expect(f.find((x) => x.kind === 'deleted-later')!.advice).toBe('these files come from the base image: deleting them in a later layer saves nothing, as the base layer keeps them: choose a slimmer base, or drop the step');
    expect(f.find((x) => x.kind === 'metadata-only')).toMatchObject({ bytes: 300, fromBase: true, layers: [{ index: 0 }, { index: 3 }] });
    expect(f.find((x) => x.kind === 'metadata-only')!.advice).toMatch(/^changing the owner or mode of the base image's files .* drop the step$/);
  });

  it('waste entirely inside the base is one base-image finding; a copy of a base file blames both writers', () => {
    expect(f.filter((x) => x.kind === 'base-image')).toEqual([expect.objectContaining({ bytes: 700, fromBase: true, layers: [expect.objectContaining({ index: 0 }), expect.objectContaining({ index: 1 })] })]);
    expect(f.find((x) => x.kind === 'duplicate-content')).toMatchObject({ bytes: 900, fromBase: false, layers: [{ index: 0 }, { index: 4 }], paths: [{ path: '/opt/tool2' }] });
    expectWithinReclaimable(a, f);
  });
});

describe('blame the writer', () => {
  it('a duplicate is blamed on the layer that wrote the content, not on a later chown', () => {
    // git's install writes the same binary twice; a later chown -R stores both again unchanged
    const a = buildAnalysis([
      { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/x', 10)] },
      { command: 'apt-get install -y git', entries: [dir('usr/bin'), file('usr/bin/git', 3000, { content: 'git' }), dir('usr/lib/git-core'), file('usr/lib/git-core/git', 3000, { content: 'git' })] },
      { command: 'chown -R app /usr', entries: [file('usr/bin/git', 3000, { content: 'git', uid: 1000 }), file('usr/lib/git-core/git', 3000, { content: 'git', uid: 1000 })] },
    ]);
    const f = findFindings(a, { baseLayers: 1, owners: ownersOf(a, { 'usr/bin/git': 'dpkg git', 'usr/lib/git-core/git': 'dpkg git' }) });
    const dup = f.find((x) => x.kind === 'duplicate-content')!;
    expect(layersOf(dup)).toEqual([1]);
    expect(dup.owners).toEqual([{ manager: 'dpkg', name: 'git' }]);
    expect(dup.advice).toContain('installed at several paths by packages');
    // the chown's own copies are its metadata-only finding
    expect(f.find((x) => x.kind === 'metadata-only')).toMatchObject({ bytes: 6000, layers: [{ index: 1 }, { index: 2 }] });
    expectWithinReclaimable(a, f);
  });
});

describe('ownersByPath', () => {
  it('looks an owner up by name in the tree the table was read with, for an analysis the ignore list rebuilt', () => {
    const a = buildAnalysis([
      { command: 'ADD rootfs /', entries: [dir('etc'), file('etc/x', 10)] },
      { command: 'apt-get install -y libx-dev', entries: [dir('aaa'), file('aaa/ignored', 5), dir('usr/lib'), file('usr/lib/libx.a', 500), file('usr/lib/libx.so', 60)] },
    ]);
    const table = ownersOf(a, { 'usr/lib/libx.a': 'dpkg libx-dev' });
    const { analysis: kept } = withoutIgnored(a, (p) => p.startsWith('/aaa/'));
    expect(kept.tree).not.toBe(a.tree);
    const f = findFindings(kept, { baseLayers: 1, owners: ownersByPath(table, a.tree, kept.tree) });
    expect(f.find((x) => x.kind === 'build-leftovers')!.owners).toEqual([{ manager: 'dpkg', name: 'libx-dev' }]);
  });
});
