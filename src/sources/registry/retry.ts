import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryableError } from './http.js';

/** Knobs for retries and timeouts; the defaults suit real registries, tests shorten them. */
export type RegistryTuning = {
  /** Tries per request when the answer is 429/5xx or the connection breaks. @default 5 */
  readonly attempts: number;
  /** First backoff delay; doubles per try, with jitter. @default 250 */
  readonly baseDelayMs: number;
  /** @default 8000 */
  readonly maxDelayMs: number;
  /** How long a response may stall (headers or body) before it counts as broken. @default 60000 */
  readonly idleMs: number;
  /** How often one blob download is resumed after a break. @default 5 */
  readonly maxResumes: number;
};

export const DEFAULT_TUNING: RegistryTuning = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000, idleMs: 60_000, maxResumes: 5 };

/** The part of the tuning that shapes a backoff delay. */
export type BackoffTuning = Pick<RegistryTuning, 'baseDelayMs' | 'maxDelayMs'>;

/** Longest wait a server's `Retry-After` may impose, so a hostile or confused one cannot park us. */
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * How long to wait (ms) before try `attempt + 1` after try `attempt` (1-based) failed:
 * `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`, then scaled by a random factor in
 * [0.5, 1] so that many clients (or layers) that failed together do not retry in lockstep.
 */
export function backoffDelay(tuning: BackoffTuning, attempt: number): number {
  const d = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(d * (0.5 + Math.random() * 0.5));
}

/**
 * The wait (ms) a `Retry-After` value asks for (seconds, or an HTTP date), clamped to
 * [0, 30 s]; `backoffDelay` when the header is absent or unreadable.
 */
export function retryAfterDelay(retryAfter: string | undefined, tuning: BackoffTuning, attempt: number): number {
  if (retryAfter !== undefined) {
    const secs = Number(retryAfter);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms)) return Math.max(0, Math.min(ms, MAX_RETRY_AFTER_MS));
  }
  return backoffDelay(tuning, attempt);
}

export type RetryOptions<T> = {
  /** Which thrown errors are worth another try. @default isRetryableError (resets, timeouts) */
  readonly retryable?: (e: unknown) => boolean;
  /**
   * Looks at a result that did not throw: a delay (ms) asks for another try after that wait,
   * undefined accepts the result. Not called on the last try, whose result is returned as is;
   * a result turned down here is the callback's to release (drain its body).
   */
  readonly again?: (result: T, attempt: number) => number | undefined;
  /** Cancels: no further try, no wait; what was running fails, and `retrying` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
};

/** Waits `ms`, or rejects with the reason of `signal` once it is aborted (not Node's AbortError). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch (e) {
    signal?.throwIfAborted();
    throw e;
  }
}

/**
 * Runs `op` (given the 1-based try number) up to `tuning.attempts` times, sleeping
 * `backoffDelay` after a retryable error, or what `again` says after a result it turns down.
 * Rethrows the error of the last try, and any error that is not retryable, unchanged; once
 * `opts.signal` is aborted, rejects with its reason instead.
 */
export async function retrying<T>(tuning: Pick<RegistryTuning, 'attempts'> & BackoffTuning, op: (attempt: number) => Promise<T>, opts: RetryOptions<T> = {}): Promise<T> {
  const retryable = opts.retryable ?? isRetryableError;
  const { signal } = opts;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const last = attempt >= tuning.attempts;
    let result: T;
    try {
      result = await op(attempt);
    } catch (e) {
      signal?.throwIfAborted();
      if (last || !retryable(e)) throw e;
      await pause(backoffDelay(tuning, attempt), signal);
      continue;
    }
    const wait = last ? undefined : opts.again?.(result, attempt);
    if (wait === undefined) return result;
    await pause(wait, signal);
  }
}
