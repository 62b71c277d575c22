import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportV1 } from '../../src/report/json-export.js';
import { CAN_DEBOOTSTRAP, DEBIAN_SUITE, debootstrapMinbase } from '../helpers/debootstrap.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { LayerTrees } from '../helpers/layer-trees.js';
import { runAsync } from '../helpers/packages.js';
import { runCli } from '../helpers/run-cli.js';

// Findings on a real Debian image: the shared debootstrapped minbase as the base layer, then
// real apt-get runs in it (chroot, from the Debian mirror), each committed as a layer the way a
// container builder commits a RUN. The four cases the findings used to get wrong:
//   1. base files deleted later were told to "delete them in the same RUN";
//   2. apt's .debs removed by a later apt-get clean came out as separate "deleted later"
//      findings, its lists and dpkg's database as "overwritten";
//   3. a static library apt-get install pulled in was told to use .dockerignore;
//   4. duplicated files were blamed on the chown -R layer that stored them again.
// Only as root with debootstrap (and the mirror) at hand. The image takes a minute to build: it
// is kept in the temporary directory (complete or not at all) and later runs load it.

type F = ExportV1['findings'][number];

const STEPS = [
  'apt-get update && apt-get install -y --no-install-recommends libzstd-dev zstd',
  'chown -R nobody:nogroup /usr/share/doc/libzstd-dev /usr/share/doc/zstd',
  'rm -rf /usr/share/man/*',
  'apt-get install -y --no-install-recommends lz4',
  'apt-get clean',
] as const;

/** The image: the minbase, then each step run in the root and committed. */
async function debianImage(): Promise<string> {
  const cached = path.join(os.tmpdir(), `inspect-tui-findings-debian-${DEBIAN_SUITE}.tar`);
  if (existsSync(cached)) return cached;
  const base = await debootstrapMinbase();
  const t = new LayerTrees();
  await runAsync('cp', ['-a', `${base}/.`, t.root]);
  await t.commit(`debootstrap --variant=minbase ${DEBIAN_SUITE}`);
  for (const step of STEPS) {
    // apt's download sandbox user cannot be switched to in a bare chroot: apt runs as root.
    await runAsync('chroot', [t.root, '/usr/bin/env', 'DEBIAN_FRONTEND=noninteractive', '/bin/sh', '-c', step.replace(/apt-get /g, 'apt-get -q -o APT::Sandbox::User=root ')]);
    await t.commit(step);
  }
  const building = `${cached}.${process.pid}`;
  writeFileSync(building, await t.image('debian:findings'));
  renameSync(building, cached);
  return cached;
}

