import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { errnoCode, kindOfFsError, SourceError, type SourceErrorKind } from '../errors/index.js';
import type { DigestAlgorithm } from './digest.js';
import type { HashRequest, LayerBlob, LayerContents, ProgressFn } from './layer-blob.js';
import { unpackContents, type PackedContents } from './packed-contents.js';
import { bodiesToHash, bodyDigests, type BodyDigests } from './entry-hash.js';
import { readLayer, readLayerStream, sniffFileRegion, type ReadLayerOptions } from './read-layer.js';
import { compareBodies, hashBodies, hashFileRegion, type BodyPairs, type RegionDigests } from './region-hash.js';

export type { RegionDigests } from './region-hash.js';

/** A job as the worker receives it (`pool-worker.ts`). */
export type PoolJob =
  | { readonly type: 'hash'; readonly file: string; readonly offset: number; readonly length: number; readonly algos: readonly DigestAlgorithm[] }
  | {
      readonly type: 'read';
      readonly file: string;
      readonly offset: number;
      readonly length: number;
      readonly label: string;
      readonly hash?: HashRequest;
      readonly forcePureZstd?: boolean;
      readonly progress: boolean;
    }
  | {
      /** A layer streamed to the worker through `port` (`StreamFeed` messages), read as `readLayerStream` would. */
      readonly type: 'read-stream';
      readonly port: MessagePort;
      readonly total?: number;
      readonly label: string;
      readonly hash?: HashRequest;
      readonly forcePureZstd?: boolean;
      readonly progress: boolean;
    }
  | { readonly type: 'bodies'; readonly file: string; readonly offsets: Float64Array; readonly sizes: Float64Array; readonly label: string }
  | { readonly type: 'compare'; readonly pairs: BodyPairs; readonly label: string };

/**
 * What flows to a worker reading a stream, on the job's own port: chunks of the stored bytes,
 * their end, or the error that ended them; back comes `{ consumed }`, the bytes the reader has
 * taken, so the sender keeps at most `STREAM_WINDOW` bytes in flight.
 */
export type StreamFeed = { readonly chunk: Uint8Array } | { readonly end: true } | { readonly error: WireError };

/** Bytes sent to a worker's stream read and not yet taken by its reader: the memory one streamed layer may hold in flight. */
export const STREAM_WINDOW = 16 << 20;

/** Bytes per message of a stream read. */
const STREAM_BLOCK = 1 << 20;

/** What a worker posts back: progress of a read, a result, or an error as data. */
export type PoolReply =
  | { readonly id: number; readonly progress: readonly [number, number | undefined] }
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: WireError };

/** An error crossing threads: a SourceError keeps its kind, subject and reason; others their message and code. */
export type WireError = { readonly message: string; readonly code?: string; readonly kind?: SourceErrorKind; readonly subject?: string; readonly reason?: string };

export function toWireError(e: unknown): WireError {
  if (e instanceof SourceError) return { message: e.message, kind: e.kind, subject: e.subject, reason: e.reason };
  return { message: String((e as Error | null)?.message ?? e), code: errnoCode(e) };
}

/** The error a `WireError` stands for (see `toWireError`). */
export function fromWireError(w: WireError): Error {
  if (w.kind !== undefined) return new SourceError(w.kind, w.subject ?? '', w.reason ?? w.message);
  return Object.assign(new Error(w.message), w.code ? { code: w.code } : {});
}

type Pending = {
  readonly id: number;
  readonly job: PoolJob;
  /** Reads and body hashes (what the analysis waits for) go before whole-layer verification. */
  readonly urgent: boolean;
  readonly resolve: (result: unknown) => void;
  readonly reject: (e: unknown) => void;
  /** The error for a worker that died on this job. */
  readonly crashed: (e: Error) => Error;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressFn;
  /** Moved to the worker with the job (a stream read's port). */
  readonly transfer?: readonly MessagePort[];
};

type Slot = { worker: Worker; job?: Pending; idle?: NodeJS.Timeout };

/** Set by the bundler (scripts/build.mjs): 'npm' for the package's bundle, 'sea' for the single executable; undeclared when unbundled. */
declare const INSPECT_TUI_BUNDLE: 'npm' | 'sea' | undefined;

/** A worker's code: a module file, or (in the single executable) CommonJS source the thread evaluates. */
type WorkerCode = { readonly kind: 'file'; readonly url: URL } | { readonly kind: 'eval'; readonly code: string };

