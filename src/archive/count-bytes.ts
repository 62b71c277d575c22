/** Byte counting: progress (and a hash) of the bytes that pass through a stream. */
import { Transform, type Readable } from 'node:stream';
import type { MultiHash } from './digest.js';
import type { ProgressFn } from './layer-blob.js';

/** Passes a stream through, reporting the bytes seen so far (and hashing them); errors propagate downstream. */
export function countBytes(stream: Readable, report: ProgressFn | undefined, total: number | undefined, hash?: MultiHash): Readable {
  let done = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      hash?.update(chunk);
      report?.(done, total);
      cb(null, chunk);
    },
  });
  stream.on('error', (e) => counting.destroy(e));
  return stream.pipe(counting);
}