describe.skipIf(!CAN_DEBOOTSTRAP)('findings on a Debian image with apt layers', () => {
  let image: string;
  let e: ExportV1;
  let text: string;
  const cache = () => ({ XDG_CACHE_HOME: tmpDir('findings-debian-cache-') });

  beforeAll(async () => {
    image = await debianImage();
    const r = runCli(['--json', '-', '--quiet', '--base-layers', '1', image], { env: { CI: '', ...cache() } });
    expect(r.code, r.stderr).toBe(0);
    e = JSON.parse(r.stdout) as ExportV1;
    const ci = runCli(['--ci', '--base-layers', '1', image], { env: { CI: 'true', ...cache() } });
    text = ci.stdout;
  }, 900_000);

  const find = (pred: (f: F) => boolean) => e.findings.filter(pred);
  const layers = (f: F | undefined) => f?.layers.map((l) => l.index);
  const owners = (f: F | undefined) => f?.owners.map((o) => `${o.manager} ${o.name}`);

  const APT_FIX =
    'every layer that runs apt stores its lists, caches and dpkg database again: use one `apt-get update && apt-get install … && apt-get clean && rm -rf /var/lib/apt/lists/*` per RUN, in as few RUNs as you can, or cache mounts (`RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt/lists`)';
  const APT_PATH = /^\/var\/(?:lib\/(?:apt|dpkg)\/|cache\/(?:apt|debconf)\/|log\/apt\/|log\/(?:dpkg|alternatives)\.log$)/;

  it("apt's .debs, lists and dpkg's database: one finding per kind over every apt layer, with apt's one fix", () => {
    // the .debs of L1 and L4 and apt's caches, removed by L5's apt-get clean
    const deleted = find((f) => f.manager === 'apt' && f.kind === 'deleted-later' && !f.fromBase);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ survives: false, owners: [], advice: APT_FIX });
    expect(layers(deleted[0])).toEqual([1, 4, 5]);
    expect(deleted[0]!.paths.map((p) => p.path)).toEqual(
      expect.arrayContaining(['/var/cache/apt/pkgcache.bin', '/var/cache/apt/archives/zstd_1.5.4+dfsg2-5_amd64.deb', '/var/cache/apt/archives/libzstd-dev_1.5.4+dfsg2-5_amd64.deb', expect.stringMatching(/^\/var\/cache\/apt\/archives\/lz4_.*\.deb$/)]),
    );
    // dpkg's database and apt's caches, written by L1 and again by L4
    const overwritten = find((f) => f.manager === 'apt' && f.kind === 'overwritten' && !f.fromBase);
    expect(overwritten).toHaveLength(1);
    expect(overwritten[0]).toMatchObject({ owners: [], advice: APT_FIX });
    expect(layers(overwritten[0])).toEqual([1, 4]);
    expect(overwritten[0]!.paths.map((p) => p.path)).toEqual(expect.arrayContaining(['/var/lib/dpkg/status']));
    // never plain deleted-later or overwritten
    expect(find((f) => f.manager === null && !f.survives && f.kind !== 'base-image').flatMap((f) => f.paths.map((p) => p.path)).filter((p) => APT_PATH.test(p))).toEqual([]);
    // the lists apt-get update added survive: apt's cache, its own fix
    expect(find((f) => f.kind === 'package-cache' && !f.fromBase)).toEqual([
      expect.objectContaining({ manager: 'apt', layers: [expect.objectContaining({ index: 1 })], paths: [expect.objectContaining({ path: expect.stringMatching(/^\/var\/lib\/apt\/lists\/.*Translation-en$/) })] }),
    ]);
  });

  it('the base is not yours: its files deleted later save nothing, and no advice about the base says "same RUN"', () => {
    // rm -rf /usr/share/man/*: the base's man pages
    const man = find((f) => f.kind === 'deleted-later' && f.fromBase && f.manager === null);
    expect(man).toHaveLength(1);
    expect(layers(man[0])).toEqual([0, 3]);
    expect(man[0]!.paths.every((p) => p.path.startsWith('/usr/share/man/'))).toBe(true);
    expect(man[0]!.owners.length).toBeGreaterThan(0);
    expect(man[0]!.owners.every((o) => o.manager === 'dpkg')).toBe(true);
    expect(man[0]!.advice).toBe('these files come from the base image: deleting them in a later layer saves nothing, as the base layer keeps them: choose a slimmer base, or drop the step');
    // the base's .debs removed by apt-get clean: apt's files, and the base's
    const debs = find((f) => f.kind === 'deleted-later' && f.fromBase && f.manager === 'apt');
    expect(debs).toHaveLength(1);
    expect(debs[0]!.advice).toBe('these apt files come from the base image: deleting them in a later layer saves nothing, as the base layer keeps them: choose a base without them, or drop the step');
    // the lists debootstrap left survive as the base's cache
    expect(find((f) => f.kind === 'package-cache' && f.fromBase)).toEqual([expect.objectContaining({ manager: 'apt', layers: [expect.objectContaining({ index: 0 })], advice: expect.stringMatching(/^this cache comes with the base image/) })]);
    for (const f of find((x) => x.fromBase)) expect(f.advice).not.toMatch(/same RUN/);
    expect(find((f) => f.kind === 'base-image')).toEqual([expect.objectContaining({ fromBase: true, layers: [expect.objectContaining({ index: 0 })] })]);
  });

  it("the docs L1's packages installed and L3 deleted: dpkg's path-exclude, owned by zstd", () => {
    const docs = find((f) => f.kind === 'deleted-later' && !f.fromBase && f.manager === null);
    expect(docs).toHaveLength(1);
    expect(layers(docs[0])).toEqual([1, 3]);
    expect(owners(docs[0])).toEqual(['dpkg zstd']);
    expect(docs[0]!.paths.map((p) => p.path)).toEqual(expect.arrayContaining(['/usr/share/man/man1/zstd.1.gz']));
    expect(docs[0]!.advice).toContain('a file in /etc/dpkg/dpkg.cfg.d/ with `path-exclude=/usr/share/doc/*`');
  });

  it('the static library and headers apt-get install pulled in: the -dev package in a build stage, never .dockerignore', () => {
    const lib = find((f) => f.kind === 'build-leftovers' && f.paths[0]!.path === '/usr/lib/x86_64-linux-gnu/libzstd.a');
    expect(lib).toEqual([expect.objectContaining({ bytes: 936960, fromBase: false, owners: [{ manager: 'dpkg', name: 'libzstd-dev:amd64' }], layers: [expect.objectContaining({ index: 1 })] })]);
    expect(lib[0]!.advice).toBe(
      'static archives beside their shared libraries of installed packages rarely belong in a runtime image: install the -dev and build packages only in a build stage and COPY what runs into the final one',
    );
    const headers = find((f) => f.kind === 'build-leftovers' && f.paths[0]!.path.startsWith('/usr/include/'));
    expect(headers).toEqual([expect.objectContaining({ owners: [{ manager: 'dpkg', name: 'libzstd-dev:amd64' }], advice: expect.stringMatching(/^headers of installed packages .*build stage/) })]);
    expect(e.findings.filter((f) => f.advice.includes('.dockerignore'))).toEqual([]);
  });

  it('duplicates are blamed on the layers that wrote each copy, never on the chown -R that stored them again', () => {
    const dups = find((f) => f.kind === 'duplicate-content');
    expect(dups.length).toBeGreaterThan(0);
    for (const d of dups) expect(layers(d)).not.toContain(2);
    // libzstd1's docs (the base) copied by libzstd-dev and zstd (L1), then chown-ed by L2
    const zstd = dups.find((d) => d.paths.some((p) => p.path === '/usr/share/doc/zstd/copyright'));
    expect(layers(zstd)).toEqual([0, 1]);
    expect(owners(zstd)).toEqual(expect.arrayContaining(['dpkg libzstd-dev:amd64', 'dpkg zstd', 'dpkg libzstd1:amd64']));
    // the chown's own copies are the metadata-only finding
    expect(find((f) => f.kind === 'metadata-only').map(layers)).toEqual([[1, 2]]);
  });

  it('the export, owners and all, matches the shipped schema', () => {
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(path.join(ROOT, 'schema', 'export-v1.schema.json'), 'utf8')) as object);
    expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(e.findings.some((f) => f.owners.length === 5)).toBe(true); // the cap is reached here
  });

  it('the figures add up: each kind within its part of reclaimable, all within the total', () => {
    const sum = (kind: string) => e.findings.filter((f) => f.kind === kind).reduce((s, f) => s + f.bytes, 0);
    const r = e.summary.reclaimable;
    expect(sum('deleted-later')).toBeLessThanOrEqual(r.deletedLaterBytes);
    expect(sum('overwritten')).toBeLessThanOrEqual(r.overwrittenBytes);
    expect(sum('metadata-only')).toBeLessThanOrEqual(r.metadataOnlyBytes);
    expect(sum('duplicate-content')).toBeLessThanOrEqual(r.duplicateContentBytes);
    expect(e.findings.filter((f) => !f.survives).reduce((s, f) => s + f.bytes, 0)).toBeLessThanOrEqual(r.totalBytes);
  });

  it('the CI text says "reclaimable" for what the findings add up to, and names the manager, the layers and the owners', () => {
    expect(text).toMatch(/^Findings:\n {2}\d[\d.]* [kMG]?B reclaimable, /m);
    expect(text).toMatch(/ {2}apt's own files deleted in a later layer {2}L1, L4, L5\n/);
    expect(text).toMatch(/package manager cache kept \(apt, from the base image\) {2}L0/);
    // "wasted" is dive's figure only (wastedBytes, its rules' messages, Wasted Space), never the findings'
    const section = text.slice(text.indexOf('Findings:'), text.indexOf('Inefficient Files:'));
    expect(section.length).toBeGreaterThan(100);
    expect(section).not.toMatch(/wasted/i);
  });

  it('without --base-layers (the guess: no timestamps, no base) the findings still carry their owners, through the cached figures', () => {
    const env = { CI: '', ...cache() };
    for (let run = 0; run < 2; run++) {
      const r = runCli(['--json', '-', '--quiet', image], { env });
      expect(r.code, r.stderr).toBe(0);
      const plain = JSON.parse(r.stdout) as ExportV1;
      expect(plain.findings.find((f) => f.paths[0]?.path === '/usr/lib/x86_64-linux-gnu/libzstd.a')?.owners).toEqual([{ manager: 'dpkg', name: 'libzstd-dev:amd64' }]);
      expect(plain.findings.every((f) => !f.fromBase)).toBe(true);
    }
  }, 120_000);
});
