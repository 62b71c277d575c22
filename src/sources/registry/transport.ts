import { isLoopbackHost } from '../../reference/index.js';
import { SourceError, UsageError } from '../../errors/index.js';
import type { RegistrySettings } from '../settings.js';
import {
  createFetchTransport,
  createNodeTransport,
  describeNetworkError,
  discard,
  isCertificateError,
  isNotTlsError,
  readBody,
  readCaFiles,
  sanitizedCause,
  type HttpResponse,
  type Transport,
} from './http.js';
import { retryAfterDelay, retrying, type RegistryTuning } from './retry.js';

/** Sent as `User-Agent`, and as the OAuth2 `client_id` when a token is refreshed. */
export const USER_AGENT = 'inspect-tui';

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/** An `Authorization` value and the only origin it may be sent to. */
export type OriginAuth = { readonly origin: string; readonly value: string };

/**
 * Requests to one registry host (and the token services and storage it points to): the
 * scheme rule (https; plain http only to loopback or with `--insecure`), an idle timeout per
 * request, retries on 429/5xx and broken connections, and redirects. Knows nothing of auth
 * beyond sending the `Authorization` it is given to the origin it is given.
 */
export class RegistryTransport {
  private baseUrl: URL;
  private readonly http: Transport;
  /** Whether `ping` may fall back to plain HTTP on the registry host itself. */
  private readonly httpAllowed: boolean;

  /**
   * @param what names the image in every message (`docker://host/repo:tag`).
   * @param signal cancels every request not given a signal of its own (`send`, `follow`).
   * @throws UsageError when a `--ca-cert` file cannot be read.
   */
  constructor(
    readonly what: string,
    readonly host: string,
    private readonly registry: RegistrySettings,
    readonly tuning: RegistryTuning,
    readonly signal?: AbortSignal,
  ) {
    this.httpAllowed = isLoopbackHost(host) || registry.insecure;
    this.baseUrl = new URL(`https://${host}/`);
    const extraCa = readCaFiles(registry.caCertFiles);
    // fetch cannot take extra CAs nor skip verification; node:https can, so it is used only then.
    this.http =
      extraCa.length > 0 || registry.insecure
        ? createNodeTransport({ extraCa, verifyTls: !registry.insecure })
        : createFetchTransport();
  }

  /** `https://host/`, or `http://host/` once `ping` found that the port speaks plain HTTP. */
  get base(): URL {
    return this.baseUrl;
  }

  /** Releases kept-alive connections. */
  close(): void {
    this.http.close();
  }

