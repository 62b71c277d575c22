import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/core/analyze.js';
import { createExtractor, isSafeRelative, symlinkStaysInside } from '../../src/extract/extract.js';
import { loadImage, type LoadedImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';

const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'images');
const have = existsSync(join(IMAGES, 'edge.docker-archive.tar'));

describe('extraction safety rules', () => {
  it.each([
    ['a/b', true],
    ['../a', false],
    ['a/../b', false],
    ['/etc/passwd', false],
    ['a//b', false],
    ['.', false],
  ])('name %s safe: %s', (rel, ok) => expect(isSafeRelative(rel)).toBe(ok));
  it.each([
    ['data/link', 'x', true],
    ['data/link', '../x', true],
    ['data/link', '../../x', false],
    ['data/link', '/etc/passwd', false],
    ['link', '..', false],
  ])('symlink %s → %s stays inside: %s', (rel, target, ok) => expect(symlinkStaysInside(rel, target)).toBe(ok));
  // Targets resolved component by component through the other symlinks, as the kernel would.
  const links: Record<string, string> = { d: '.', 'sub/up': '..', loop: 'loop2', loop2: 'loop', abs: '/etc' };
  it.each([
    ['esc', 'd/d/d/../../../etc', false, 'd -> . makes d/d/d the destination itself, so ../../.. leaves it'],
    ['esc', 'd/d/d/etc', true, 'still inside: d/d/d is the destination'],
    ['sub/esc', 'up/../x', false, 'sub/up -> .. is the destination; .. from there leaves it'],
    ['sub/ok', 'up/sub/x', true, 'sub/up/sub/x is sub/x'],
    ['l', 'loop/x', false, 'a link loop is refused'],
    ['l', 'abs/x', false, 'a link to an absolute target on the way is refused'],
  ])('symlink %s → %s through other links stays inside: %s (%s)', (rel, target, ok) => expect(symlinkStaysInside(rel, target, (r) => links[r])).toBe(ok));
});

describe('extracting a symlink chain that would escape', () => {
  it('skips esc -> d/d/d/../../../etc when d -> ., and writes nothing outside', async () => {
    const { buildDockerArchive, buildTar, tmpDir } = await import('../helpers/image-files.js');
    const layer = await buildTar([
      { name: 'x/', type: 'directory' },
      { name: 'x/d', type: 'symlink', linkname: '.' },
      { name: 'x/esc', type: 'symlink', linkname: 'd/d/d/../../../etc' },
      { name: 'x/fine', type: 'symlink', linkname: 'd/d/file' },
      { name: 'x/file', body: 'inside' },
    ]);
    const base = tmpDir();
    const cwd = join(base, 'one', 'two');
    mkdirSync(cwd, { recursive: true });
    const img = join(base, 'img.tar');
    writeFileSync(img, await buildDockerArchive([{ tags: ['x:1'], layers: [layer] }]));
    const opened = await loadImage(parseReference(`docker-archive:${img}`), { settings: { registry: { caCertFiles: [], insecure: false }, env: {} } });
    try {
      const r = await createExtractor(opened.analysis, opened.layers, cwd).extract({ layer: 0, pathId: opened.analysis.tree.find('x')!, overwrite: false });
      expect(r.kind).toBe('done');
      if (r.kind !== 'done') return;
      expect(r.skipped).toContainEqual({ path: 'x/esc', reason: 'symlink to d/d/d/../../../etc leaves the current directory', kind: 'escaping symlink' });
      expect(existsSync(join(cwd, 'x/esc'))).toBe(false);
      expect(readlinkSync(join(cwd, 'x/fine'))).toBe('d/d/file');
      expect(readFileSync(join(cwd, 'x/fine'), 'utf8')).toBe('inside');
      expect(readdirSync(base).sort()).toEqual(['img.tar', 'one']);
      expect(readdirSync(join(base, 'one'))).toEqual(['two']);
    } finally {
      await opened.close();
    }
  });
});

