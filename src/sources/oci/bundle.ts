import { statSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { cleanPath, contentsOf, countBytes, decodeStored, digestAlgorithm, digestOf, entryTypeOf, type LayerBlob, type LayerContents, type MemberSink, MultiHash, peek, type ProgressFn, readLayerStream, scanTarRegion, sniffCompression, TarParser } from '../../archive/index.js';
import { SourceError } from '../../errors/index.js';
import { shortDigest } from '../../format/index.js';
import { CONFIG_CAP } from './limits.js';
import { checkBlobSize, type Descriptor } from './manifest.js';


/** A member of a bundle that holds layer bytes: a blob to read, or a layer already parsed. */
export type BundleBlob =
  | { readonly blob: LayerBlob; readonly size: number }
  /** Parsed in passing; `blob`, when the stream can be opened again, re-reads the member's bytes (the file viewer, extraction). */
  | { readonly parsed: LayerContents; readonly size: number; readonly blob?: LayerBlob };

/**
 * A set of named files an image format is read from: a directory (OCI layout), a seekable
 * tar (docker-archive, oci-archive), or a tar read once from a stream (stdin, gzip-wrapped
 * archives, a daemon's export). Names are cleaned relative paths (`blobs/sha256/ab…`).
 */
export type Bundle = {
  /** The file or directory, for messages. */
  readonly label: string;
  has(name: string): boolean;
  /** Reads a small member whole; SourceError limit-exceeded past `cap`, not-found when absent. */
  readSmall(name: string, cap: number): Promise<Buffer>;
  /** The bytes of a layer member. */
  layer(name: string): BundleBlob;
  close(): Promise<void>;
};

function missing(label: string, name: string): SourceError {
  return new SourceError('not-found', label, `"${name}" is missing`);
}

function tooBig(label: string, name: string, size: number, cap: number): SourceError {
  return new SourceError('limit-exceeded', label, `"${name}" is ${size} bytes, more than the ${cap}-byte limit for metadata`);
}

/** An OCI layout directory on disk. */
export async function openDirBundle(dir: string): Promise<Bundle> {
  return {
    label: dir,
    has: (name) => statSizeSync(path.join(dir, name)) !== undefined,
    async readSmall(name, cap) {
      const size = statSizeSync(path.join(dir, name));
      if (size === undefined) throw missing(dir, name);
      if (size > cap) throw tooBig(dir, name, size, cap);
      return readFile(path.join(dir, name));
    },
    layer(name) {
      const file = path.join(dir, name);
      const size = statSizeSync(file);
      if (size === undefined) throw missing(dir, name);
      return { blob: { kind: 'file-region', file, offset: 0, length: size }, size };
    },
    async close() {},
  };
}

function statSizeSync(p: string): number | undefined {
  try {
    const s = statSync(p);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

type Member = { offset: number; size: number; link?: string };

/**
 * Resolves a member name through symlink and hard-link members (skopeo and podman write
 * `<id>/layer.tar` as a symlink to `<digest>.tar`), with a bound on the chain length.
 */
/** The name a member is stored under, following links (16 at most); undefined past that. */
function resolveName<M extends { link?: string }>(members: Map<string, M>, name: string): string | undefined {
  let n = cleanPath(name);
  for (let hops = 0; hops < 16; hops++) {
    const m = members.get(n);
    if (!m || m.link === undefined) return n;
    n = m.link;
  }
  return undefined;
}

function resolveMember<M extends { link?: string }>(members: Map<string, M>, name: string): M | undefined {
  const n = resolveName(members, name);
  return n === undefined ? undefined : members.get(n);
}

/** Waits until a stream that asked for it drains, or closes (a destroyed reader never drains). */
function drained(s: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const go = () => {
      s.off('drain', go);
      s.off('close', go);
      resolve();
    };
    s.on('drain', go);
    s.on('close', go);
  });
}

function linkTargetName(from: string, target: string, isHardlink: boolean): string {
  if (isHardlink || target.startsWith('/')) return cleanPath(target);
  return cleanPath(path.posix.join(path.posix.dirname(from), target));
}

/** An uncompressed tar file on disk, indexed by positional header reads. */
export async function openTarFileBundle(file: string, onProgress?: ProgressFn): Promise<Bundle> {
  const st = await stat(file);
  const members = new Map<string, Member>();
  await scanTarRegion(file, 0, st.size, file, (h, bodyStart) => {
    const name = cleanPath(h.name);
    const t = h.typeflag;
    if (t === '2' || t === '1') members.set(name, { offset: 0, size: 0, link: linkTargetName(name, h.linkname, t === '1') });
    else if (t === '0' || t === '\0' || t === '7') members.set(name, { offset: bodyStart, size: h.size });
  }, onProgress);
  if (members.size === 0) throw new SourceError('corrupt', file, `the archive is empty or not a tar`);
  return {
    label: file,
    has: (name) => resolveMember(members, name) !== undefined,
    async readSmall(name, cap) {
      const m = resolveMember(members, name);
      if (!m) throw missing(file, name);
      if (m.size > cap) throw tooBig(file, name, m.size, cap);
      const h = await open(file, 'r');
      try {
        const buf = Buffer.alloc(m.size);
        const { bytesRead } = await h.read(buf, 0, m.size, m.offset);
        if (bytesRead < m.size) throw new SourceError('corrupt', file, `"${name}" is truncated`);
        return buf;
      } finally {
        await h.close();
      }
    },
    layer(name) {
      const m = resolveMember(members, name);
      if (!m) throw missing(file, name);
      return { blob: { kind: 'file-region', file, offset: m.offset, length: m.size }, size: m.size };
    },
    async close() {},
  };
}

/** Bytes of an archive read in one pass between two turns of the event loop. */
const YIELD_EVERY = 64 << 20;

type StreamMember =
  | { kind: 'small'; data: Buffer; link?: undefined }
  | { kind: 'layer'; parsed: LayerContents; size: number; link?: undefined }
  | { kind: 'skipped'; size: number; why: string; link?: undefined }
  | { kind: 'link'; link: string };

/**
 * A tar read once from a stream (stdin, `docker save | gzip`, a daemon's `/images/get`).
 * Nothing is written to disk: small members are kept, and every member that looks like a
 * layer (a tar, gzip or zstd body) is parsed as it passes, with its file bodies hashed; the
 * manifest, which may come last, then picks the layers by name.
 *
 * @param label names the stream in messages (a path, `stdin`, `docker-daemon:app:1`).
 * @param onProgress bytes of the outer stream consumed (as stored, before gunzip).
 * @param verify hash each layer as stored and as a tar, for the lifecycle to verify (`false`: `--no-verify`).
 * @param reopen opens the same archive again (a file, a daemon's export of an image by ID): the
 *   layers then keep a blob that re-reads their member, so their file bodies stay available
 *   without anything kept in memory or written to disk. Absent (stdin): bodies are not available.
 */
export async function openStreamBundle(input: Readable, label: string, onProgress?: ProgressFn, total?: number, verify = true, reopen?: () => Promise<Readable>): Promise<Bundle> {
  const members = new Map<string, StreamMember>();
  const counted = onProgress ? countBytes(input, onProgress, total) : input;
  const stream = await decodeStored(counted, (what) => new SourceError('unsupported-format', label, `not an image archive (${what})`));
  // Each regular member's body flows into a PassThrough read by its own task (a layer parsed as
  // it passes, or small metadata kept); the outer loop waits for a member that cannot take more,
  // so at most one chunk per member is buffered.
  const tasks: Promise<void>[] = [];
  let failed: unknown;
  let open: PassThrough | undefined;
  const handle = async (name: string, size: number, body: PassThrough) => {
    const p = await peek(body, 512);
    const kind = sniffCompression(p.head);
    if (typeof kind === 'string' && size > 0) {
      // The manifest (which names the digests) may come after the layers: hash with the
      // algorithm the member's name says (`blobs/sha512/…`), sha256 otherwise.
      const algo = /(?:^|\/)blobs\/sha512\//.test(name) ? 'sha512' : 'sha256';
      const parsed = await readLayerStream(p.stream, size, { label: `${label}: ${name}`, hash: verify ? { stored: [algo], tar: [algo] } : undefined });
      members.set(name, { kind: 'layer', parsed, size });
    } else if (size <= CONFIG_CAP) {
      const chunks: Buffer[] = [];
      for await (const chunk of p.stream) chunks.push(chunk as Buffer);
      members.set(name, { kind: 'small', data: Buffer.concat(chunks) });
    } else {
      members.set(name, { kind: 'skipped', size, why: 'neither a layer nor small metadata' });
      for await (const _ of p.stream) void _;
    }
  };
  /** A member that is an uncompressed layer tar, parsed as it passes; stored bytes and tar are the same bytes, hashed once. */
  const plainLayerSink = (name: string, size: number): MemberSink => {
    const algo = /(?:^|\/)blobs\/sha512\//.test(name) ? 'sha512' : 'sha256';
    const hash = verify ? new MultiHash([algo]) : undefined;
    const nested = new TarParser(`${label}: ${name}`, hash);
    return {
      data: (chunk) => nested.write(chunk),
      end: () => {
        const r = nested.end();
        const d = hash?.digests();
        members.set(name, { kind: 'layer', size, parsed: contentsOf(r, 'none', d ? { stored: d, storedSize: r.tarSize, tar: d } : undefined) });
      },
    };
  };
  const parser = new TarParser(label, undefined, (h) => {
    const name = cleanPath(h.name);
    if (h.typeflag === '1' || h.typeflag === '2') {
      members.set(name, { kind: 'link', link: linkTargetName(name, h.linkname, h.typeflag === '1') });
      return undefined;
    }
    if (entryTypeOf(h.typeflag, h.name) !== 'file') return undefined;
    // The first block tells what the member is: a plain tar (most docker-save layers) is parsed
    // right here, synchronously, as the bytes pass (no copies, no buffering); anything else goes
    // to a task of its own.
    const size = h.size;
    const head: Buffer[] = [];
    let headLength = 0;
    let target: MemberSink | undefined;
    const decide = () => {
      const first = Buffer.concat(head);
      head.length = 0;
      const c = sniffCompression(first.subarray(0, 512));
      if (c === 'none' && size > 0) target = plainLayerSink(name, size);
      else {
        const body = new PassThrough({ highWaterMark: 1 << 20 });
        open = body;
        const task = handle(name, size, body);
        task.catch((e: unknown) => {
          failed ??= e;
          body.resume();
        });
        tasks.push(task);
        target = { data: (chunk) => void body.write(chunk), end: () => void body.end() };
      }
      if (first.length > 0) target.data(first);
    };
    return {
      data(chunk) {
        if (target) return target.data(chunk);
        head.push(Buffer.from(chunk));
        headLength += chunk.length;
        if (headLength >= 512) decide();
      },
      end() {
        if (!target) decide();
        target!.end();
      },
    };
  });
  // Let the event loop turn now and then: a stream that always has data ready would otherwise
  // run on microtasks alone, starving timers and the collector's idle tasks.
  let yieldAt = YIELD_EVERY;
  try {
    for await (const chunk of stream) {
      parser.write(chunk as Buffer);
      if (failed !== undefined) break;
      if (parser.tarSize >= yieldAt) {
        yieldAt = parser.tarSize + YIELD_EVERY;
        await new Promise((r) => setImmediate(r));
      }
      const body = open;
      // Its task drains it (a failed task resumes it, a destroyed one closes it).
      if (body?.writableNeedDrain && !body.writableEnded) await drained(body);
    }
    if (failed === undefined && !parser.complete) throw new SourceError('corrupt', label, 'the archive is truncated (unexpected end of data)');
    await Promise.all(tasks);
  } catch (err) {
    open?.destroy();
    stream.destroy();
    const e = failed ?? err;
    if (e instanceof SourceError) throw e;
    const msg = (e as Error).message ?? String(e);
    throw new SourceError('corrupt', label, /unexpected end|premature|Unexpected end/i.test(msg)
      ? 'the archive is truncated (unexpected end of data)'
      : `cannot read the archive (${msg})`, { cause: e });
  }
  if (failed !== undefined) {
    stream.destroy();
    throw failed;
  }
  if (members.size === 0) throw new SourceError('corrupt', label, `the archive is empty`);
  const get = (name: string) => resolveMember(members as Map<string, StreamMember>, name);
  return {
    label,
    has: (name) => get(name) !== undefined,
    async readSmall(name, cap) {
      const m = get(name);
      if (!m) throw missing(label, name);
      if (m.kind === 'small') {
        if (m.data.length > cap) throw tooBig(label, name, m.data.length, cap);
        return m.data;
      }
      const size = m.kind === 'link' ? 0 : m.size;
      throw tooBig(label, name, size, cap);
    },
    layer(name) {
      const m = get(name);
      if (!m) throw missing(label, name);
      if (m.kind === 'layer') {
        if (!reopen) return { parsed: m.parsed, size: m.size };
        const stored = resolveName(members as Map<string, StreamMember>, name)!;
        return { parsed: m.parsed, size: m.size, blob: { kind: 'stream', length: m.size, open: () => openMemberStream(reopen, stored, label) } };
      }
      if (m.kind === 'small') {
        // A small body that is no tar: report what it is rather than a parse error.
        throw new SourceError('corrupt', label, `layer "${name}" is not a tar, gzip or zstd layer`);
      }
      throw new SourceError('corrupt', label, `layer "${name}" could not be read`);
    },
    async close() {},
  };
}

/**
 * The bytes of one member of an archive read again from its start (`reopen`), as a stream the
 * caller destroys when it has enough: the archive is parsed as it arrives (unwrapped first if
 * gzip- or zstd-compressed) and dropped as soon as the member has passed.
 */
export async function openMemberStream(reopen: () => Promise<Readable>, name: string, label: string): Promise<Readable> {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const pump = async () => {
    const raw = await reopen();
    let found = false;
    let done = false;
    const parser = new TarParser(label, undefined, (h) => {
      if (found || cleanPath(h.name) !== name) return undefined;
      found = true;
      return {
        data: (chunk) => void out.write(Buffer.from(chunk)),
        end: () => {
          done = true;
          out.end();
        },
      };
    });
    try {
      const outer = await decodeStored(raw, (what) => new SourceError('corrupt', label, `no longer an image archive (${what})`));
      for await (const chunk of outer) {
        if (out.destroyed) return;
        parser.write(chunk as Buffer);
        if (done) return;
        if (out.writableNeedDrain) await drained(out);
      }
      if (!found) throw new SourceError('corrupt', label, `"${name}" is no longer in the archive`);
      if (!done) throw new SourceError('corrupt', label, `"${name}" ends early when read again`);
    } finally {
      raw.destroy();
    }
  };
  pump().catch((e: unknown) => out.destroy(e as Error));
  return out;
}

/** `sha256:ab…` → `blobs/sha256/ab…` (image-layout spec, "Blobs"). */
export function blobPath(digest: string): string {
  const i = digest.indexOf(':');
  return `blobs/${digest.slice(0, i)}/${digest.slice(i + 1)}`;
}

/**
 * A blob of an OCI layout held in a bundle, whole: SourceError not-found when absent,
 * limit-exceeded past `cap`, digest-mismatch when its size or digest contradicts `d`.
 */
export async function readVerifiedBlob(bundle: Bundle, d: Descriptor, cap: number): Promise<Buffer> {
  const label = bundle.label;
  const p = blobPath(d.digest);
  if (!bundle.has(p)) throw new SourceError('not-found', label, `blob ${d.digest} is missing`);
  const algo = digestAlgorithm(d.digest, `${label}: blob ${d.digest.slice(0, 80)}`);
  const data = await bundle.readSmall(p, cap);
  checkBlobSize(d, data.length, label);
  if (digestOf(algo, data) !== d.digest) {
    throw new SourceError('digest-mismatch', label, `blob ${shortDigest(d.digest)} does not match its digest`);
  }
  return data;
}

/** The first bytes of a file, for sniffing. */
export async function readHead(file: string, n = 512): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