/** The single executable's asset holding the worker (scripts/build-sea.mjs). */
export const WORKER_ASSET = 'pool-worker.cjs';

/**
 * The worker this process runs: the compiled `pool-worker.js` beside this module (tsc's
 * `build/archive/`, or the package's bundle, whose files all lie in `dist/`); the single
 * executable's asset; none when running from TypeScript sources (tests), or when the file is
 * missing.
 */
function defaultWorker(): WorkerCode | undefined {
  if (typeof INSPECT_TUI_BUNDLE !== 'undefined' && INSPECT_TUI_BUNDLE === 'sea') return { kind: 'eval', code: process.getBuiltinModule('node:sea').getAsset(WORKER_ASSET, 'utf8') };
  const url = new URL('./pool-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? { kind: 'file', url } : undefined;
}

/** How long a worker may sit idle before it ends. */
const IDLE_MS = 200;

/** Bodies hashed per job: a layer with more is split so every core takes a share. */
const BODIES_PER_JOB_BYTES = 16 << 20;

/**
 * The process's worker threads, sized to the cores (at most four): they read the layers being
 * verified, one layer per worker, each in one pass that hashes it as stored and as a tar while
 * its headers are scanned or its stream is inflated, parsed and every body hashed (`readLayer`,
 * `readStream`); they hash the bodies the content keys need, compare bodies, hash whole layers a
 * reader did not, and with more than two cores also read unverified compressed layers, while
 * the main thread merges and analyses. Reads and body hashes go first; verification fills
 * the idle time. Workers start on first use and do not keep the process alive while idle. An
 * aborted job terminates its worker (a read or a hash cannot be interrupted otherwise); a fresh
 * one starts for the next job.
 *
 * Without the compiled worker script (running from TypeScript sources) every job runs on the
 * calling thread instead, with the same results.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly urgent: Pending[] = [];
  private readonly background: Pending[] = [];
  private nextId = 0;
  /** True when jobs run on worker threads. */
  readonly threaded: boolean;
  /** True when unverified compressed layers in files are read on the workers too (see `readLayer`). */
  readonly readsCompressed: boolean;

  /**
   * @param options.size threads; @default the cores, at most four
   * @param options.script the compiled worker; `null` for none; @default the one beside this module (or the single executable's), when there is one
   * @param options.readsCompressed read unverified compressed layers on the workers too (verified ones always are); @default with more than two threads
   * @param options.bodyBytesPerJob bytes of bodies hashed per job; @default 16 MiB
   */
  constructor(options: { readonly size?: number; readonly script?: URL | null; readonly readsCompressed?: boolean; readonly bodyBytesPerJob?: number } = {}) {
    this.size = options.size ?? defaultPoolSize();
    this.bodyBytesPerJob = options.bodyBytesPerJob ?? BODIES_PER_JOB_BYTES;
    const script = options.script === undefined ? defaultWorker() : options.script === null ? undefined : ({ kind: 'file', url: options.script } as const);
    this.script = script;
    this.threaded = script !== undefined;
    this.readsCompressed = this.threaded && (options.readsCompressed ?? this.size > 2);
  }

  readonly size: number;
  private readonly script: WorkerCode | undefined;
  private readonly bodyBytesPerJob: number;

  /** Ends every worker; queued and running jobs reject. The pool can be used again after. */
  close(): void {
    const err = new Error('the worker pool was closed');
    for (const p of this.urgent.splice(0).concat(this.background.splice(0))) p.reject(err);
    for (const slot of this.slots.splice(0)) {
      clearTimeout(slot.idle);
      slot.job?.reject(err);
      void slot.worker.terminate();
    }
  }

  /**
   * Hashes `length` bytes at `offset` of `file` with each of `algos`. Resolves with the digests
   * and the bytes actually there (fewer when the file is shorter); rejects with a SourceError
   * naming `label` when the file cannot be read, or with the signal's reason on abort.
   */
  async hashRegion(file: string, offset: number, length: number, algos: readonly DigestAlgorithm[], label: string, signal?: AbortSignal): Promise<RegionDigests> {
    const unreadable = (e: unknown) => new SourceError(kindOfFsError(e), label, `cannot read the layer to verify it (${errnoCode(e) ?? (e as Error).message})`, { cause: e });
    if (!this.threaded) {
      signal?.throwIfAborted();
      return hashFileRegion(file, offset, length, algos, false, signal).catch((e: unknown) => {
        if (signal?.aborted && e === signal.reason) throw e;
        throw unreadable(e);
      });
    }
    return this.run<RegionDigests>({ type: 'hash', file, offset, length, algos }, false, (e) => new SourceError('corrupt', label, `cannot verify the layer (${e.message})`, { cause: e }), signal).catch((e: unknown) => {
      if (e instanceof SourceError || e === signal?.reason) throw e;
      throw unreadable(e);
    });
  }

  /** Reads one layer (see `readLayer`): a file region on a worker, a stream here. */
  async readLayer(blob: LayerBlob, opts: ReadLayerOptions & { readonly signal?: AbortSignal }): Promise<LayerContents> {
    if (!this.threaded || blob.kind !== 'file-region' || blob.length === 0) return readLayer(blob, opts);
    // An uncompressed tar whose digests are asked for is read whole on a worker, one layer per
    // worker, its headers scanned in the pass that hashes it: the real-shaped 2 GiB image,
    // verified, 8.1 s against 9.0 s for a scan here beside a hash there (medians of 7 alternating
    // runs on a busy 2-core machine, faster in 6 of 7; CPU 4.5 s against 4.3 s). Images of
    // many small files, whose entries then cross threads, pay in CPU and memory: 200k synthetic,
    // CPU 3.9–4.4 s against 3.6–4.0 s, peak RSS 335–345 MiB against 261–270 MiB; 1M files, CPU
    // 13.3 s against 12.0 s, peak 843 MiB against 810 MiB. Their wall time did not settle on
    // the busy machine (200k: 21.2 s against 16.7 s in one set of runs, 8.4 s against 9.6 s in
    // another).
    // Unverified,
    // a worker read never paid on 2 cores: the scan reads only headers and is bound by copying
    // pages, which two cores did no faster than one (200k files: read phase 1.5 s here, 1.9–2.4 s
    // on two workers) while its entries crossing threads cost ~230 MiB of peak RSS (1M files).
    // A compressed layer is inflated on libuv's threads either way; unverified on 2 cores, a
    // worker read did not pay (200k gzip: 6.0 s here, 6.2–6.5 s on workers, +100 MiB). Verified,
    // the sha256 of the blob, of the tar and of every body ride on its read, and here they made
    // the main thread the bottleneck: 200k gzip, 5.3–5.7 s of its CPU against 1.6–2.2 s with
    // the reads on workers (8.2 s of CPU in all against 9.2 s: packing, a second heap). On a
    // busy 2-core machine the two took the same time (11.2 s here, 11.8 s on workers, medians
    // of 5 alternating runs; serial `gzip -dc` 10.0 s), where total CPU decides; alone, the
    // main thread's share bounds it here (≥ 5.3 s) and not there (≥ 4.6 s). With more cores the
    // main thread would parse for 4 layers at once, so there unverified ones move too.
    const compression = await sniffFileRegion(blob);
    const hashing = (opts.hash?.stored?.length ?? 0) + (opts.hash?.tar?.length ?? 0) > 0;
    if (!hashing && (compression === 'none' || !this.readsCompressed)) return readLayer(blob, opts);
    const job: PoolJob = { type: 'read', file: blob.file, offset: blob.offset, length: blob.length, label: opts.label, hash: opts.hash, forcePureZstd: opts.forcePureZstd, progress: opts.onProgress !== undefined };
    const packed = await this.run<PackedContents>(job, true, (e) => new SourceError('corrupt', opts.label, `cannot read the layer (${e.message})`, { cause: e }), opts.signal, opts.onProgress);
    return unpackContents(packed);
  }

  /**
   * Reads a layer streamed from elsewhere (a registry's download) as `readLayerStream` would,
   * with the decompression, the digests, the tar parse and every body's sha256 on a worker:
   * this thread only moves the stored bytes across, at most `STREAM_WINDOW` of them ahead of
   * what the worker's reader has taken (so memory stays bounded and `stored` is paused while
   * the worker lags). The stream is read once; it is destroyed once the read settles, which
   * may be before its end (the tar's end-of-archive blocks came first: the caller drains the
   * rest if it must see every byte). Without worker threads it is read here.
   */
  async readStream(stored: Readable, total: number | undefined, opts: ReadLayerOptions & { readonly signal?: AbortSignal }): Promise<LayerContents> {
    if (!this.threaded) return readLayerStream(stored, total, opts);
    const { port1, port2 } = new MessageChannel();
    let sent = 0;
    let consumed = 0;
    let ended = false;
    const post = (m: StreamFeed, transfer: ArrayBuffer[] = []) => {
      if (!ended) port1.postMessage(m, transfer);
    };
    port1.on('message', (m: { consumed: number }) => {
      consumed = m.consumed;
      if (sent - consumed < STREAM_WINDOW && stored.isPaused()) stored.resume();
    });
    // The bytes go across in blocks of 1 MiB the worker owns (a chunk may share its memory with
    // others): a message per network chunk (16–64 KiB) cost more CPU on both threads than the
    // copy, and as many small buffers kept the garbage collector busy (registry pull of the 200k
    // gzip image: 14.4–15.4 s of CPU in all, 12.2–13.4 s with blocks).
    let block: Uint8Array | undefined;
    let filled = 0;
    const flush = () => {
      if (!block || filled === 0) return;
      sent += filled;
      post({ chunk: block.subarray(0, filled) }, [block.buffer as ArrayBuffer]);
      block = undefined;
      filled = 0;
      if (sent - consumed >= STREAM_WINDOW) stored.pause();
    };
    stored.on('data', (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; ) {
        block ??= new Uint8Array(STREAM_BLOCK);
        const n = Math.min(STREAM_BLOCK - filled, chunk.length - at);
        block.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === STREAM_BLOCK) flush();
      }
    });
    stored.on('end', () => {
      flush();
      post({ end: true });
    });
    stored.on('error', (e) => post({ error: toWireError(e) }));
    const job: PoolJob = { type: 'read-stream', port: port2, total, label: opts.label, hash: opts.hash, forcePureZstd: opts.forcePureZstd, progress: opts.onProgress !== undefined };
    try {
      const packed = await this.run<PackedContents>(job, true, (e) => new SourceError('corrupt', opts.label, `cannot read the layer (${e.message})`, { cause: e }), opts.signal, opts.onProgress, [port2]);
      return unpackContents(packed);
    } finally {
      ended = true;
      port1.close();
      stored.destroy();
    }
  }

  /**
   * Whether each pair of bodies holds the same bytes (see `compareBodies`), in parts of
   * ~16 MiB spread over the workers. `label` names what is read in an error.
   */
  compareBodies(pairs: BodyPairs, label: string, signal?: AbortSignal): Promise<boolean[]> {
    return this.inParts(
      pairs.sizes,
      (a, b) => ({ type: 'compare', pairs: { files: pairs.files, at: pairs.at.slice(4 * a, 4 * b), sizes: pairs.sizes.slice(a, b) }, label }),
      () => compareBodies(pairs, label, false, signal),
      (e) => new SourceError('corrupt', label, `cannot compare the layer's files (${e.message})`, { cause: e }),
      signal,
    );
  }

  /**
   * `hashEntries` (see `entry-hash.ts`) on the workers: a layer's bodies are hashed in parts of
   * ~16 MiB, one per job, so every worker takes a share. The digests are returned, by entry
   * index; `contents` is not written.
   */
  async hashEntries(blob: LayerBlob | undefined, contents: LayerContents, indices: Iterable<number>, signal?: AbortSignal): Promise<BodyDigests> {
    const todo = bodiesToHash(blob, contents, indices);
    if (!todo) return new Map();
    const { file, offsets, sizes } = todo;
    const digests = await this.inParts(
      sizes,
      (a, b) => ({ type: 'bodies', file, offsets: offsets.slice(a, b), sizes: sizes.slice(a, b), label: file }),
      () => hashBodies(file, offsets, sizes, file, false, signal),
      (e) => new SourceError('corrupt', file, `cannot hash the layer's files (${e.message})`, { cause: e }),
      signal,
    );
    return bodyDigests(todo.todo, digests);
  }

  /**
   * Work over items of the given sizes: in consecutive parts of about `bodyBytesPerJob` on the
   * workers (`jobOf` makes a part's job), results in order; or all of it here (`here`, which
   * honours `signal` itself) without workers, or when it is one small part and no worker is up
   * (an unverified load): starting a thread (~50 ms of CPU on a core the main thread needs)
   * costs more than the part. An aborted `signal` rejects with its reason.
   */
  private async inParts<R>(sizes: ArrayLike<number>, jobOf: (a: number, b: number) => PoolJob, here: () => Promise<R[]>, crashed: (e: Error) => Error, signal?: AbortSignal): Promise<R[]> {
    signal?.throwIfAborted();
    const parts: [number, number][] = [];
    let from = 0;
    let bytes = 0;
    for (let k = 0; k < sizes.length; k++) {
      bytes += sizes[k]!;
      if (bytes >= this.bodyBytesPerJob || k === sizes.length - 1) {
        parts.push([from, k + 1]);
        from = k + 1;
        bytes = 0;
      }
    }
    if (!this.threaded || (parts.length === 1 && this.slots.length === 0)) return here();
    const results = await Promise.all(parts.map(([a, b]) => this.run<R[]>(jobOf(a, b), true, crashed, signal)));
    return results.flat();
  }

  private run<T>(job: PoolJob, urgent: boolean, crashed: (e: Error) => Error, signal?: AbortSignal, onProgress?: ProgressFn, transfer?: readonly MessagePort[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const p: Pending = { id: this.nextId++, job, urgent, resolve: resolve as (r: unknown) => void, reject, crashed, signal, onProgress, transfer };
      if (signal) this.watch(signal);
      (urgent ? this.urgent : this.background).push(p);
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
        for (const p of [...this.urgent, ...this.background, ...this.slots.map((s) => s.job)]) if (p?.signal === signal) this.cancel(p);
      },
      { once: true },
    );
  }

  private cancel(p: Pending): void {
    for (const q of [this.urgent, this.background]) {
      const at = q.indexOf(p);
      if (at >= 0) q.splice(at, 1);
    }
    const slot = this.slots.find((s) => s.job === p);
    if (slot) {
      slot.job = undefined;
      void slot.worker.terminate();
      this.slots.splice(this.slots.indexOf(slot), 1);
    }
    p.reject(p.signal!.reason);
    this.pump();
  }

  private pump(): void {
    while (this.urgent.length + this.background.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const p = (this.urgent.length > 0 ? this.urgent : this.background).shift()!;
      slot.job = p;
      clearTimeout(slot.idle);
      slot.worker.ref();
      slot.worker.postMessage({ id: p.id, ...p.job }, p.transfer ? [...p.transfer] : []);
    }
  }

  /**
   * Ends a worker idle for a moment, so a process that lives on after loading (the inspector)
   * does not keep the heaps of idle threads; the next job starts a fresh one (~40 ms).
   */
  private retireWhenIdle(slot: Slot): void {
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      if (slot.job || !this.slots.includes(slot)) return;
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }, IDLE_MS);
    slot.idle.unref();
  }

  private spawn(): Slot {
    // A small young generation: a worker's garbage is short-lived (one layer's headers), and
    // V8's default let each worker keep ~40 MiB more resident for no speed (real-shaped 2 GiB
    // image: peak RSS 371 → 285 MiB, same time).
    const options = { resourceLimits: { maxYoungGenerationSizeMb: 4 }, execArgv: workerExecArgv() };
    const code = this.script!;
    const worker = code.kind === 'file' ? new Worker(code.url, options) : new Worker(code.code, { ...options, eval: true });
    const slot: Slot = { worker };
    worker.on('message', (m: PoolReply) => {
      const p = slot.job;
      if (!p || p.id !== m.id) return;
      if ('progress' in m) return p.onProgress?.(m.progress[0], m.progress[1]);
      slot.job = undefined;
      worker.unref();
      this.retireWhenIdle(slot);
      if ('error' in m) p.reject(fromWireError(m.error));
      else p.resolve(m.result);
      this.pump();
    });
    worker.on('error', (e) => {
      const p = slot.job;
      slot.job = undefined;
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      if (p) p.reject(p.crashed(e));
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }
}

/**
 * The process's Node.js options as a worker takes them: all but `--input-type`, which a worker
 * started from a file refuses (a library caller run as `node --input-type=module -e …` had every
 * job fail with ERR_INPUT_TYPE_NOT_ALLOWED).
 */
function workerExecArgv(): string[] {
  const args = process.execArgv;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--input-type') i++;
    else if (!args[i]!.startsWith('--input-type=')) out.push(args[i]!);
  }
  return out;
}

function defaultPoolSize(): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, Math.min(4, cores));
}

let shared: WorkerPool | undefined;

/** The process's one worker pool, created on first use. */
export function sharedPool(): WorkerPool {
  return (shared ??= new WorkerPool());
}

let local: WorkerPool | undefined;

/** A pool that runs every job on the calling thread (for callers given no pool). */
export function inThreadPool(): WorkerPool {
  return (local ??= new WorkerPool({ script: null }));
}
