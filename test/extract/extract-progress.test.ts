import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtractor } from '../../src/extract/extract.js';
import type { ExtractProgress } from '../../src/extract/types.js';
import { loadImage, type LoadedImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { buildDockerArchive, buildTar, tmpDir as makeTmpDir } from '../helpers/image-files.js';

// Big files go into these: removed when the file is done.
const dirs: string[] = [];
const tmpDir = () => {
  const d = makeTmpDir();
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BIG = 48 << 20;

/** One image: two layers, the second hides a file of the first with a whiteout; a big file to cancel in. */
async function openImage(gzipLayers: boolean): Promise<LoadedImage> {
  const l0 = await buildTar([
    { name: 'app/', type: 'directory' },
    ...Array.from({ length: 6 }, (_, i) => ({ name: `app/f${i}`, body: 'x'.repeat(1000 * (i + 1)) })),
    { name: 'app/link', type: 'symlink', linkname: 'f0' },
    { name: 'app/null', type: 'character-device', devmajor: 1, devminor: 3 },
    { name: 'app/disk', type: 'block-device', devmajor: 8, devminor: 0 },
    { name: 'app/pipe', type: 'fifo' },
    { name: 'big/', type: 'directory' },
    { name: 'big/small', body: 'small' },
    { name: 'big/huge', body: Buffer.alloc(BIG, 7) },
    { name: 'gone', body: 'was here' },
  ]);
  const l1 = await buildTar([{ name: '.wh.gone', body: '' }]);
  const base = tmpDir();
  const img = join(base, 'img.tar');
  writeFileSync(img, await buildDockerArchive([{ tags: ['x:1'], layers: [l0, l1], gzipLayers }]));
  return loadImage(parseReference(`docker-archive:${img}`), { settings: { registry: { caCertFiles: [], insecure: false }, env: {} } });
}

for (const gzip of [false, true]) {
  describe(`extraction progress and cancel (${gzip ? 'gzip, streamed' : 'uncompressed, positional'})`, () => {
    let opened: LoadedImage;
    beforeAll(async () => {
      opened = await openImage(gzip);
    }, 60000);
    afterAll(async () => {
      await opened?.close();
    });
    const id = (p: string) => opened.analysis.tree.find(p)!;

    it('reports the totals at once, then entries and bytes as they are written, up to the totals', async () => {
      const cwd = tmpDir();
      const seen: ExtractProgress[] = [];
      const r = await createExtractor(opened.analysis, opened.layers, cwd).extract({ layer: 1, pathId: id('app'), overwrite: false }, { onProgress: (p) => seen.push(p) });
      expect(r.kind).toBe('done');
      if (r.kind !== 'done') return;
      expect(seen[0]).toEqual({ entries: 0, totalEntries: 11, bytes: 0, totalBytes: 21000 });
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.entries).toBeGreaterThanOrEqual(seen[i - 1]!.entries);
      expect(new Set(seen.map((p) => p.entries))).toEqual(new Set(Array.from({ length: r.written.length + 1 }, (_, i) => i)));
      const last = seen.at(-1)!;
      expect(last.bytes).toBe(21000);
      expect(last.totalBytes).toBe(21000);
      expect(r.bytes).toBe(21000);
      // the devices and the FIFO are counted in the total but skipped, each with its kind
      expect(last.totalEntries).toBe(11);
      expect(r.skipped).toEqual([
        { path: 'app/disk', reason: 'block-device', kind: 'device' },
        { path: 'app/null', reason: 'char-device', kind: 'device' },
        { path: 'app/pipe', reason: 'fifo', kind: 'fifo' },
      ]);
      for (const p of seen.slice(1)) expect(p.bytes).toBeGreaterThanOrEqual(seen[seen.indexOf(p) - 1]!.bytes);
    });

    it('a big file reports its bytes as they are written, not only once it is whole', async () => {
      const cwd = tmpDir();
      const seen: ExtractProgress[] = [];
      const r = await createExtractor(opened.analysis, opened.layers, cwd).extract({ layer: 1, pathId: id('big/huge'), overwrite: false }, { onProgress: (p) => seen.push({ ...p }) });
      expect(r.kind).toBe('done');
      const during = seen.filter((p) => p.entries === 0 && p.bytes > 0);
      expect(during.length).toBeGreaterThan(4); // 48 MiB in pieces of at most 1 MiB
      expect(during.every((p) => p.bytes <= BIG && p.totalBytes === BIG)).toBe(true);
      expect(during[0]!.bytes).toBeLessThanOrEqual(1 << 20); // the first piece is reported as soon as it is written
      expect(seen.at(-1)).toEqual({ entries: 1, totalEntries: 1, bytes: BIG, totalBytes: BIG });
    });

    it('an abort between entries stops it: cancelled, and only whole files are on disk', async () => {
      const cwd = tmpDir();
      const ac = new AbortController();
      const r = await createExtractor(opened.analysis, opened.layers, cwd).extract(
        { layer: 1, pathId: id('app'), overwrite: false },
        { signal: ac.signal, onProgress: (p) => p.entries === 3 && ac.abort() },
      );
      expect(r.kind).toBe('cancelled');
      if (r.kind !== 'cancelled') return;
      expect(r.written.length).toBe(3);
      const files = readdirSync(join(cwd, 'app'));
      expect(files.length).toBeLessThan(6);
      for (const f of files) expect(readFileSync(join(cwd, 'app', f), 'utf8')).toBe('x'.repeat(1000 * (Number(f.slice(1)) + 1)));
    });

    it('an abort while a big file is being written removes that file: nothing half-written is left', async () => {
      const cwd = tmpDir();
      const ac = new AbortController();
      mkdirSync(join(cwd, 'big'));
      // Abort as soon as the big file appears, while its bytes are still going out.
      const w = watch(join(cwd, 'big'), (_ev, name) => {
        if (name === 'huge') ac.abort();
      });
      let r;
      try {
        r = await createExtractor(opened.analysis, opened.layers, cwd).extract({ layer: 1, pathId: id('big'), overwrite: false }, { signal: ac.signal });
      } finally {
        w.close();
      }
      expect(ac.signal.aborted).toBe(true);
      // The watcher sees the file when it is created, and 48 MiB go out in many chunks, each an
      // event-loop turn: the abort lands during the write, never after it.
      expect(r).toEqual({ kind: 'cancelled', written: ['big/', 'big/small'], bytes: 5 });
      // The cut file is gone; the one written before it stays whole.
      expect(readdirSync(join(cwd, 'big'))).toEqual(['small']);
      expect(readFileSync(join(cwd, 'big', 'small'), 'utf8')).toBe('small');
    });

    it('an already aborted signal writes nothing', async () => {
      const cwd = tmpDir();
      const r = await createExtractor(opened.analysis, opened.layers, cwd).extract({ layer: 1, pathId: id('app'), overwrite: false }, { signal: AbortSignal.abort() });
      expect(r).toEqual({ kind: 'cancelled', written: [], bytes: 0 });
      expect(readdirSync(cwd)).toEqual([]);
    });

    it('the whole filesystem (the root) goes into a directory of its own; a whited-out file stays out', async () => {
      const cwd = tmpDir();
      const ex = createExtractor(opened.analysis, opened.layers, cwd);
      const r = await ex.extract({ layer: 1, pathId: 0, overwrite: false, into: 'img-L1' });
      expect(r.kind).toBe('done');
      expect(readdirSync(cwd)).toEqual(['img-L1']);
      expect(readdirSync(join(cwd, 'img-L1')).sort()).toEqual(['app', 'big']);
      expect(readFileSync(join(cwd, 'img-L1/app/f2'), 'utf8')).toBe('x'.repeat(3000));
      expect(readlinkSync(join(cwd, 'img-L1/app/link'))).toBe('f0');
      expect(lstatSync(join(cwd, 'img-L1/big/huge')).size).toBe(BIG);
      // the layer below the whiteout still has it
      const r0 = await ex.extract({ layer: 0, pathId: 0, overwrite: false, into: 'img-L0' });
      expect(r0.kind).toBe('done');
      expect(readFileSync(join(cwd, 'img-L0/gone'), 'utf8')).toBe('was here');
      // again: everything is a conflict, and a file named like the directory is one too
      const again = await ex.extract({ layer: 1, pathId: 0, overwrite: false, into: 'img-L1' });
      expect(again.kind).toBe('conflict');
      writeFileSync(join(cwd, 'img-L9'), 'a file');
      const clash = await ex.extract({ layer: 1, pathId: 0, overwrite: false, into: 'img-L9' });
      expect(clash).toEqual({ kind: 'conflict', existing: ['img-L9'] });
      await expect(ex.extract({ layer: 1, pathId: 0, overwrite: false, into: '../up' })).rejects.toThrow('not a plain directory name');
    }, 30000);

    it('a file a whiteout hid is extracted from the layer below it', async () => {
      const cwd = tmpDir();
      const ex = createExtractor(opened.analysis, opened.layers, cwd);
      await expect(ex.extract({ layer: 1, pathId: id('gone'), overwrite: false })).rejects.toThrow('not in the filesystem at L1');
      const r = await ex.extract({ layer: 0, pathId: id('gone'), overwrite: false });
      expect(r.kind).toBe('done');
      expect(readFileSync(join(cwd, 'gone'), 'utf8')).toBe('was here');
    });
  });
}
