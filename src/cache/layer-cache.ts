import { createHash } from 'node:crypto';
import { ENTRY_TYPES, type LayerContents, packContents, type PackedContents, unpackContents } from '../archive/index.js';
import { isContentDigest } from '../core/index.js';
import { CACHE_FORMAT, type CacheDir } from './cache-dir.js';

const MAGIC = 'inspect-tui layer cache\n';

type Header = {
  format: string;
  diffId: string;
  storedSize: number;
  compression: LayerContents['compression'];
  tarSize: number;
  count: number;
  sections: Record<string, [number, number]>;
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
 * of any body hashed so far, and the package database bodies a stream kept), in a compact columnar file that decodes in a fraction of the
 * time a tar scan takes. An entry whose stored blob size differs from the one being opened,
 * or that fails to decode, is ignored and rebuilt.
 */
export class LayerCache {
  constructor(private readonly dir: CacheDir) {}

  get(diffId: string | undefined, storedSize: number | undefined): LayerContents | undefined {
    const name = diffId && nameOf(diffId);
    if (!name) return undefined;
    return this.dir.readEntry(name, (buf) => decode(buf, diffId, storedSize));
  }

  /**
   * Writes a layer's entries and `digests`: the body digests known for them, parallel to
   * `contents.entries` (what the read found and what was hashed since; the lifecycle's table
   * gives them). Those are what a later `get` gives back as `digests`.
   */
  put(diffId: string | undefined, storedSize: number, contents: LayerContents, digests: readonly (string | undefined)[]): void {
    const name = diffId && nameOf(diffId);
    if (!name) return;
    this.dir.write(name, encode(diffId, storedSize, contents, digests));
  }
}

function encode(diffId: string, storedSize: number, c: LayerContents, digests: readonly (string | undefined)[]): Buffer {
  const { packed: p } = packContents(c);
  const hashed: number[] = [];
  digests.forEach((d, i) => isContentDigest(d) && hashed.push(i));
  const hashIdx = Uint32Array.from(hashed);
  const hashBytes = Buffer.concat(hashed.map((i) => Buffer.from(digests[i]!, 'hex')));
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const parts: [string, Uint8Array][] = [
    ['types', bytes(p.types)],
    ['modes', bytes(p.modes)],
    ['uids', bytes(p.uids)],
    ['gids', bytes(p.gids)],
    ['sizes', bytes(p.sizes)],
    ['paths', Buffer.from(p.paths.join('\0'))],
    ['linkAt', bytes(p.linkAt)],
    ['links', Buffer.from(p.links.join('\0'))],
    ['devices', bytes(p.devices)],
    ['hashIdx', bytes(hashIdx)],
    ['hashes', hashBytes],
  ];
  if (c.bodyOffsets) parts.push(['offsets', bytes(c.bodyOffsets)]);
  if (c.packageBodies && c.packageBodies.size > 0) {
    // The package database bodies a stream kept: indices, lengths, then the bytes one after another.
    const kept = [...c.packageBodies];
    parts.push(['pkgIdx', bytes(Uint32Array.from(kept, ([i]) => i))]);
    parts.push(['pkgLen', bytes(Float64Array.from(kept, ([, b]) => b.byteLength))]);
    parts.push(['pkgData', Buffer.concat(kept.map(([, b]) => b))]);
  }
  if (c.sampleKeys) parts.push(['samples', bytes(c.sampleKeys)]);
  const sections: Record<string, [number, number]> = {};
  let at = 0;
  for (const [k, v] of parts) {
    sections[k] = [at, v.byteLength];
    at += Math.ceil(v.byteLength / 8) * 8;
  }
  const body = Buffer.alloc(at);
  for (const [k, v] of parts) body.set(v, sections[k]![0]);
  const header: Header = { format: CACHE_FORMAT, diffId, storedSize, compression: c.compression, tarSize: c.tarSize, count: p.paths.length, sections, body: createHash('sha256').update(body).digest('hex') };
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
  const sec = (k: string): ArrayBuffer => {
    const s = h.sections[k];
    if (!s || base + s[0] + s[1] > buf.length) throw new Error('truncated cache entry');
    // Copy into a fresh, aligned buffer so typed views are safe.
    return buf.buffer.slice(buf.byteOffset + base + s[0], buf.byteOffset + base + s[0] + s[1]) as ArrayBuffer;
  };
  const text = (k: string, n: number) => (n === 0 ? [] : Buffer.from(sec(k)).toString('utf8').split('\0'));
  const n = h.count;
  const linkAt = new Uint32Array(sec('linkAt'));
  const hashIdx = new Uint32Array(sec('hashIdx'));
  const hashes = Buffer.from(sec('hashes'));
  const digests = new Array<string | undefined>(n);
  for (let k = 0; k < hashIdx.length; k++) digests[hashIdx[k]!] = hashes.toString('hex', k * 32, k * 32 + 32);
  const packed: PackedContents = {
    paths: text('paths', n),
    types: new Uint8Array(sec('types')),
    modes: new Uint16Array(sec('modes')),
    uids: new Float64Array(sec('uids')),
    gids: new Float64Array(sec('gids')),
    sizes: new Float64Array(sec('sizes')),
    linkAt,
    links: text('links', linkAt.length),
    devices: new Float64Array(sec('devices')),
    digests,
    compression: h.compression,
    tarSize: h.tarSize,
    ...(h.sections.offsets ? { bodyOffsets: new Float64Array(sec('offsets')) } : {}),
    ...(h.sections.samples ? { sampleKeys: new Float64Array(sec('samples')) } : {}),
  };
  const packageBodies = h.sections.pkgIdx ? decodeBodies(new Uint32Array(sec('pkgIdx')), new Float64Array(sec('pkgLen')), Buffer.from(sec('pkgData')), n) : undefined;
  if (packageBodies === null) return undefined;
  const columns = [packed.types, packed.modes, packed.uids, packed.gids, packed.sizes];
  if (packed.paths.length !== n || columns.some((c) => c.length !== n) || packed.links.length !== linkAt.length) return undefined;
  if (linkAt.some((i) => i >= n) || packed.devices.length % 3 !== 0 || packed.types.some((t) => t >= ENTRY_TYPES.length)) return undefined;
  return unpackContents(packageBodies ? { ...packed, packageBodies } : packed);
}

/** The kept bodies from their sections; null when they do not add up (then the entry is not used). */
function decodeBodies(idx: Uint32Array, len: Float64Array, data: Buffer, count: number): Map<number, Uint8Array> | null {
  if (idx.length !== len.length) return null;
  const out = new Map<number, Uint8Array>();
  let at = 0;
  for (let k = 0; k < idx.length; k++) {
    const n = len[k]!;
    if (idx[k]! >= count || !Number.isInteger(n) || n < 0 || at + n > data.length) return null;
    out.set(idx[k]!, data.subarray(at, at + n));
    at += n;
  }
  return at === data.length ? out : null;
}
