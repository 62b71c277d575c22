import { formatDockerReference, registryHost, type DockerReference } from '../../reference/index.js';
import { SourceError } from '../../errors/index.js';
import type { SourceSettings } from '../settings.js';
import { RegistryAuth } from './auth.js';
import { isRetryableError, readBody, type HttpResponse } from './http.js';
import { DEFAULT_TUNING, retrying, type RegistryTuning } from './retry.js';
import { RegistryTransport } from './transport.js';

export { DEFAULT_TUNING, type RegistryTuning } from './retry.js';

/** How much of an error answer is read for its `errors[0]` detail. */
const ERROR_BODY_CAP = 64 << 10;

/**
 * A client for one repository on one registry (OCI distribution API): scheme and auth
 * discovery (`/v2/` ping, `WWW-Authenticate`), token refresh on 401, retries with backoff,
 * redirects followed without `Authorization` across origins. Credentials and tokens never
 * appear in messages or error causes; text from the server is redacted before it is quoted.
 * Composes `RegistryTransport` (requests) and `RegistryAuth` (signing in).
 */
export class RegistryClient {
  /** `docker://127.0.0.1:5000/fx/edge:1`: names the image in every message. */
  readonly what: string;
  /** `127.0.0.1:5000`, `registry-1.docker.io`. */
  readonly host: string;
  private readonly transport: RegistryTransport;
  private readonly auth: RegistryAuth;

  /** @throws UsageError for an unreadable `--ca-cert` file, or a username without a password (or the reverse). */
  constructor(
    readonly ref: DockerReference,
    private readonly settings: SourceSettings,
    readonly tuning: RegistryTuning = DEFAULT_TUNING,
  ) {
    this.what = `docker://${formatDockerReference(ref)}`;
    this.host = registryHost(ref);
    this.transport = new RegistryTransport(this.what, this.host, settings.registry, tuning, settings.signal);
    this.auth = new RegistryAuth(this.transport, ref, settings);
  }

  /** Releases kept-alive connections. */
  close(): void {
    this.transport.close();
  }

  /** Replaces every known secret in text from a server before it goes into a message. */
  redact(text: string): string {
    return this.auth.redact(text);
  }

  /**
   * Pings `/v2/` to learn the scheme (https, or plain http for loopback and `--insecure` when
   * the port does not speak TLS) and the auth challenge, then signs in when one is asked for.
   * @throws SourceError ('network', 'auth-required') naming the reference.
   */
  async connect(): Promise<void> {
    this.settings.onStage?.(`pulling ${this.what} from ${this.host}`);
    await this.auth.ping();
  }

  /**
   * GETs a registry path (authenticated; one sign-in again after a 401, since tokens expire).
   * Returns only 2xx answers and those in `accept`; maps the rest to SourceError naming the
   * reference. `signal` (by default `settings.signal`) cancels the request and its body: the
   * promise, or the body, then fails with its reason.
   */
  async get(path: string, headers: Record<string, string>, purpose: string, accept: readonly number[] = [], signal?: AbortSignal): Promise<HttpResponse> {
    const res = await this.auth.get(new URL(path, this.transport.base), headers, signal);
    if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return res;
    throw await this.statusError(res, purpose);
  }

  /**
   * GETs a small document whole (manifest, config), retrying when the body breaks.
   * @throws SourceError('limit-exceeded') past `cap` bytes, and what `get` throws.
   */
  async getSmall(path: string, headers: Record<string, string>, cap: number, purpose: string): Promise<{ data: Buffer; res: HttpResponse }> {
    // Only a body that breaks is tried again here: `get` has retried its request already,
    // and its errors are final (retrying them too would multiply the tries).
    let reading = false;
    try {
      return await retrying(
        this.tuning,
        async () => {
          reading = false;
          const res = await this.get(path, headers, purpose);
          reading = true;
          return { data: await this.transport.readSmall(res, cap, purpose), res };
        },
        { retryable: (e) => reading && !(e instanceof SourceError) && isRetryableError(e), signal: this.settings.signal },
      );
    } catch (e) {
      throw reading ? this.transport.networkError(e, this.host) : e;
    }
  }

  private async statusError(res: HttpResponse, purpose: string): Promise<SourceError> {
    let detail = '';
    try {
      const body = await readBody(res.body, ERROR_BODY_CAP, Math.min(this.tuning.idleMs, 10_000), () => new Error('too big'));
      const j = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
      const first = j.errors?.[0];
      if (first) detail = [first.code, first.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
    } catch {
      res.body.destroy();
    }
    detail = this.redact(detail).slice(0, 200);
    const said = detail ? ` (${detail})` : '';
    const origin = this.auth.credentialsOrigin;
    switch (res.status) {
      case 401:
        return new SourceError(
          'auth-required',
          this.what,
          origin !== undefined
            ? `${this.host} refused the credentials from ${origin} for ${purpose}${said}`
            : `${this.host} requires authentication for ${purpose}; log in (docker login ${this.ref.domain}) or pass --username with --password-stdin${said}`,
        );
      case 403:
        return new SourceError('auth-required', this.what, `access to ${purpose} was denied by ${this.host}${said}`);
      case 404:
        return new SourceError('not-found', this.what, `${purpose} was not found on ${this.host}${said}`);
      case 429:
        return new SourceError('network', this.what, `${this.host} is rate-limiting requests (429 after ${this.tuning.attempts} tries)${said}`);
      default:
        return new SourceError('network', this.what, `${this.host} answered ${res.status} for ${purpose}${res.status >= 500 ? ` after ${this.tuning.attempts} tries` : ''}${said}`);
    }
  }
}
