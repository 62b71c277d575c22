import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheDir, createCaches, IndexCache, listCache, pruneCache } from '../../src/cache/index.js';
import { decodeIndex, encodeIndex } from '../../src/cache/index-cache.js';
import { analyzeImage, indexImage, knownFigures, summarize, type ContentKeys, type ImageIndex, type ImageInput, type KnownFigures } from '../../src/core/index.js';
import { loadImage, type LoadCaches } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { toExportV1 } from '../../src/report/json-export.js';
import { buildDockerArchive, buildTar, tmpDir } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

/**
 * Layers with every kind of change the index records: implied directories, a whiteout, an
 * opaque directory, an AUFS metadata name, a path written again with the same and other bytes,
 * a file replacing a directory, a whiteout of nothing (a problem), a name with `.wh.` inside.
 */
async function layers(): Promise<Buffer[]> {
  return [
    await buildTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/conf', body: 'x'.repeat(2000) },
      { name: 'usr/lib/deep/lib.so', body: 'L'.repeat(3000) },
      { name: 'var/cache/', type: 'directory' },
      { name: 'var/cache/a', body: 'a'.repeat(500) },
      { name: 'var/cache/b', body: 'b'.repeat(500) },
      { name: 'opt/tree/x', body: 'x' },
      { name: 'ünï cödé', body: 'u' },
    ]),
    await buildTar([
      { name: 'etc/conf', body: 'x'.repeat(2000), uid: 1000 },
      { name: 'etc/.wh.gone', body: '' },
      { name: 'var/cache/.wh..wh..opq', body: '' },
      { name: 'var/cache/c', body: 'c'.repeat(500) },
      { name: '.wh..wh.plnk/1', body: 'p' },
      { name: 'usr/lib/deep/.wh.lib.so', body: '' },
      { name: 'opt/tree', body: 'now a file' },
      { name: 'app/my.wh.name', body: 'dup'.repeat(300) },
      { name: 'app/copy', body: 'dup'.repeat(300) },
    ]),
    await buildTar([{ name: 'etc/conf', body: 'y'.repeat(2000) }]),
  ];
}

async function imageFile(gzipLayers = false): Promise<string> {
  const file = path.join(tmpDir(), 'img.tar');
  writeFileSync(file, await buildDockerArchive([{ tags: ['index:test'], layers: await layers(), gzipLayers }]));
  return file;
}

/** Loads an image through the lifecycle with `caches`; says whether it indexed paths itself. */
async function load(file: string, caches?: LoadCaches) {
  const stages: string[] = [];
  const loaded = await loadImage(parseReference(`docker-archive:${file}`, () => true), { settings: localSettings(), caches, onEvent: (e) => e.type === 'stage' && stages.push(e.message) });
  await loaded.verified;
  await loaded.close();
  return { analysis: loaded.analysis, indexed: stages.includes('indexing paths'), export: JSON.stringify(toExportV1(loaded.analysis)) };
}

/** The parts of an index an analysis reads, as plain data. */
function plain(index: ImageIndex) {
  const L = index.merged.layerCount;
  const N = index.paths.size;
  const views = Array.from({ length: L }, (_, li) => Array.from({ length: N }, (_, p) => index.merged.at(li, p)));
  return {
    paths: index.paths.paths,
    names: index.paths.names,
    parents: index.paths.parents,
    children: index.paths.children,
    depths: index.paths.depths,
    entries: index.entries,
    columns: [index.entryLayer, index.entryLocal, index.entryPath, index.entryKind].map((a) => Array.from(a)),
    views,
    changes: Array.from({ length: N }, (_, p) => index.merged.changesOf(p)).map((c) => [Array.from(c.layers), Array.from(c.entries)]),
    touched: index.touched.map((t) => Array.from(t)),
    removals: index.removals,
    markers: index.markers.map((m) => Array.from(m)),
    contributions: [index.contributions.count, index.contributions.sum, index.contributions.min].map((a) => Array.from(a)),
    problems: index.problems,
  };
}

/** An index built from a fresh read of the image's layers, and keys of every kind the codec stores. */
async function fresh(): Promise<{ input: ImageInput; index: ImageIndex; keys: ContentKeys; figures: KnownFigures }> {
  const file = await imageFile();
  const loaded = await loadImage(parseReference(`docker-archive:${file}`, () => true), { settings: localSettings() });
  await loaded.close();
  const input = loaded.analysis.tree.index.input;
  const index = indexImage(input);
  // Every file with a body gets a key (the analysis needs one for each it compares), of each kind.
  const keys = index.entries.map((e, g) => (e.type === 'file' && e.size > 0 ? `~${g}` : undefined));
  const files = keys.flatMap((k, g) => (k ? [g] : []));
  keys[files[0]!] = 'ab'.repeat(32);
  keys[files[1]!] = `=${files[0]}`;
  keys[files[2]!] = 'something else';
  return { input, index, keys, figures: knownFigures(analyzeImage(index, keys)) };
}

