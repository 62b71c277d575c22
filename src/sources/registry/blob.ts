import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { digestHasher, inThreadPool, type LayerContents } from '../../archive/index.js';
import { SourceError } from '../../errors/index.js';
import type { LayerHandle } from '../image-source.js';
import { describeNetworkError, discard, isRetryableError, sanitizedCause, withIdleTimeout, type HttpResponse } from './http.js';
import { backoffDelay, pause, type BackoffTuning } from './retry.js';

/** `sha256:…` → a hash of that algorithm (one definition, shared with the lifecycle's verification). */
export { digestHasher } from '../../archive/index.js';

/** GETs the blob from byte `from`; answers 2xx, or 416 when nothing is left at `from`. */
export type BlobFetcher = (from: number) => Promise<HttpResponse>;

/** The blob's full length an answer states, when it states one. */
function blobTotal(res: HttpResponse): number | undefined {
  const range = /\/(\d+)\s*$/.exec(res.header('content-range') ?? '');
  if (res.status === 206) return range ? Number(range[1]) : undefined;
  const len = res.header('content-length');
  return len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined;
}

export type VerifiedBlobOptions = {
  readonly digest: string;
  /** Size from the descriptor; a body that ends early is resumed, one that runs over is refused. */
  readonly size: number | undefined;
  /** Names the reference and blob in messages. */
  readonly label: string;
  /** GETs the blob (authenticated, redirects followed) starting at byte `from` (a Range request when > 0). */
  readonly fetch: BlobFetcher;
  readonly idleMs: number;
  /** How many times a broken download is resumed before giving up. */
  readonly maxResumes: number;
  /** Shapes the wait before resume n: `backoffDelay(backoff, n)` ms (doubling, capped, jittered). */
  readonly backoff: BackoffTuning;
  /** Who sends the bytes, as messages name it. @default 'the registry' */
  readonly sender?: string;
  /**
   * Cancels the download: the body in flight is destroyed at once (no resume follows), and
   * `next` rejects with the signal's reason. Pass the same signal to `fetch`'s requests.
   */
  readonly signal?: AbortSignal;
};

/**
 * Downloads one blob front to back, hashing every byte, resuming with a Range request after a
 * reset, a stall or an early end (or skipping what was already seen when the server ignores
 * Range). After the last byte the digest is compared: a mismatch fails the read with
 * SourceError('digest-mismatch'). `next` calls are serialized.
 */
export class VerifiedBlob {
  private readonly hash: Hash;
  private done = 0;
  private resumes = 0;
  private iter: AsyncGenerator<Buffer> | undefined;
  private body: Readable | undefined;
  private skip = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private aborted = false;
  /** The whole blob's length as the last answer gave it (Content-Length of a 200, the total of a Content-Range). */
  private total: number | undefined;
  /** Set once the whole blob was read and compared. */
  verified = false;
  /** The error that ended the download (network, digest mismatch), if any. */
  failure: SourceError | undefined;

  private readonly onAbort = () => this.abort();

