import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLayer } from '../../src/archive/read-layer.js';
import { mergedPaths } from '../helpers/layers.js';
import { toExportV1 } from '../../src/report/json-export.js';
import { formatPlatform, parsePlatform } from '../../src/reference/platform.js';
import { parseReference } from '../../src/reference/reference.js';
import { openImage } from '../../src/sources/table.js';
import { validateImage } from '../helpers/conformance.js';
import { FIXTURES, NO_FIXTURES } from '../helpers/image-files.js';
import { analyzeArg as load, localSettings } from '../helpers/load.js';

const F = FIXTURES ?? '';
const settings = (platform?: string) => localSettings({ platform: platform === undefined ? undefined : parsePlatform(platform) });
const analyzeArg = async (arg: string, platform?: string) => (await load(arg, { settings: settings(platform) })).analysis;

describe.skipIf(!FIXTURES)(`conformance over ../shared/fixtures${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  const img = (p: string) => path.join(F, 'images', p);
  const dive = (p: string) => path.join(F, 'dive', p);

  it("test-docker-image.tar gives exactly dive's published figures", async () => {
    const a = await analyzeArg(`docker-archive:${dive('test-docker-image.tar')}`);
    expect(a.efficiency).toBe(0.9844212134184309);
    expect(a.sizeBytes).toBe(1220598);
    expect(a.userSizeBytes).toBe(66237);
    expect(a.wastedBytes).toBe(32025);
    expect(a.userWastedPercent).toBe(0.4834911001404049);
    expect(a.layers).toHaveLength(14);
  });

  it('every format of the edge image gives the same JSON summary', async () => {
    const args = [
      `docker-archive:${img('edge.docker-archive.tar')}`,
      `docker-archive:${img('edge.docker25-save.tar')}`,
      `oci-archive:${img('edge.oci-archive.tar')}`,
      `oci-archive:${img('edge.oci-zstd.tar')}`,
      `oci:${img('edge-oci-layout')}`,
      img('edge.docker-archive.tar'), // sniffed
      img('edge.oci-archive.tar'), // sniffed
    ];
    const exports = [];
    for (const arg of args) exports.push(toExportV1(await analyzeArg(arg)));
    for (const e of exports.slice(1)) expect(e.summary).toEqual(exports[0]!.summary);
    // layer commands and change counts agree too
    for (const e of exports.slice(1)) expect(e.layers.map((l) => [l.command, l.sizeBytes, l.changes])).toEqual(exports[0]!.layers.map((l) => [l.command, l.sizeBytes, l.changes]));
    expect(exports[0]!.summary.layerCount).toBe(12);
    expect(exports[0]!.inefficientFiles.length).toBeGreaterThan(0);
  });

  it("edge-opaque's merged /data holds only only-this", async () => {
    const a = await analyzeArg(`oci-archive:${img('edge-opaque.oci-archive.tar')}`);
    const data = [...mergedPaths(a).keys()].filter((p) => p.startsWith('data/'));
    expect(data).toEqual(['data/only-this']);
    // one layer below, /data still held the earlier files
    const before = [...mergedPaths(a, a.layers.length - 2).keys()].filter((p) => p.startsWith('data/'));
    expect(before.length).toBeGreaterThan(5);
  });

  it('the edge image shows its whiteouts, the re-added identical file, and the chmod/chown-only change', async () => {
    const a = await analyzeArg(`oci:${img('edge-oci-layout')}`);
    const m = mergedPaths(a);
    expect(m.has('data/a/f2')).toBe(false);
    expect(m.has('data/a/b')).toBe(false);
    expect(m.has('many')).toBe(false);
    expect(m.get('data/keep/new')?.type).toBe('file');
    expect(m.has('data/keep/k')).toBe(false);
    // the builder stored the copy once and the other name as a hard link to it
    expect(m.get('usr/bin/bb-hard')).toMatchObject({ type: 'file', mode: 0o4755 });
    expect(m.get('usr/bin/bb2')).toMatchObject({ type: 'hardlink', linkTarget: 'usr/bin/bb-hard' });
    expect(m.get('usr/bin/bb-sym')).toMatchObject({ type: 'symlink', linkTarget: '/usr/bin/bb2' });
    // the copy of busybox is identical content at another path
    expect(a.reclaimable.duplicateContentBytes).toBe(m.get('usr/bin/bb-hard')!.size);
    expect(m.get('data/dangling')).toMatchObject({ type: 'symlink', linkTarget: '/nonexistent' });
    expect(m.get('data/fifo')?.type).toBe('fifo');
    expect(m.has('data/ünïcödé name.txt')).toBe(true);
    expect([...m.keys()].some((p) => p.endsWith('file-with-a-long-name-too.txt') && p.length > 255)).toBe(true);
    // the layer that rewrote big.bin with identical bytes and the chmod/chown layer
    const changes = a.layers.map((l) => l.changes);
    expect(changes.some((c) => c.unmodified >= 1)).toBe(true);
    expect(a.reclaimable.metadataOnlyBytes).toBeGreaterThanOrEqual(512 * 1024);
    // 3000 files added then removed
    expect(changes.some((c) => c.added >= 3000)).toBe(true);
    expect(changes.some((c) => c.removed >= 3000)).toBe(true);
  });

  it('multiarch picks amd64 by default and arm64 with --platform linux/arm64', async () => {
    const amd = await analyzeArg(`oci-archive:${img('multiarch.oci-archive.tar')}`, process.arch === 'arm64' ? 'linux/amd64' : undefined);
    expect(formatPlatform(amd.identity.platform!)).toBe('linux/amd64');
    const arm = await analyzeArg(`oci-archive:${img('multiarch.oci-archive.tar')}`, 'linux/arm64');
    expect(formatPlatform(arm.identity.platform!)).toMatch(/^linux\/arm64/);
    expect(arm.identity.digest).not.toBe(amd.identity.digest);
    await expect(analyzeArg(`oci-archive:${img('multiarch.oci-archive.tar')}`, 'linux/s390x')).rejects.toThrow(
      /has no image for platform linux\/s390x \(present: linux\/amd64, linux\/arm64/,
    );
  });

  it("reads skopeo's symlinked layer entries and kaniko's gzip layers", async () => {
    const skopeo = await openImage(parseReference(`docker-archive:${img('edge.docker-archive.tar')}`), settings());
    await validateImage(skopeo);
    const kaniko = await openImage(parseReference(`docker-archive:${dive('test-kaniko-image.tar')}`), settings());
    const first = await kaniko.layers[0]!.read();
    expect(first.compression).toBe('gzip');
    expect(first.entries.length).toBeGreaterThan(100);
    await validateImage(kaniko);
  });

  it.each(['edge.docker25-save.tar', 'edge.oci-archive.tar', 'edge.oci-zstd.tar', 'edge-opaque.oci-archive.tar'])('%s passes the source conformance suite', async (f) => {
    const image = await openImage(parseReference(img(f)), settings());
    await validateImage(image);
  });

  it("dive's OCI test images agree across uncompressed, gzip and zstd", async () => {
    const names = ['uncompressed', 'gzip', 'zstd'];
    const sums = [];
    for (const n of names) sums.push(toExportV1(await analyzeArg(dive(`test-oci-${n}-image.tar`))).summary);
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]).toEqual(sums[0]);
    const estargz = await analyzeArg(dive('test-oci-estargz-image.tar'));
    expect(estargz.layers[0]!.mediaType).toMatch(/gzip/);
  });

  it('the pure-JS zstd decoder reads the zstd layers exactly as gzip ones read', async () => {
    const z = await openImage(parseReference(`oci-archive:${img('edge.oci-zstd.tar')}`), settings());
    const g = await openImage(parseReference(`oci-archive:${img('edge.oci-archive.tar')}`), settings());
    for (let i = 0; i < z.layers.length; i++) {
      const pure = await readLayer(z.layers[i]!.blob!, { label: 'zstd', forcePureZstd: true });
      expect(pure.compression).toBe('zstd');
      const gz = await g.layers[i]!.read();
      expect(pure.entries).toEqual(gz.entries);
    }
  });
});
