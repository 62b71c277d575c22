/**
 * The code of a `WorkerPool` thread: one job at a time, as the pool posts them, answered with
 * the same functions the main thread would call (its reads are synchronous: nothing else waits
 * on this thread).
 */
import { parentPort } from 'node:worker_threads';
import { packContents } from './packed-contents.js';
import { readLayer } from './read-layer.js';
import { compareBodies, hashBodies, hashFileRegion } from './region-hash.js';
import { toWireError, type PoolJob, type PoolReply } from './worker-pool.js';

const port = parentPort!;
const reply = (m: PoolReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

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
          { label: job.label, hash: job.hash, forcePureZstd: job.forcePureZstd, onProgress: job.progress ? (done, total) => reply({ id, progress: [done, total] }) : undefined },
        );
        const { packed, transfer } = packContents(contents);
        return reply({ id, result: packed }, transfer);
      }
    }
  } catch (e) {
    reply({ id, error: toWireError(e) });
  }
});
