import { existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtractor } from '../../src/extract/extract.js';
import type { ExtractProgress } from '../../src/extract/types.js';
import { loadImage, type LoadedImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { imageDirName } from '../../src/viewmodel/extract-view.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

/** The bundled example: every entry's mtime is 2024-01-01T00:00:00Z; /tmp is 1777; /bin/ls is a hard link to /bin/busybox. */
const EXAMPLE = join(ROOT, 'examples', 'example-image.tar');
const MTIME = Date.parse('2024-01-01T00:00:00Z') / 1000;

/** Every path under a directory (relative), directories with a trailing slash. */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r));
    out.push(st.isDirectory() ? `${r}/` : r);
    if (st.isDirectory()) out.push(...walk(dir, r));
  }
  return out;
}

/** Bytes on disk, counting each inode once (as `du` does). */
function diskBytes(dir: string): number {
  const seen = new Set<number>();
  let n = 0;
  for (const r of walk(dir)) {
    const st = lstatSync(join(dir, r));
    if (!st.isFile() || seen.has(st.ino)) continue;
    seen.add(st.ino);
    n += st.size;
  }
  return n;
}

describe.skipIf(!existsSync(EXAMPLE))('extracting a whole layer of the example keeps what the image says', () => {
  let img: LoadedImage;
  let cwd: string;
  beforeAll(async () => {
    img = await loadImage(parseReference(EXAMPLE, existsSync), { settings: localSettings() });
    await img.verified;
    cwd = tmpDir();
  });
  afterAll(async () => {
    await img?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('L3 (Ctrl+E in the layers pane): as many bytes as the prompt said, a hard link as a link, the image\'s times and modes, named without .tar', async () => {
    const a = img.analysis;
    const into = imageDirName(a.identity.reference, 3);
    expect(into).toBe('example-image-L3');
    const promised = a.tree.treeSizes(3)[0]!; // what the prompt says it will write
    const seen: ExtractProgress[] = [];
    const r = await createExtractor(a, img.layers, cwd).extract({ layer: 3, pathId: 0, overwrite: false, into }, { onProgress: (p) => seen.push({ ...p }) });
    expect(r.kind).toBe('done');
    if (r.kind !== 'done') return;
    const out = join(cwd, into);
    // The totals come first, before anything is written, and they are the prompt's figure.
    expect(seen[0]).toEqual({ entries: 0, totalEntries: r.written.length + r.skipped.length, bytes: 0, totalBytes: promised });
    expect(r.bytes).toBe(promised);
    expect(diskBytes(out)).toBe(promised);
    // bin/ls is the same file as bin/busybox, not a second copy.
    expect(lstatSync(join(out, 'bin/ls')).ino).toBe(lstatSync(join(out, 'bin/busybox')).ino);
    expect(lstatSync(join(out, 'bin/busybox')).nlink).toBe(2);
    // Every file, directory and symlink has the image's time; directories too, set after their contents.
    for (const p of walk(out)) expect([p, lstatSync(join(out, p)).mtimeMs / 1000]).toEqual([p, MTIME]);
    // The image's modes: /tmp keeps its sticky bit; the setuid bit of /usr/bin/app is dropped.
    expect(statSync(join(out, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(out, 'usr/bin/app')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(out, 'etc/passwd')).mode & 0o7777).toBe(0o644);
  });

  it.skipIf(process.getuid?.() !== 0)('as root, the image\'s owners (L5: chown -R 1000:1000 /usr/bin)', async () => {
    const a = img.analysis;
    const r = await createExtractor(a, img.layers, cwd).extract({ layer: 4, pathId: a.tree.find('usr/bin')!, overwrite: false });
    expect(r.kind).toBe('done');
    const st = lstatSync(join(cwd, 'bin/app'));
    expect([st.uid, st.gid]).toEqual([1000, 1000]);
    expect(lstatSync(join(cwd, 'bin')).uid).toBe(0);
  });
});
