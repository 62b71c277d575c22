import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import { buildDockerArchive, buildTar } from '../helpers/image-files.js';
import { openStreamBundle } from '../../src/sources/oci/bundle.js';
import { openDockerArchiveBundle } from '../../src/sources/docker-archive/index.js';

/** An archive read in one pass (stdin, gzip-wrapped, a daemon's export) goes through the same tar rules as layers. */
it('reads layers and metadata whatever the chunking, hashes each layer, and reports a truncated archive in one line', async () => {
  const l1 = await buildTar([{ name: 'a', body: 'x'.repeat(3000) }]);
  const l2 = await buildTar([{ name: 'b', body: 'y'.repeat(300000) }]);
  const arch = await buildDockerArchive([{ tags: ['t:1'], layers: [l1, l2] }]);
  const chunks = (b: Buffer, n: number) => Readable.from(Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n)));
  for (const n of [7, 512, 4096, 1 << 20]) {
    const bundle = await openStreamBundle(chunks(zlib.gzipSync(arch), n), 'in');
    const img = await openDockerArchiveBundle(bundle, undefined, 'x');
    const c = await Promise.all(img.layers.map((l) => l.read()));
    expect(c.map((x) => x.entries.map((e) => [e.path, e.size]))).toEqual([[['a', 3000]], [['b', 300000]]]);
    expect(c[1]!.measured?.tar?.[0]).toMatch(/^sha256:/);
  }
  const err = await openStreamBundle(Readable.from([arch.subarray(0, arch.length - 3000)]), 'cut').catch((e) => e);
  expect(err.message).toBe('cut: the archive is truncated (unexpected end of data)');
  // A malformed header in the outer archive names the entry, as in a layer.
  const bad = Buffer.from(arch);
  bad.write('0000001x234\0', 124);
  const sum = [...bad.subarray(0, 512)].reduce((n, b, i) => n + (i >= 148 && i < 156 ? 32 : b), 0);
  bad.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const err2 = await openStreamBundle(Readable.from([bad]), 'bad').catch((e) => e);
  expect(err2.message).toMatch(/^bad: entry ".*": the size field is not an octal number$/);
});
