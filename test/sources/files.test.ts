import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseReference } from '../../src/reference/reference.js';
import { openImage } from '../../src/sources/table.js';
import type { SourceSettings } from '../../src/sources/settings.js';
import { validateImage } from '../helpers/conformance.js';
import { buildDockerArchive, buildTar, TAR, TAR_GZ, tmpDir, writeOciLayout } from '../helpers/image-files.js';
import { analyzeArg, localSettings as settings } from '../helpers/load.js';

const open = (arg: string, extra?: Partial<SourceSettings>) => openImage(parseReference(arg), settings(extra));
const analyzed = async (arg: string, extra?: Partial<SourceSettings>) => (await analyzeArg(arg, { settings: extra })).analysis;

const base = () => buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/a', body: 'A' }, { name: 'etc/b', body: 'BB' }]);
const app = () => buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/.wh.a', body: '' }, { name: 'app', body: 'app!' }]);
const other = () => buildTar([{ name: 'other', body: 'x' }]);

async function writeArchive(buf: Buffer, name = 'img.tar') {
  const f = path.join(tmpDir(), name);
  writeFileSync(f, buf);
  return f;
}

describe('docker-archive', () => {
  it('reads layers in manifest order, whatever the archive order', async () => {
    const f = await writeArchive(await buildDockerArchive([{ tags: ['app:1'], layers: [await base(), await app()] }]));
    await validateImage(await open(`docker-archive:${f}`));
    const a = await analyzed(`docker-archive:${f}`);
    expect(a.layers.map((l) => l.entryCount)).toEqual([3, 3]);
    expect(a.layers.map((l) => l.command)).toEqual(['RUN step-0', 'RUN step-1']);
  });

  it('picks an image by tag from an archive that holds several, and lists tags when ambiguous', async () => {
    const f = await writeArchive(
      await buildDockerArchive([
        { tags: ['app:1', 'app:latest'], layers: [await base(), await app()] },
        { tags: ['other:2'], layers: [await other()] },
      ]),
    );
    expect((await open(`docker-archive:${f}:other:2`)).layers).toHaveLength(1);
    expect((await open(`docker-archive:${f}:app`)).layers).toHaveLength(2); // app → app:latest
    expect((await open(`docker-archive:${f}:@1`)).layers).toHaveLength(1);
    await expect(open(`docker-archive:${f}`)).rejects.toThrow(/holds 2 images; name one .*\(tags: app:1, app:latest, other:2\)/);
    await expect(open(`docker-archive:${f}:nope:1`)).rejects.toThrow(/has no image tagged "nope:1" \(tags: app:1, app:latest, other:2\)/);
  });

  it('reads kaniko-style gzip layers', async () => {
    const f = await writeArchive(await buildDockerArchive([{ tags: ['k:1'], layers: [await base(), await app()], gzipLayers: true }]));
    const image = await open(f);
    await validateImage(image);
    expect((await image.layers[0]!.read()).compression).toBe('gzip');
  });

  it('reads a docker save | gzip file and stdin in one pass, with the same result as the plain file', async () => {
    const plain = await buildDockerArchive([{ tags: ['app:1'], layers: [await base(), await app()] }]);
    const expected = await analyzed(`docker-archive:${await writeArchive(plain)}`);
    const gz = await writeArchive(zlib.gzipSync(plain), 'img.tar.gz');
    const viaGz = await analyzed(`docker-archive:${gz}`);
    const viaStdin = await analyzed('-', { stdin: Readable.from([zlib.gzipSync(plain)]) });
    for (const got of [viaGz, viaStdin]) {
      expect(got.sizeBytes).toBe(expected.sizeBytes);
      expect(got.layers.map((l) => l.changes)).toEqual(expected.layers.map((l) => l.changes));
      expect(got.fileCount).toBe(expected.fileCount);
    }
  });
});

describe('OCI layout', () => {
  it('matches :REF against org.opencontainers.image.ref.name and lists refs when absent', async () => {
    const l1 = await base();
    const dir = writeOciLayout(tmpDir(), [{ blob: zlib.gzipSync(l1), diff: l1, mediaType: TAR_GZ }], { refName: 'v1' });
    const image = await open(`oci:${dir}:v1`);
    await validateImage(image);
    expect(image.layers[0]!.descriptor.mediaType).toBe(TAR_GZ);
    expect(image.layers[0]!.descriptor.compressedSize).toBeGreaterThan(0);
    await expect(open(`oci:${dir}:v2`)).rejects.toThrow(/has no image named "v2" \(refs: v1\)/);
  });

  it('a bare directory is read as an OCI layout', async () => {
    const l1 = await base();
    const dir = writeOciLayout(tmpDir(), [{ blob: l1, diff: l1, mediaType: TAR }]);
    const a = await analyzed(dir);
    expect(a.identity.source).toBe('oci');
    expect(a.fileCount).toBe(2);
  });
});
