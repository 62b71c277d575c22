import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { errnoCode, kindOfFsError, SourceError } from '../errors/index.js';
import type { DigestAlgorithm } from './digest.js';

/**
 * The worker's code, evaluated as a CommonJS script (so the same pool works from the built
 * package, from sources under test, and without a file to locate): it reads a region of a file
 * in 1 MiB steps and hashes it with each algorithm asked for, in one pass.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', (job) => {
  let fd;
  try {
    fd = fs.openSync(job.file, 'r');
    const hashes = job.algos.map((a) => crypto.createHash(a));
    let pos = job.offset;
    let left = job.length;
    while (left > 0) {
      const n = fs.readSync(fd, buf, 0, Math.min(left, buf.length), pos);
      if (n === 0) break;
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      for (const h of hashes) h.update(chunk);
      pos += n;
      left -= n;
    }
    parentPort.postMessage({ id: job.id, bytes: job.length - left, digests: hashes.map((h, i) => job.algos[i] + ':' + h.digest('hex')) });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: { message: String(e && e.message), code: e && e.code } });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

/** What hashing a file region found: `algo:hex` per algorithm asked for, and how many bytes there were. */
export type RegionDigests = { readonly digests: readonly string[]; readonly bytes: number };

type Job = {
  readonly id: number;
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly algos: readonly DigestAlgorithm[];
  readonly label: string;
  readonly resolve: (r: RegionDigests) => void;
  readonly reject: (e: unknown) => void;
  readonly signal?: AbortSignal;
};

type Slot = { worker: Worker; job?: Job };

/**
 * A small pool of worker threads that hash file regions, so layer bytes are verified on the
 * other cores while the main thread indexes tar headers. Sized to the cores (at most four): the
 * header scan of a plain tar ends well before its bytes are hashed (on a 2-core machine, 50k
 * files / 300 MiB: ~1 s of scanning, ~0.45 s of sha256 per core-pass), so after the scan every
 * core hashes; workers start on first use and do not keep the
 * process alive while idle. An aborted job terminates its worker (a hash cannot be interrupted
 * otherwise); a fresh one starts for the next job.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;

  constructor(readonly size = defaultPoolSize()) {}

  /**
   * Hashes `length` bytes at `offset` of `file` with each of `algos`. Resolves with the digests
   * and the bytes actually there (fewer when the file is shorter); rejects with a SourceError
   * naming `label` when the file cannot be read, or with the signal's reason on abort.
   */
  hashRegion(file: string, offset: number, length: number, algos: readonly DigestAlgorithm[], label: string, signal?: AbortSignal): Promise<RegionDigests> {
    return new Promise<RegionDigests>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const job: Job = { id: this.nextId++, file, offset, length, algos, label, resolve, reject, signal };
      if (signal) this.watch(signal);
      this.queue.push(job);
      this.pump();
    });
  }

  /** One abort listener per signal (not one per job: an image of 20k layers queues 20k jobs). */
  private readonly watched = new WeakSet<AbortSignal>();
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const job of [...this.queue, ...this.slots.map((s) => s.job)]) if (job?.signal === signal) this.cancel(job);
      },
      { once: true },
    );
  }

  private cancel(job: Job): void {
    const q = this.queue.indexOf(job);
    if (q >= 0) this.queue.splice(q, 1);
    const slot = this.slots.find((s) => s.job === job);
    if (slot) {
      slot.job = undefined;
      void slot.worker.terminate();
      this.slots.splice(this.slots.indexOf(slot), 1);
    }
    job.reject(job.signal!.reason);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, file: job.file, offset: job.offset, length: job.length, algos: job.algos });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot: Slot = { worker };
    worker.on('message', (m: { id: number; bytes?: number; digests?: string[]; error?: { message: string; code?: string } }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = undefined;
      worker.unref();
      if (m.error) {
        const e = Object.assign(new Error(m.error.message), { code: m.error.code });
        job.reject(new SourceError(kindOfFsError(e), job.label, `cannot read the layer to verify it (${errnoCode(e) ?? m.error.message})`, { cause: e }));
      } else job.resolve({ digests: m.digests!, bytes: m.bytes! });
      this.pump();
    });
    worker.on('error', (e) => {
      const job = slot.job;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (job) job.reject(new SourceError('corrupt', job.label, `cannot verify the layer (${e.message})`, { cause: e }));
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }
}

function defaultPoolSize(): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, Math.min(4, cores));
}

let shared: HashPool | undefined;

/** The process's one hash pool, created on first use. */
export function sharedHashPool(): HashPool {
  return (shared ??= new HashPool());
}