  constructor(private readonly opts: VerifiedBlobOptions) {
    this.hash = digestHasher(opts.digest, opts.label);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Bytes received and hashed so far. */
  get received(): number {
    return this.done;
  }

  /** The next chunk, or null after the last one (once the digest has been checked). */
  next(): Promise<Buffer | null> {
    const p = this.chain.then(() => this.step());
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Reads (and hashes) whatever is left, then checks the digest; throws what `next` would. */
  async drain(): Promise<void> {
    while ((await this.next()) !== null);
  }

  /** Stops the download (its connection and idle timer go at once); later `next` calls fail. */
  abort(): void {
    this.aborted = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.body?.destroy();
    this.body = undefined;
    // A body iterator parked between chunks ends now (its idle timer with it), not when collected.
    void this.iter?.return(undefined).catch(() => undefined);
    this.iter = undefined;
  }

  /**
   * A Readable of the verified bytes. Destroying it aborts the download unless `keepOnDestroy`
   * (then the caller may still `drain` to learn whether the blob matched its digest, and must
   * `abort` when done).
   */
  toReadable(keepOnDestroy = false): Readable {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const blob = this;
    return new Readable({
      highWaterMark: 1 << 20,
      read() {
        blob.next().then(
          (c) => this.push(c),
          (e: Error) => this.destroy(e),
        );
      },
      destroy(err, cb) {
        if (!keepOnDestroy && !blob.verified && !blob.failure) blob.abort();
        cb(err);
      },
    });
  }

  private fail(e: SourceError): never {
    this.failure = e;
    this.abort();
    throw e;
  }

  private async step(): Promise<Buffer | null> {
    if (this.failure) throw this.failure;
    if (this.verified) return null;
    this.opts.signal?.throwIfAborted();
    if (this.aborted) throw new SourceError('network', this.opts.label, `the download was stopped`);
    for (;;) {
      try {
        if (!this.iter) await this.open();
        const r = await this.iter!.next();
        if (r.done) {
          this.iter = undefined;
          this.body = undefined;
          const size = this.opts.size;
          if (size !== undefined && size > 0 && this.done < size) {
            // A body that ended where the server said the blob ends: the blob is shorter than
            // its descriptor, which no resume can mend.
            if (this.total !== undefined && this.total === this.done) this.fail(this.sizeMismatch(this.total));
            throw Object.assign(new Error(`the body ended after ${this.done} of ${size} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
          }
          return this.finish();
        }
        let chunk = r.value;
        if (this.skip > 0) {
          // The server ignored Range and sent the blob from the start: drop what we have.
          const drop = Math.min(this.skip, chunk.length);
          this.skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        this.done += chunk.length;
        if (this.opts.size !== undefined && this.opts.size > 0 && this.done > this.opts.size) {
          this.fail(new SourceError('digest-mismatch', this.opts.label, `${this.opts.sender ?? 'the registry'} sent more than the ${this.opts.size} bytes the manifest lists; refusing the layer`));
        }
        this.hash.update(chunk);
        return chunk;
      } catch (e) {
        this.opts.signal?.throwIfAborted();
        if (e instanceof SourceError) this.fail(e);
        this.body?.destroy();
        this.body = undefined;
        this.iter = undefined;
        if (this.aborted) throw new SourceError('network', this.opts.label, `the download was stopped`);
        if (!isRetryableError(e) || this.resumes >= this.opts.maxResumes) {
          this.fail(
            new SourceError('network', this.opts.label, `the download failed after ${this.done} bytes (${describeNetworkError(e)}${this.resumes > 0 ? `, ${this.resumes} resumes` : ''})`,
              { cause: sanitizedCause(e) },
            ),
          );
        }
        this.resumes++;
        await pause(backoffDelay(this.opts.backoff, this.resumes), this.opts.signal);
      }
    }
  }

  private sizeMismatch(actual: number): SourceError {
    return new SourceError('digest-mismatch', this.opts.label, `the blob is ${actual} bytes but its descriptor says ${this.opts.size}; refusing the layer`);
  }

  private async open(): Promise<void> {
    const res = await this.opts.fetch(this.done);
    if (res.status === 416) {
      // Nothing at byte `done`: the blob ends there, short of what the descriptor says.
      discard(res.body);
      this.fail(this.sizeMismatch(this.done));
    }
    this.total = blobTotal(res);
    if (this.done > 0 && res.status === 206) {
      const m = /^bytes (\d+)-/.exec(res.header('content-range') ?? '');
      if (!m || Number(m[1]) !== this.done) {
        discard(res.body);
        throw new SourceError('corrupt', this.opts.label, `the registry answered a resume at byte ${this.done} with another range`);
      }
      this.skip = 0;
    } else {
      this.skip = this.done;
    }
    this.body = res.body;
    this.iter = withIdleTimeout(res.body, this.opts.idleMs);
  }

  private finish(): null {
    const actual = `${this.opts.digest.slice(0, this.opts.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.opts.digest) {
      this.fail(new SourceError('digest-mismatch', this.opts.label, `the downloaded blob does not match its digest (got ${actual.slice(0, 19)}…); refusing the layer`));
    }
    this.verified = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    return null;
  }
}

/**
 * Reads a layer through a verified blob: parsed as it streams, and its contents count only once
 * the blob matched its digest. When reading fails, the blob's own failure (network, digest, a
 * missing blob) is reported over what the tar parser saw; when the parser failed first, a blob
 * that does not match its digest explains it better, so the rest is drained to find out. Once
 * `opts.signal` is aborted (give the blob the same signal, so its download stops at once), the
 * read rejects with its reason.
 */
export async function readVerifiedLayer(
  blob: VerifiedBlob,
  d: { readonly digest: string; readonly size: number },
  label: string,
  opts: Parameters<LayerHandle['read']>[0],
): Promise<LayerContents> {
  const signal = opts?.signal;
  try {
    signal?.throwIfAborted();
    // Downloaded once: this thread hashes the bytes as they arrive (the digest), and the pool's
    // worker inflates, hashes the tar (the diffID) and every body, and parses, as they stream.
    const pool = opts?.pool ?? inThreadPool();
    const contents = await pool.readStream(blob.toReadable(true), d.size > 0 ? d.size : undefined, { label, onProgress: opts?.onProgress, hash: opts?.hash?.tar && { tar: opts.hash.tar }, signal });
    if (!blob.verified) await blob.drain();
    return { ...contents, measured: { ...contents.measured, stored: [d.digest], storedSize: blob.received } };
  } catch (e) {
    signal?.throwIfAborted();
    if (blob.failure) throw blob.failure;
    try {
      await blob.drain();
    } catch (d2) {
      if (d2 instanceof SourceError && d2.kind !== 'corrupt') throw d2;
    }
    throw e;
  } finally {
    blob.abort();
  }
}