  /**
   * Plain HTTP is allowed for loopback hosts, or for any host with `--insecure`.
   * @throws SourceError('network') naming `purpose` ("a request", "credentials") otherwise.
   */
  checkScheme(url: URL, purpose: string): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && (isLoopbackHost(url.host) || this.registry.insecure)) return;
    throw new SourceError('network', this.what, `refusing ${purpose} over ${url.protocol.replace(':', '')} to ${url.host} (only https, or plain http to loopback or with --insecure)`);
  }

  /**
   * One request; a stalled wait for headers is aborted after `idleMs` (a retryable
   * IDLE_TIMEOUT). `signal` cancels the request and, once the headers are in, its body.
   */
  private async sendOnce(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(Object.assign(new Error(`no answer for ${this.tuning.idleMs} ms`), { code: 'IDLE_TIMEOUT' })), this.tuning.idleMs);
    try {
      return await this.http.send({ method, url, headers: { 'User-Agent': USER_AGENT, ...headers }, body, signal: signal ? AbortSignal.any([ac.signal, signal]) : ac.signal });
    } catch (e) {
      // The abort surfaces as a generic AbortError; the reason says what happened (a timeout is retryable).
      signal?.throwIfAborted();
      if (ac.signal.aborted) throw ac.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends with retries on 429/5xx (honouring `Retry-After`) and broken connections; the last
   * answer is returned as is, whatever its status. Throws the raw network error of the last
   * try (map it with `networkError`), or the reason of `signal` (by default the transport's)
   * once it is aborted. Does not check the scheme.
   */
  send(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body?: string, signal: AbortSignal | undefined = this.signal): Promise<HttpResponse> {
    return retrying(this.tuning, () => this.sendOnce(method, url, headers, body, signal), {
      again: (res, attempt) => {
        if (!RETRY_STATUS.has(res.status)) return undefined;
        discard(res.body);
        return retryAfterDelay(res.header('retry-after'), this.tuning, attempt);
      },
      signal,
    });
  }

  /**
   * GETs `url`, following up to 10 redirects, each hop checked with `checkScheme`.
   * `Authorization` goes only to `auth.origin`: storage behind a redirect (S3, a CDN) gets the
   * presigned URL and nothing else. Returns the first answer that is not a redirect.
   * @throws SourceError for a redirect without a usable Location or too many of them; the raw
   *   network error or the signal's reason otherwise (see `send`).
   */
  async follow(url: URL, headers: Record<string, string>, auth: OriginAuth | undefined, purpose: string, signal: AbortSignal | undefined = this.signal): Promise<HttpResponse> {
    let cur = url;
    for (let hop = 0; ; hop++) {
      this.checkScheme(cur, purpose);
      const h = { ...headers };
      if (auth && cur.origin === auth.origin) h.Authorization = auth.value;
      const res = await this.send('GET', cur, h, undefined, signal);
      if (!REDIRECT_STATUS.has(res.status)) return res;
      discard(res.body);
      const loc = res.header('location');
      if (!loc) throw new SourceError('corrupt', this.what, `${cur.host} redirected without a Location`);
      if (hop >= MAX_REDIRECTS) throw new SourceError('network', this.what, `more than ${MAX_REDIRECTS} redirects from ${url.host}`);
      try {
        cur = new URL(loc, cur);
      } catch {
        throw new SourceError('corrupt', this.what, `${cur.host} redirected to an invalid URL`);
      }
    }
  }

  /**
   * GETs `/v2/` (the registry ping) and returns the answer, whatever its status. Tries https
   * first; when the port does not speak TLS and plain HTTP is allowed (loopback, `--insecure`),
   * switches `base` to http for good and tries again.
   * @throws SourceError('network') when the host cannot be reached.
   */
  async ping(): Promise<HttpResponse> {
    try {
      return await this.send('GET', new URL('/v2/', this.baseUrl), {});
    } catch (e) {
      if (!(this.httpAllowed && isNotTlsError(e))) throw this.networkError(e, this.host);
      this.baseUrl = new URL(`http://${this.host}/`);
      try {
        return await this.send('GET', new URL('/v2/', this.baseUrl), {});
      } catch (e2) {
        throw this.networkError(e2, this.host);
      }
    }
  }

  /**
   * Reads a small body whole, each chunk within `idleMs`.
   * @throws SourceError('limit-exceeded') naming `what` past `cap` bytes; the raw error when the body breaks.
   */
  readSmall(res: HttpResponse, cap: number, what: string): Promise<Buffer> {
    return readBody(res.body, cap, this.tuning.idleMs, () => new SourceError('limit-exceeded', this.what, `${what} is larger than ${cap} bytes`));
  }

  /**
   * Maps a failure to reach `host` to SourceError('network'), with a hint for an untrusted
   * certificate; SourceError and UsageError pass through, and once the transport's signal is
   * aborted, any failure is its reason. The cause keeps only the error code and innermost
   * message, never the request (its headers may hold credentials).
   */
  networkError(e: unknown, host: string): unknown {
    if (this.signal?.aborted) return this.signal.reason;
    if (e instanceof SourceError || e instanceof UsageError) return e;
    if (isCertificateError(e)) {
      return new SourceError('network', this.what, `the TLS certificate of ${host} is not trusted (${describeNetworkError(e)}); pass its CA with --ca-cert FILE`, { cause: sanitizedCause(e) });
    }
    return new SourceError('network', this.what, `cannot reach ${host} (${describeNetworkError(e)})`, { cause: sanitizedCause(e) });
  }
}
