import { open } from 'node:fs/promises';
import { decodeStored, type LayerBlob, type LayerContents, openStored, scanTarRegion, TarParser, toEntry } from '../archive/index.js';

/** Where one member's body goes, piece by piece; the extractor writes it to disk as it arrives. */
export type BodyWriter = {
  write(piece: Uint8Array): Promise<void>;
  /** The whole body was written. */
  close(): Promise<void>;
};

/**
 * What the reader hands over for one wanted member: its modification time (seconds, from its
 * tar header, PAX records folded in) and, when its body is wanted, a writer for it.
 */
export type MemberSink = (local: number, mtime: number) => Promise<BodyWriter | undefined>;

/** What is wanted of a member: its body (and time), or its time only (directories, symlinks). */
export type Want = 'body' | 'time';

/** Bytes read per positional read of a body: a body of any size passes through this much memory. */
const PIECE = 1 << 20;

/**
 * Reads some members of one layer, in tar order, and hands each to `sink` with its mtime; a
 * wanted body is streamed into the writer the sink returns, piece by piece (never held whole,
 * so a 2 GB file costs one piece of memory). `wanted` maps indices into `contents.entries` to
 * what is wanted of them. An uncompressed tar in a file region has its headers walked for the
 * times and its bodies read positionally; anything else is streamed once through the
 * decompressor and tar parser, matching members by path and occurrence as when the layer was
 * read. An aborted `signal` stops between pieces. A source read in one pass (no blob) cannot
 * give bodies (an error says so) and gives no times (none are handed over).
 */
export async function readMembers(blob: LayerBlob | undefined, contents: LayerContents, wanted: ReadonlyMap<number, Want>, sink: MemberSink, signal?: AbortSignal): Promise<void> {
  if (wanted.size === 0) return;
  if (!blob) {
    if ([...wanted.values()].includes('body')) throw new Error('this source was read in one pass; its file contents are no longer available');
    return;
  }
  if (blob.kind === 'file-region' && contents.bodyOffsets) return readPositional(blob, contents, wanted, sink, signal);
  return readStreamed(blob, contents, wanted, sink, signal);
}

async function readPositional(blob: Extract<LayerBlob, { kind: 'file-region' }>, contents: LayerContents, wanted: ReadonlyMap<number, Want>, sink: MemberSink, signal?: AbortSignal): Promise<void> {
  const offsets = contents.bodyOffsets!;
  // The times are in the headers: one walk over them (bodies are skipped, not read).
  const byStart = new Map<number, number>();
  for (const k of wanted.keys()) byStart.set(offsets[k]!, k);
  const mtimes = new Map<number, number>();
  await scanTarRegion(blob.file, blob.offset, blob.length, 'the layer', (h, bodyStart) => {
    const k = byStart.get(bodyStart);
    if (k !== undefined) mtimes.set(k, h.mtime);
  });
  const fh = await open(blob.file, 'r');
  try {
    const piece = Buffer.alloc(PIECE);
    for (const k of [...wanted.keys()].sort((x, y) => offsets[x]! - offsets[y]!)) {
      signal?.throwIfAborted();
      const w = await sink(k, mtimes.get(k) ?? Number.NaN);
      if (!w) continue;
      const size = wanted.get(k) === 'body' ? contents.entries[k]!.size : 0;
      for (let at = 0; at < size; at += PIECE) {
        signal?.throwIfAborted();
        const n = Math.min(PIECE, size - at);
        const { bytesRead } = await fh.read(piece, 0, n, blob.offset + offsets[k]! + at);
        if (bytesRead < n) throw new Error('the layer ended before the file did');
        await w.write(piece.subarray(0, n));
      }
      await w.close();
    }
  } finally {
    await fh.close();
  }
}

type Event = { readonly kind: 'open'; readonly local: number; readonly mtime: number } | { readonly kind: 'data'; readonly piece: Buffer } | { readonly kind: 'end' };

async function readStreamed(blob: LayerBlob, contents: LayerContents, wanted: ReadonlyMap<number, Want>, sink: MemberSink, signal?: AbortSignal): Promise<void> {
  // Which occurrence of which path each wanted index is (a path may appear twice in a layer).
  const want = new Map<string, Map<number, number>>();
  const seenBefore = new Map<string, number>();
  contents.entries.forEach((e, k) => {
    const n = seenBefore.get(e.path) ?? 0;
    seenBefore.set(e.path, n + 1);
    if (!wanted.has(k)) return;
    let m = want.get(e.path);
    if (!m) want.set(e.path, (m = new Map()));
    m.set(n, k);
  });
  // The parser calls back synchronously; its events are queued and written out (awaited)
  // after each chunk, so memory stays at one decompressed chunk.
  const events: Event[] = [];
  const seen = new Map<string, number>();
  let left = wanted.size;
  const parser = new TarParser('the layer', undefined, (h) => {
    const e = toEntry(h);
    if (!e || left === 0) return undefined;
    const n = seen.get(e.path) ?? 0;
    seen.set(e.path, n + 1);
    const k = want.get(e.path)?.get(n);
    if (k === undefined) return undefined;
    left--;
    events.push({ kind: 'open', local: k, mtime: h.mtime });
    return {
      data: (d) => void events.push({ kind: 'data', piece: d }),
      end: () => void events.push({ kind: 'end' }),
    };
  });
  let writer: BodyWriter | undefined;
  let open = false;
  const drain = async () => {
    for (const ev of events.splice(0)) {
      if (ev.kind === 'open') {
        writer = await sink(ev.local, ev.mtime);
        open = true;
      } else if (ev.kind === 'data') await writer?.write(ev.piece);
      else {
        await writer?.close();
        writer = undefined;
        open = false;
      }
    }
  };
  const stored = await openStored(blob);
  try {
    const tar = await decodeStored(stored, (what) => new Error(`unknown layer compression: ${what}`));
    for await (const chunk of tar) {
      signal?.throwIfAborted(); // a long layer stops being read as soon as the user cancels
      parser.write(chunk as Buffer);
      await drain();
      if (left === 0 && !open) break;
    }
  } finally {
    // Stopped early once every wanted member was read: release the file or connection.
    stored.destroy();
  }
  if (left > 0 || open) throw new Error(`${left || 1} entries were not found whole when the layer was read again`);
}
