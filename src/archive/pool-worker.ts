/**
 * The code of a `WorkerPool` thread: one job at a time, as the pool posts them, answered with
 * the same functions the main thread would call (its reads are synchronous: nothing else waits
 * on this thread).
 */
import { Readable, Transform } from 'node:stream';
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { ProgressFn } from './layer-blob.js';
import { packContents } from './packed-contents.js';
import { readLayer, readLayerStream } from './read-layer.js';
import { compareBodies, hashBodies, hashFileRegion } from './region-hash.js';
import { fromWireError, STREAM_WINDOW, toWireError, type PoolJob, type PoolReply, type StreamFeed } from './worker-pool.js';

const port = parentPort!;
const reply = (m: PoolReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Progress posted at most every this many bytes (and at the end): a message per 1 MiB chunk only wakes the main thread. */
const PROGRESS_STEP = 16 << 20;

/**
 * The stored bytes a `read-stream` job's port brings, as a stream; every quarter window of bytes
 * its reader takes goes back as `{ consumed }`, so the sender can send more.
 */
function fed(port: MessagePort): Readable {
  const source = new Readable({ read() {} });
  port.on('message', (m: StreamFeed) => {
    if ('chunk' in m) source.push(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength));
    else if ('end' in m) source.push(null);
    else source.destroy(fromWireError(m.error));
  });
  let passed = 0;
  let told = 0;
  const taken = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      passed += chunk.length;
      if (passed - told >= STREAM_WINDOW / 4) {
        told = passed;
        port.postMessage({ consumed: passed });
      }
      cb(null, chunk);
    },
  });
  source.on('error', (e) => taken.destroy(e));
  return source.pipe(taken);
}

function throttled(id: number): ProgressFn {
  let sent = -PROGRESS_STEP;
  return (done, total) => {
    if (done - sent < PROGRESS_STEP && done !== total) return;
    sent = done;
    reply({ id, progress: [done, total] });
  };
}

port.on('message', async (job: PoolJob & { readonly id: number }) => {
  const { id } = job;
  try {
    switch (job.type) {
      case 'hash':
        return reply({ id, result: await hashFileRegion(job.file, job.offset, job.length, job.algos, true) });
      case 'bodies':
        return reply({ id, result: await hashBodies(job.file, job.offsets, job.sizes, job.label, true) });
      case 'compare':
        return reply({ id, result: await compareBodies(job.pairs, job.label, true) });
      case 'read': {
        const contents = await readLayer(
          { kind: 'file-region', file: job.file, offset: job.offset, length: job.length },
          { label: job.label, hash: job.hash, forcePureZstd: job.forcePureZstd, onProgress: job.progress ? throttled(id) : undefined },
        );
        const { packed, transfer } = packContents(contents);
        return reply({ id, result: packed }, transfer);
      }
      case 'read-stream': {
        const contents = await readLayerStream(fed(job.port), job.total, {
          label: job.label,
          hash: job.hash,
          forcePureZstd: job.forcePureZstd,
          onProgress: job.progress ? throttled(id) : undefined,
        }).finally(() => job.port.close());
        const { packed, transfer } = packContents(contents);
        return reply({ id, result: packed }, transfer);
      }
    }
  } catch (e) {
    reply({ id, error: toWireError(e) });
  }
});
