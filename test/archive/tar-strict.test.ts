import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLayer, readLayerStream } from '../../src/archive/read-layer.js';
import type { LayerContents } from '../../src/archive/layer-blob.js';
import { SourceError } from '../../src/errors/index.js';
import { pad512, tmpDir } from '../helpers/image-files.js';

/** One raw header block with full control over the bytes (fields as given, checksum computed unsigned or signed). */
function header(h: { name: string | Buffer; typeflag?: string; size?: number | Buffer; linkname?: string; realsize?: number; extended?: boolean; signed?: boolean; gnu?: boolean; sparseMap?: [number, number][] }): Buffer {
  const b = Buffer.alloc(512);
  (Buffer.isBuffer(h.name) ? h.name : Buffer.from(h.name)).copy(b, 0, 0, 100);
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (Buffer.isBuffer(h.size)) h.size.copy(b, 124);
  else b.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.write(h.typeflag ?? '0', 156);
  if (h.linkname) b.write(h.linkname, 157);
  if (h.gnu) b.write('ustar  \0', 257);
  else b.write('ustar\x0000', 257);
  if (h.sparseMap) h.sparseMap.forEach(([o, n], i) => {
    b.write(`${o.toString(8).padStart(11, '0')}\0`, 386 + i * 24);
    b.write(`${n.toString(8).padStart(11, '0')}\0`, 386 + i * 24 + 12);
  });
  if (h.extended) b[482] = 1;
  if (h.realsize !== undefined) b.write(`${h.realsize.toString(8).padStart(11, '0')}\0`, 483);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += h.signed && x >= 0x80 ? x - 256 : x;
  b.write(`${(sum >>> 0).toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}
const member = (h: Parameters<typeof header>[0], body = Buffer.alloc(0)) => Buffer.concat([header({ size: body.length, ...h }), pad512(body)]);
const pax = (records: Record<string, string>, typeflag = 'x') => {
  const body = Buffer.concat(Object.entries(records).map(([k, v]) => {
    const rec = ` ${k}=${v}\n`;
    let n = Buffer.byteLength(rec) + 1;
    while (String(n).length + Buffer.byteLength(rec) !== n) n++;
    return Buffer.from(`${n}${rec}`);
  }));
  return member({ name: 'PaxHeader', typeflag }, body);
};
const END = Buffer.alloc(1024);
const tar = (...parts: Buffer[]) => Buffer.concat([...parts, END]);

/** Reads a layer both ways (positional scan of a file, one-pass stream) and returns both results or both errors. */
async function readBoth(buf: Buffer): Promise<{ file: LayerContents | SourceError; stream: LayerContents | SourceError }> {
  const f = path.join(tmpDir(), 'layer.tar');
  writeFileSync(f, buf);
  const catching = (p: Promise<LayerContents>) => p.catch((e: unknown) => {
    if (e instanceof SourceError) return e;
    throw e;
  });
  return {
    file: await catching(readLayer({ kind: 'file-region', file: f, offset: 0, length: buf.length }, { label: 'L3' })),
    stream: await catching(readLayerStream(Readable.from([buf]), buf.length, { label: 'L3' })),
  };
}

async function expectBothFail(buf: Buffer, msg: RegExp) {
  const r = await readBoth(buf);
  for (const x of [r.file, r.stream]) {
    expect(x).toBeInstanceOf(SourceError);
    expect((x as SourceError).kind).toBe('corrupt');
    expect((x as SourceError).message).toMatch(/^L3: /);
    expect((x as SourceError).message).toMatch(msg);
  }
}

async function expectBoth(buf: Buffer): Promise<LayerContents> {
  const r = await readBoth(buf);
  if (r.file instanceof SourceError) throw r.file;
  if (r.stream instanceof SourceError) throw r.stream;
  expect(r.stream.entries).toEqual(r.file.entries);
  return r.file;
}

describe('tar headers, as strict as Go and as lenient as Docker (both readers agree)', () => {
  const after = member({ name: 'after' }, Buffer.from('after'));

  it.each([
    ['octal size with a stray letter', Buffer.from('0000001x234\0'), /entry "bad": the size field is not an octal number/],
    ['negative base-256 size', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), /entry "bad": negative size \(-2\)/],
    ['overflowing base-256 size', Buffer.from([0x80, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /entry "bad": the size field overflows/],
  ])('%s is an error naming layer and entry', async (_, size, msg) => {
    await expectBothFail(tar(header({ name: 'bad', size }), Buffer.alloc(512), after), msg);
  });

  it.each(['-1', '1.5', 'NaN', '1e3', '99999999999999999999', ' 12', '0x10'])('PAX size "%s" is an error naming the entry', async (v) => {
    await expectBothFail(tar(pax({ path: 'paxed', size: v }), member({ name: 'short' }, Buffer.from('x')), after), new RegExp(`entry "paxed": PAX size "${v.replace(/[.+]/g, '\\$&')}" is not a non-negative integer`));
  });

  it('a NUL inside a PAX path is refused; a malformed PAX record too', async () => {
    await expectBothFail(tar(pax({ path: 'a\0b' }), member({ name: 'x' }), after), /a NUL inside the PAX path/);
    await expectBothFail(tar(member({ name: 'PaxHeader', typeflag: 'x' }, Buffer.from('12 path=a\n')), member({ name: 'x' })), /malformed PAX/);
  });

  it('a GNU long name with bytes after a NUL is refused', async () => {
    await expectBothFail(tar(member({ name: '././@LongLink', typeflag: 'L', gnu: true }, Buffer.from('visible\0hidden')), member({ name: 'x' })), /a NUL inside the GNU long name/);
  });

  it('global PAX headers are not applied to entries', async () => {
    const c = await expectBoth(tar(pax({ path: 'hijacked', uid: '99' }, 'g'), member({ name: 'own-name' }, Buffer.from('x')), after));
    expect(c.entries.map((e) => [e.path, e.uid])).toEqual([['own-name', 0], ['after', 0]]);
  });

  it('header-only types ignore their size field (a symlink claiming 600 bytes)', async () => {
    const c = await expectBoth(tar(header({ name: 'link', typeflag: '2', linkname: 'target', size: 600 }), after));
    expect(c.entries.map((e) => [e.path, e.type, e.size])).toEqual([['link', 'symlink', 0], ['after', 'file', 5]]);
  });

  it('GNU sparse files (old format, with an extension block) have their real size', async () => {
    const data = Buffer.alloc(1024, 7);
    const ext = Buffer.alloc(512);
    ext.write(`${(1 << 20).toString(8).padStart(11, '0')}\0`, 0);
    ext.write(`${(512).toString(8).padStart(11, '0')}\0`, 12);
    const sparse = Buffer.concat([header({ name: 'holes', typeflag: 'S', gnu: true, size: data.length, realsize: 3 << 20, extended: true, sparseMap: [[0, 512]] }), ext, data]);
    const c = await expectBoth(tar(sparse, after));
    expect(c.entries.map((e) => [e.path, e.type, e.size])).toEqual([['holes', 'file', 3 << 20], ['after', 'file', 5]]);
  });

  it('PAX sparse files, formats 0.1 and 1.0, have their real size and name', async () => {
    const v01 = Buffer.concat([pax({ path: 'sparse01', 'GNU.sparse.size': '5000000', 'GNU.sparse.numblocks': '1', 'GNU.sparse.map': '0,512' }), member({ name: 'GNUSparseFile.0/sparse01' }, Buffer.alloc(512, 1))]);
    const v10 = Buffer.concat([pax({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'dir/sparse10', 'GNU.sparse.realsize': '7000000' }), member({ name: 'GNUSparseFile.0/sparse10' }, Buffer.concat([Buffer.from('1\n0\n512\n'.padEnd(512, '\0')), Buffer.alloc(512, 2)]))]);
    const c = await expectBoth(tar(v01, v10, after));
    expect(c.entries.map((e) => [e.path, e.size])).toEqual([['sparse01', 5000000], ['dir/sparse10', 7000000], ['after', 5]]);
  });

  it('accepts a signed header checksum', async () => {
    const name = Buffer.from('caf\xe9-latin1', 'latin1');
    const c = await expectBoth(tar(Buffer.concat([header({ name, size: 1, signed: true }), pad512(Buffer.from('x'))]), after));
    expect(c.entries).toHaveLength(2);
  });

  it('keeps names that are not valid UTF-8 distinct', async () => {
    const a = Buffer.from([0x64, 0x2f, 0x61, 0xff]);
    const b = Buffer.from([0x64, 0x2f, 0x61, 0xfe]);
    const c = await expectBoth(tar(member({ name: a }, Buffer.from('1')), member({ name: b }, Buffer.from('2')), member({ name: 'd/a\u00ff' }, Buffer.from('3'))));
    const paths = c.entries.map((e) => e.path);
    expect(new Set(paths).size).toBe(3);
  });

  it('reads zstd streams that start and end with skippable frames (pure-JS and native decoders)', async () => {
    const body = tar(member({ name: 'z' }, Buffer.from('zstd!')), after);
    let z: Buffer;
    try {
      z = execFileSync('zstd', ['-c', '-q'], { input: body });
    } catch {
      return; // no zstd binary: covered by the fixtures' zstd layers
    }
    const skip = Buffer.alloc(8 + 3);
    skip.writeUInt32LE(0x184d2a5a, 0);
    skip.writeUInt32LE(3, 4);
    const framed = Buffer.concat([skip, z, skip]);
    for (const forcePureZstd of [true, false]) {
      const c = await readLayerStream(Readable.from([framed]), framed.length, { label: 'L3', forcePureZstd });
      expect(c.compression).toBe('zstd');
      expect(c.entries.map((e) => e.path)).toEqual(['z', 'after']);
    }
  });
});