/** The body of an entry changed by `mutate` and sealed again with a valid checksum: what a forger could write. */
function forge(buf: Buffer, mutate: (section: (name: string) => Buffer) => void): Buffer {
  const nl = buf.indexOf(10, 'inspect-tui index cache\n'.length);
  const head = JSON.parse(buf.toString('utf8', 'inspect-tui index cache\n'.length, nl)) as { sections: Record<string, [number, number]>; body: string };
  const base = Math.ceil((nl + 1) / 8) * 8;
  const out = Buffer.from(buf);
  mutate((name) => out.subarray(base + head.sections[name]![0], base + head.sections[name]![0] + head.sections[name]![1]));
  const sum = createHash('sha256').update(out.subarray(base)).digest('hex');
  out.write(sum, buf.indexOf(head.body), 'latin1');
  return out;
}

const NAME = `index-${'cd'.repeat(32)}`;
/** An entry that has a key. */
const files = (keys: ContentKeys) => keys.findIndex((k) => k !== undefined);

describe('index cache', () => {
  it('gives back the index and keys exactly as they were put', async () => {
    const { input, index, keys, figures } = await fresh();
    const back = decodeIndex(encodeIndex(NAME, index, keys, figures), NAME, input);
    expect(back).toBeDefined();
    expect(plain(back!.index)).toEqual(plain(index));
    expect([...back!.keys]).toEqual([...keys]);
    // The layers' own entries are shared, not copied; a path a layer writes is that entry's string.
    expect(back!.index.entries[0]).toBe(index.entries[0]);
    // Paths are found again (down the sorted children, without a map of every path).
    back!.index.paths.paths.forEach((p, id) => expect(back!.index.paths.find(p)).toBe(id));
    expect(back!.index.paths.find('/usr/lib/deep/')).toBe(index.paths.find('usr/lib/deep'));
    expect(back!.index.paths.find('usr/lib/dee')).toBeUndefined();
    expect(back!.index.paths.find('nowhere')).toBeUndefined();
    // The same figures as the fresh index gives, found again or taken from the entry.
    const expected = summarize(analyzeImage(index, keys));
    expect(summarize(analyzeImage(back!.index, keys))).toEqual(expected);
    expect(back!.figures).toEqual(figures);
    expect(summarize(analyzeImage(back!.index, back!.keys, back!.figures))).toEqual(expected);
    expect(expected.reclaimable.totalBytes).toBeGreaterThan(0);
    expect(expected.layers.some((l) => l.changes.modified > 0 && l.changes.removed > 0)).toBe(true);
  });

  it('refuses an entry for another image, another layer set, or another format', async () => {
    const { input, index, keys, figures } = await fresh();
    const buf = encodeIndex(NAME, index, keys, figures);
    expect(decodeIndex(buf, `index-${'ef'.repeat(32)}`, input)).toBeUndefined();
    expect(decodeIndex(buf, NAME, { ...input, layers: input.layers.slice(0, 2) })).toBeUndefined();
    const fewer = input.layers.map((l, i) => (i === 1 ? { ...l, entries: l.entries.slice(1) } : l));
    expect(decodeIndex(buf, NAME, { ...input, layers: fewer })).toBeUndefined();
    const other = Buffer.from(buf.toString('latin1').replace(/"format":"[^"]*"/, (m) => m.replace(/.$/, 'x"')), 'latin1');
    expect(decodeIndex(other, NAME, input)).toBeUndefined();
    expect(decodeIndex(Buffer.from('not an index'), NAME, input)).toBeUndefined();
  });

  it('refuses a damaged or truncated entry, never throwing past the cache', async () => {
    const { input, index, keys, figures } = await fresh();
    const dir = new CacheDir(tmpDir());
    const cache = new IndexCache(dir);
    const image = { identity: { ...input.identity, configDigest: `sha256:${'12'.repeat(32)}` }, layers: input.layers.map((l) => l.descriptor) };
    cache.put(image, index, keys, figures);
    const [name] = readdirSync(dir.dir);
    expect(name).toMatch(/^index-[0-9a-f]{64}$/);
    const file = path.join(dir.dir, name!);
    const good = readFileSync(file);
    expect(cache.get(image, input)).toBeDefined();
    const damaged: Buffer[] = [good.subarray(0, good.length - 8), good.subarray(0, 100), Buffer.alloc(0)];
    for (const at of [good.length - 1, Math.floor(good.length / 2), 30]) {
      const b = Buffer.from(good);
      b[at]! ^= 0x10;
      damaged.push(b);
    }
    for (const b of damaged) {
      writeFileSync(file, b);
      expect(cache.get(image, input)).toBeUndefined();
    }
  });

  it('refuses a forged entry whose checksum holds but whose contents do not (ids out of range, a cycle, the wrong path)', async () => {
    const { input, index, keys, figures } = await fresh();
    const good = encodeIndex(NAME, index, keys, figures);
    expect(decodeIndex(forge(good, () => undefined), NAME, input)).toBeDefined();
    const forgeries: [string, (s: (name: string) => Buffer) => void][] = [
      ['a parent after its child (a cycle)', (s) => s('parents').writeInt32LE(index.paths.size - 1, 4)],
      ['an entry pointing past the paths', (s) => s('entryPath').writeInt32LE(1 << 30, 0)],
      ['an entry naming another path than its layer', (s) => s('entryPath').writeInt32LE(index.entryPath[1]!, 0)],
      ['a write marked as a whiteout', (s) => (s('entryKind')[0] = 1)],
      ['an unknown entry kind', (s) => (s('entryKind')[0] = 9)],
      ['a merged view naming an entry that does not exist', (s) => s('last').writeInt32LE(index.entries.length + 5, 4)],
      ['changes out of layer order', (s) => s('changeLayer').fill(0xff)],
      ['children listed under the wrong parent', (s) => s('childIds').reverse()],
      ['a touched path out of range', (s) => s('touched').writeInt32LE(-7, 0)],
      ['per-layer offsets that fall', (s) => s('touchedAt').writeInt32LE(1 << 20, 4)],
      ['a marker naming no entry', (s) => s('markers').writeInt32LE(1 << 30, 0)],
      ['an unknown key kind', (s) => (s('keyKind')[files(keys)] = 7)],
      ['problems that are not a list', (s) => s('problems').fill(0x20)],
      ['figures that are not numbers', (s) => s('figures').write(s('figures').toString().replace(/"fileCount":\d/, '"fileCount":"')) && undefined],
    ];
    for (const [what, mutate] of forgeries) {
      let back: unknown;
      try {
        back = decodeIndex(forge(good, mutate), NAME, input);
      } catch {
        back = undefined; // refused by throwing, which the cache turns into a miss
      }
      expect(back, what).toBeUndefined();
    }
  });

  for (const gzip of [false, true]) {
    it(`a second open maps the index in instead of indexing, with the same figures (${gzip ? 'gzip layers, keys from digests' : 'tar layers, keys from comparing'})`, async () => {
      const file = await imageFile(gzip);
      const dir = path.join(tmpDir(), 'cache');
      const uncached = await load(file);
      const first = await load(file, createCaches(dir));
      expect(first.indexed).toBe(true);
      expect(listCache(dir).filter((e) => e.kind === 'index')).toHaveLength(1);
      const second = await load(file, createCaches(dir));
      expect(second.indexed).toBe(false);
      expect(second.export).toBe(uncached.export);
      expect(second.analysis.findings).toEqual(uncached.analysis.findings);

      // Damaged: rebuilt (same figures) and written again.
      const name = listCache(dir).find((e) => e.kind === 'index')!.name;
      const bytes = readFileSync(path.join(dir, name));
      bytes[bytes.length - 3]! ^= 1;
      writeFileSync(path.join(dir, name), bytes);
      const third = await load(file, createCaches(dir));
      expect(third.indexed).toBe(true);
      expect(third.export).toBe(uncached.export);
      expect((await load(file, createCaches(dir))).indexed).toBe(false);
    });
  }

  it('is listed and pruned with the other entries, and bounded by the same size', async () => {
    const file = await imageFile();
    const dir = path.join(tmpDir(), 'cache');
    await load(file, createCaches(dir));
    const index = listCache(dir).find((e) => e.kind === 'index')!;
    expect(index.size).toBeGreaterThan(0);
    const r = pruneCache(dir, { all: true });
    expect(r.removed.map((e) => e.kind)).toContain('index');
    expect(readdirSync(dir)).toEqual([]);
    // A bound smaller than the entry: the directory never keeps more than it.
    const small = new CacheDir(path.join(tmpDir(), 'small'), index.size - 1);
    const { input, index: built, keys, figures } = await fresh();
    const image = { identity: { ...input.identity, configDigest: `sha256:${'34'.repeat(32)}` }, layers: input.layers.map((l) => l.descriptor) };
    new IndexCache(small).put(image, built, keys, figures);
    expect(readdirSync(small.dir)).toEqual([]);
  });
});
