import { createHash } from 'node:crypto';
import type { LayerContents } from '../archive/layer-blob.js';
import { isContentDigest, type EntryType, type LayerEntry } from '../core/model.js';
import { CACHE_FORMAT, type CacheDir } from './cache-dir.js';

const MAGIC = 'inspect-tui layer cache\n';
const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char-device', 'block-device', 'fifo'];
const TYPE_CODE = new Map(TYPES.map((t, i) => [t, i]));

type Header = {
  format: string;
  diffId: string;
  storedSize: number;
  compression: LayerContents['compression'];
  tarSize: number;
  count: number;
  sections: Record<string, [number, number]>;
  devices: [number, number, number][];
  /** sha256 of everything after the header: a damaged entry is ignored, never trusted. */
  body: string;
};

/** Cache file name for a layer: its diffID (the digest of its uncompressed tar). */
function nameOf(diffId: string): string | undefined {
  const m = /^sha256:([0-9a-f]{64})$/.exec(diffId);
  return m ? `layer-${m[1]}` : undefined;
}

/**
 * Per-layer analysis cache keyed by diffID (write only layers whose bytes were verified against
 * it: the lifecycle does): the entries a layer's tar holds (with the sha256
 * of any body hashed so far), in a compact columnar file that decodes in a fraction of the
 * time a tar scan takes. An entry whose stored blob size differs from the one being opened,
 * or that fails to decode, is ignored and rebuilt.
 */
export class LayerCache {
  constructor(private readonly dir: CacheDir) {}

  get(diffId: string | undefined, storedSize: number | undefined): LayerContents | undefined {
    const name = diffId && nameOf(diffId);
    if (!name) return undefined;
    const buf = this.dir.read(name);
    if (!buf) return undefined;
    try {
      const contents = decode(buf, diffId, storedSize);
      if (contents) this.dir.touch(name);
      return contents;
    } catch {
      return undefined;
    }
  }

  put(diffId: string | undefined, storedSize: number, contents: LayerContents): void {
    const name = diffId && nameOf(diffId);
    if (!name) return;
    this.dir.write(name, encode(diffId, storedSize, contents));
  }
}

function encode(diffId: string, storedSize: number, c: LayerContents): Buffer {
  const n = c.entries.length;
  const types = new Uint8Array(n);
  const modes = new Uint16Array(n);
  const uids = new Uint32Array(n);
  const gids = new Uint32Array(n);
  const sizes = new Float64Array(n);
  const paths: string[] = new Array(n);
  const links: string[] = new Array(n);
  const hashed: number[] = [];
  const devices: [number, number, number][] = [];
  c.entries.forEach((e, i) => {
    types[i] = TYPE_CODE.get(e.type)!;
    modes[i] = e.mode;
    uids[i] = e.uid;
    gids[i] = e.gid;
    sizes[i] = e.size;
    paths[i] = e.path;
    links[i] = e.linkTarget ?? '';
    if (isContentDigest(c.digests[i])) hashed.push(i);
    if (e.devMajor !== undefined) devices.push([i, e.devMajor, e.devMinor ?? 0]);
  });
  const hashIdx = Uint32Array.from(hashed);
  const hashBytes = Buffer.concat(hashed.map((i) => Buffer.from(c.digests[i]!, 'hex')));
  const parts: [string, Uint8Array][] = [
    ['types', types],
    ['modes', new Uint8Array(modes.buffer)],
    ['uids', new Uint8Array(uids.buffer)],
    ['gids', new Uint8Array(gids.buffer)],
    ['sizes', new Uint8Array(sizes.buffer)],
    ['paths', Buffer.from(paths.join('\0'))],
    ['links', Buffer.from(links.join('\0'))],
    ['hashIdx', new Uint8Array(hashIdx.buffer)],
    ['hashes', hashBytes],
  ];
  if (c.bodyOffsets) parts.push(['offsets', new Uint8Array(c.bodyOffsets.buffer, c.bodyOffsets.byteOffset, c.bodyOffsets.byteLength)]);
  if (c.sampleKeys) parts.push(['samples', new Uint8Array(c.sampleKeys.buffer, c.sampleKeys.byteOffset, c.sampleKeys.byteLength)]);
  const sections: Record<string, [number, number]> = {};
  let at = 0;
  for (const [k, v] of parts) {
    sections[k] = [at, v.byteLength];
    at += Math.ceil(v.byteLength / 8) * 8;
  }
  const body = Buffer.alloc(at);
  for (const [k, v] of parts) body.set(v, sections[k]![0]);
  const header: Header = { format: CACHE_FORMAT, diffId, storedSize, compression: c.compression, tarSize: c.tarSize, count: n, sections, devices, body: createHash('sha256').update(body).digest('hex') };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const headLen = Math.ceil(head.length / 8) * 8;
  return Buffer.concat([head, Buffer.alloc(headLen - head.length), body]);
}

function decode(buf: Buffer, diffId: string, storedSize: number | undefined): LayerContents | undefined {
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const nl = buf.indexOf(10, MAGIC.length);
  const h = JSON.parse(buf.toString('utf8', MAGIC.length, nl)) as Header;
  if (h.format !== CACHE_FORMAT || h.diffId !== diffId) return undefined;
  if (storedSize !== undefined && h.storedSize !== storedSize) return undefined;
  const base = Math.ceil((nl + 1) / 8) * 8;
  if (createHash('sha256').update(buf.subarray(base)).digest('hex') !== h.body) return undefined;
  const sec = (k: string): Uint8Array | undefined => {
    const s = h.sections[k];
    if (!s) return undefined;
    if (base + s[0] + s[1] > buf.length) throw new Error('truncated cache entry');
    // Copy into a fresh, aligned buffer so typed views are safe.
    return new Uint8Array(buf.buffer.slice(buf.byteOffset + base + s[0], buf.byteOffset + base + s[0] + s[1]));
  };
  const n = h.count;
  const types = sec('types')!;
  const modes = new Uint16Array(sec('modes')!.buffer);
  const uids = new Uint32Array(sec('uids')!.buffer);
  const gids = new Uint32Array(sec('gids')!.buffer);
  const sizes = new Float64Array(sec('sizes')!.buffer);
  const paths = Buffer.from(sec('paths')!).toString('utf8').split('\0');
  const links = Buffer.from(sec('links')!).toString('utf8').split('\0');
  if (types.length !== n || paths.length !== n || links.length !== n || sizes.length !== n) return undefined;
  const entries: LayerEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const type = TYPES[types[i]!]!;
    entries[i] = { path: paths[i]!, type, mode: modes[i]!, uid: uids[i]!, gid: gids[i]!, size: sizes[i]!, linkTarget: type === 'symlink' || type === 'hardlink' ? links[i] : undefined };
  }
  for (const [i, major, minor] of h.devices) entries[i] = { ...entries[i]!, devMajor: major, devMinor: minor };
  const hashIdx = new Uint32Array(sec('hashIdx')!.buffer);
  const hashes = Buffer.from(sec('hashes')!);
  const digests = new Array<string | undefined>(n);
  for (let k = 0; k < hashIdx.length; k++) digests[hashIdx[k]!] = hashes.toString('hex', k * 32, k * 32 + 32);
  const offsets = sec('offsets');
  const samples = sec('samples');
  return {
    entries,
    digests,
    compression: h.compression,
    tarSize: h.tarSize,
    ...(offsets ? { bodyOffsets: new Float64Array(offsets.buffer) } : {}),
    ...(samples ? { sampleKeys: new Float64Array(samples.buffer) } : {}),
  };
}
