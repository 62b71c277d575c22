import { open } from 'node:fs/promises';
import { decodeStored, type LayerBlob, type LayerContents, openStored, TarParser, toEntry } from '../archive/index.js';

/**
 * Reads the bodies of some entries of one layer and hands each to `sink` (in tar order).
 * `wanted` holds indices into `contents.entries`. An uncompressed tar in a file region is read
 * positionally at the offsets recorded when it was indexed; anything else is streamed again
 * through the decompressor and tar parser, matching entries by path and occurrence. An
 * aborted `signal` stops the reading between bodies (and between chunks of a streamed layer).
 */
export async function readBodies(
  blob: LayerBlob | undefined,
  contents: LayerContents,
  wanted: ReadonlySet<number>,
  sink: (local: number, body: Buffer) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (wanted.size === 0) return;
  if (!blob) throw new Error('this source was read in one pass; its file contents are no longer available');
  if (blob.kind === 'file-region' && contents.bodyOffsets) {
    const fh = await open(blob.file, 'r');
    try {
      for (const k of [...wanted].sort((x, y) => contents.bodyOffsets![x]! - contents.bodyOffsets![y]!)) {
        signal?.throwIfAborted();
        const size = contents.entries[k]!.size;
        const buf = Buffer.alloc(size);
        if (size > 0) {
          const { bytesRead } = await fh.read(buf, 0, size, blob.offset + contents.bodyOffsets[k]!);
          if (bytesRead < size) throw new Error('the layer ended before the file did');
        }
        await sink(k, buf);
      }
    } finally {
      await fh.close();
    }
    return;
  }
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
  const stored = await openStored(blob);
  // The same parser and naming rules as when the layer was read, so paths and occurrences match.
  const seen = new Map<string, number>();
  const ready: [number, Buffer][] = [];
  let left = wanted.size;
  const parser = new TarParser('the layer', undefined, (h) => {
    const e = toEntry(h);
    if (!e || left === 0) return undefined;
    const n = seen.get(e.path) ?? 0;
    seen.set(e.path, n + 1);
    const k = want.get(e.path)?.get(n);
    if (k === undefined) return undefined;
    const chunks: Buffer[] = [];
    return {
      data: (d) => void chunks.push(Buffer.from(d)),
      end: () => {
        left--;
        ready.push([k, Buffer.concat(chunks)]);
      },
    };
  });
  try {
    const tar = await decodeStored(stored, (what) => new Error(`unknown layer compression: ${what}`));
    for await (const chunk of tar) {
      signal?.throwIfAborted(); // a long layer stops being read as soon as the user cancels
      parser.write(chunk as Buffer);
      for (const [k, body] of ready.splice(0)) await sink(k, body);
      if (left === 0) break;
    }
  } finally {
    // Stopped early once every wanted body was found: release the file or connection.
    stored.destroy();
  }
  if (left > 0) throw new Error(`${left} entries were not found when the layer was read again`);
}