for (const [name, ref] of [
  ['uncompressed, read positionally', 'docker-archive:edge.docker-archive.tar'],
  ['gzip, streamed again', 'oci-archive:edge.oci-archive.tar'],
] as const) {
  describe.skipIf(!have)(`extracting from the edge fixture (${name})`, () => {
    let opened: LoadedImage;
    let a: Analysis;
    let extractor: ReturnType<typeof createExtractor>;
    let cwd: string;
    beforeAll(async () => {
      const [transport, file] = ref.split(':') as [string, string];
      opened = await loadImage(parseReference(`${transport}:${join(IMAGES, file)}`), { settings: { registry: { caCertFiles: [], insecure: false }, env: {} } });
      a = opened.analysis;
      cwd = mkdtempSync(join(tmpdir(), 'extract-'));
      extractor = createExtractor(a, opened.layers, cwd);
    });
    afterAll(async () => {
      await opened?.close();
      if (cwd) rmSync(cwd, { recursive: true, force: true });
    });
    const top = () => a.layers.length - 1;
    const id = (p: string) => a.tree.find(p)!;

    it('writes a directory as the selected layer sees it, each file from the layer that wrote it', async () => {
      const r = await extractor.extract({ layer: top(), pathId: id('data'), overwrite: false });
      expect(r.kind).toBe('done');
      if (r.kind !== 'done') return;
      expect(readFileSync(join(cwd, 'data/keep/new'), 'utf8')).toBe('replaced\n');
      expect(readFileSync(join(cwd, 'data/a/same'), 'utf8')).toBe('one\n');
      expect(lstatSync(join(cwd, 'data/big.bin')).size).toBe(524288);
      expect(existsSync(join(cwd, 'data/a/f2'))).toBe(false); // removed in an earlier layer
      expect(lstatSync(join(cwd, 'data/a/same')).mode & 0o777).toBe(0o700);
      // absolute symlink targets and FIFOs are not created
      expect(r.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'data/dangling' }), { path: 'data/fifo', reason: 'fifo', kind: 'fifo' }]));
      expect(existsSync(join(cwd, 'data/fifo'))).toBe(false);
      expect(r.written).toContain('data/keep/new');
    });

    it('extracts an earlier layer\'s view: the file removed later is there', async () => {
      const l1 = a.layers.findIndex((l) => l.command.includes('mkdir -p /data/a/b'));
      const r = await extractor.extract({ layer: l1, pathId: id('data/a'), overwrite: false });
      expect(r.kind).toBe('done');
      expect(readFileSync(join(cwd, 'a/f2'), 'utf8')).toBe('two\n');
      expect(readFileSync(join(cwd, 'a/b/f1'), 'utf8')).toBe('one\n');
    });

    it('never overwrites without asking, then overwrites when told to', async () => {
      const target = join(cwd, 'new');
      writeFileSync(target, 'mine');
      const r = await extractor.extract({ layer: top(), pathId: id('data/keep/new'), overwrite: false });
      expect(r).toEqual({ kind: 'conflict', existing: ['new'] });
      expect(readFileSync(target, 'utf8')).toBe('mine');
      const r2 = await extractor.extract({ layer: top(), pathId: id('data/keep/new'), overwrite: true });
      expect(r2.kind).toBe('done');
      expect(readFileSync(target, 'utf8')).toBe('replaced\n');
    });

    it('never writes through a symlink already in the destination', async () => {
      const outside = mkdtempSync(join(tmpdir(), 'outside-'));
      try {
        rmSync(join(cwd, 'keep'), { recursive: true, force: true });
        symlinkSync(outside, join(cwd, 'keep'));
        const r = await extractor.extract({ layer: top(), pathId: id('data/keep'), overwrite: true });
        expect(existsSync(join(outside, 'new'))).toBe(false);
        if (r.kind === 'done') expect(r.written).not.toContain('keep/new');
        expect(readlinkSync(join(cwd, 'keep'))).toBe(outside);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });

    it('writes a hard link as a link to its target when both are extracted, and skips a symlink that leaves the directory', async () => {
      const r = await extractor.extract({ layer: top(), pathId: id('usr/bin'), overwrite: false });
      expect(r.kind).toBe('done');
      if (r.kind !== 'done') return;
      expect(lstatSync(join(cwd, 'bin/bb2')).ino).toBe(lstatSync(join(cwd, 'bin/bb-hard')).ino);
      expect(r.skipped).toContainEqual({ path: 'bin/bb-sym', reason: 'symlink to /usr/bin/bb2 leaves the current directory', kind: 'escaping symlink' });
    });

    it('copies a hard link whose target is not extracted', async () => {
      const out = mkdtempSync(join(tmpdir(), 'extract-link-'));
      try {
        const r = await createExtractor(a, opened.layers, out).extract({ layer: top(), pathId: id('usr/bin/bb2'), overwrite: false });
        expect(r.kind).toBe('done');
        expect(lstatSync(join(out, 'bb2')).isFile()).toBe(true);
        expect(lstatSync(join(out, 'bb2')).size).toBe(1982256);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  });
}
