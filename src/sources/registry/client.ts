import { setTimeout as sleep } from 'node:timers/promises';
import {
  formatDockerReference,
  isLoopbackHost,
  registryHost,
  type DockerReference,
} from '../../reference/docker-reference.js';
import { SourceError, UsageError } from '../../errors/index.js';
import type { SourceSettings } from '../settings.js';
import { chooseChallenge, parseChallenges, type Challenge } from './challenge.js';
import { lookupStoredCredentials, type Credentials } from './credentials.js';
import {
  createFetchTransport,
  createNodeTransport,
  describeNetworkError,
  discard,
  isCertificateError,
  isNotTlsError,
  isRetryableError,
  readBody,
  readCaFiles,
  sanitizedCause,
  type HttpResponse,
  type Transport,
} from './http.js';

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

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const ERROR_BODY_CAP = 64 << 10;
const USER_AGENT = 'inspect-tui';

/**
 * A client for one repository on one registry (OCI distribution API): scheme and auth
 * discovery (`/v2/` ping, `WWW-Authenticate`), token refresh on 401, retries with backoff,
 * redirects followed without `Authorization` across origins. Credentials and tokens never
 * appear in messages or error causes; text from the server is redacted before it is quoted.
 */
export class RegistryClient {
  /** `docker://127.0.0.1:5000/fx/edge:1`: names the image in every message. */
  readonly what: string;
  /** `127.0.0.1:5000`, `registry-1.docker.io`. */
  readonly host: string;
  private base: URL;
  private readonly httpAllowed: boolean;
  private readonly transport: Transport;
  private authorization: string | undefined;
  private challenge: Challenge | undefined;
  private authing: Promise<void> | undefined;
  private credentials: Credentials | null | undefined;
  private readonly secrets = new Set<string>();

  constructor(
    readonly ref: DockerReference,
    private readonly settings: SourceSettings,
    readonly tuning: RegistryTuning = DEFAULT_TUNING,
  ) {
    this.what = `docker://${formatDockerReference(ref)}`;
    this.host = registryHost(ref);
    this.httpAllowed = isLoopbackHost(this.host) || settings.registry.insecure;
    this.base = new URL(`https://${this.host}/`);
    const extraCa = readCaFiles(settings.registry.caCertFiles);
    this.transport =
      extraCa.length > 0 || settings.registry.insecure
        ? createNodeTransport({ extraCa, verifyTls: !settings.registry.insecure })
        : createFetchTransport();
    const { username, password } = settings.registry;
    if (password !== undefined && username === undefined) throw new UsageError('a password was given without --username');
    if (username !== undefined && password === undefined) throw new UsageError(`--username ${username} needs a password (--password-stdin)`);
    if (password) this.remember(password);
  }

  close(): void {
    this.transport.close();
  }

  /** Replaces every known secret in text from a server before it goes into a message. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out;
  }

  private remember(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.tuning.maxDelayMs, this.tuning.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(d * (0.5 + Math.random() * 0.5));
  }

  /** Plain HTTP is allowed for loopback hosts, or for any host with `--insecure`. */
  private checkScheme(url: URL, purpose: string): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && (isLoopbackHost(url.host) || this.settings.registry.insecure)) return;
    throw new SourceError('network', this.what, `refusing ${purpose} over ${url.protocol.replace(':', '')} to ${url.host} (only https, or plain http to loopback or with --insecure)`);
  }

  /** One request; a stalled wait for headers is aborted after `idleMs`. */
  private async sendOnce(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body?: string): Promise<HttpResponse> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(Object.assign(new Error(`no answer for ${this.tuning.idleMs} ms`), { code: 'IDLE_TIMEOUT' })), this.tuning.idleMs);
    try {
      return await this.transport.send({ method, url, headers: { 'User-Agent': USER_AGENT, ...headers }, body, signal: ac.signal });
    } catch (e) {
      if (ac.signal.aborted) throw ac.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends with retries on 429/5xx and broken connections; the last answer is returned as is. */
  private async sendRetrying(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body?: string): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.sendOnce(method, url, headers, body);
      } catch (e) {
        if (attempt < this.tuning.attempts && isRetryableError(e)) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw e;
      }
      if (RETRY_STATUS.has(res.status) && attempt < this.tuning.attempts) {
        discard(res.body);
        await sleep(this.retryDelay(res, attempt));
        continue;
      }
      return res;
    }
  }

  private retryDelay(res: HttpResponse, attempt: number): number {
    const ra = res.header('retry-after');
    if (ra !== undefined) {
      const secs = Number(ra);
      const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(ra) - Date.now();
      if (Number.isFinite(ms)) return Math.max(0, Math.min(ms, 30_000));
    }
    return this.backoff(attempt);
  }

  /**
   * Follows redirects. `Authorization` goes only to `authOrigin`: storage behind a redirect
   * (S3, a CDN) gets the presigned URL and nothing else.
   */
  private async follow(url: URL, headers: Record<string, string>, auth: { origin: string; value: string } | undefined, purpose: string): Promise<HttpResponse> {
    let cur = url;
    for (let hop = 0; ; hop++) {
      this.checkScheme(cur, purpose);
      const h = { ...headers };
      if (auth && cur.origin === auth.origin) h.Authorization = auth.value;
      const res = await this.sendRetrying('GET', cur, h);
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

  private networkError(e: unknown, host: string): Error {
    if (e instanceof SourceError || e instanceof UsageError) return e;
    if (isCertificateError(e)) {
      return new SourceError('network', this.what, `the TLS certificate of ${host} is not trusted (${describeNetworkError(e)}); pass its CA with --ca-cert FILE`, { cause: sanitizedCause(e) });
    }
    return new SourceError('network', this.what, `cannot reach ${host} (${describeNetworkError(e)})`, { cause: sanitizedCause(e) });
  }

  /**
   * Pings `/v2/` to learn the scheme (https, or plain http for loopback and `--insecure` when
   * the port does not speak TLS) and the auth challenge, then signs in when one is asked for.
   */
  async connect(): Promise<void> {
    this.settings.onStage?.(`pulling ${this.what} from ${this.host}`);
    let res: HttpResponse;
    try {
      res = await this.sendRetrying('GET', new URL('/v2/', this.base), {});
    } catch (e) {
      if (!(this.httpAllowed && isNotTlsError(e))) throw this.networkError(e, this.host);
      this.base = new URL(`http://${this.host}/`);
      try {
        res = await this.sendRetrying('GET', new URL('/v2/', this.base), {});
      } catch (e2) {
        throw this.networkError(e2, this.host);
      }
    }
    discard(res.body);
    if (res.status === 401) {
      await this.authenticate(res);
    } else if (res.status >= 500) {
      throw new SourceError('network', this.what, `${this.host} answered ${res.status} to the registry ping after ${this.tuning.attempts} tries`);
    }
  }

  private async storedCredentials(): Promise<Credentials | undefined> {
    if (this.credentials !== undefined) return this.credentials ?? undefined;
    const { username, password } = this.settings.registry;
    let c: Credentials | undefined;
    if (username !== undefined && password !== undefined) c = { username, password, origin: '--username' };
    else c = await lookupStoredCredentials(this.ref.domain, this.settings.env);
    if (c) {
      this.remember(c.password);
      this.remember(c.identityToken);
      if (c.username !== undefined && c.password !== undefined) this.remember(Buffer.from(`${c.username}:${c.password}`).toString('base64'));
    }
    this.credentials = c ?? null;
    return c;
  }

  /** Answers the challenge of a 401 (single-flight: concurrent 401s share one sign-in). */
  private authenticate(res: HttpResponse): Promise<void> {
    const header = res.header('www-authenticate');
    const ch = header ? chooseChallenge(parseChallenges(header)) : undefined;
    if (!this.authing) {
      this.authing = this.signIn(ch ?? this.challenge).finally(() => {
        this.authing = undefined;
      });
    }
    return this.authing;
  }

  private async signIn(ch: Challenge | undefined): Promise<void> {
    if (!ch) throw new SourceError('auth-required', this.what, `${this.host} asks for authentication with a scheme this tool does not support`);
    this.challenge = ch;
    const creds = await this.storedCredentials();
    if (ch.scheme === 'basic') {
      if (!creds || creds.username === undefined || creds.password === undefined) {
        throw new SourceError('auth-required', this.what, `${this.host} requires a login (docker login ${this.ref.domain}, or --username with --password-stdin)`);
      }
      const v = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
      this.remember(v);
      this.authorization = `Basic ${v}`;
      return;
    }
    this.authorization = `Bearer ${await this.fetchToken(ch, creds)}`;
  }

  /** The Docker token protocol: GET realm?service&scope with Basic credentials, or OAuth2 refresh for identity tokens. */
  private async fetchToken(ch: Challenge, creds: Credentials | undefined): Promise<string> {
    const realmText = ch.params.realm;
    if (!realmText) throw new SourceError('auth-required', this.what, `${this.host} asks for a bearer token but names no token service`);
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new SourceError('auth-required', this.what, `${this.host} names a token service that is not a URL`);
    }
    this.checkScheme(realm, 'credentials');
    this.settings.onStage?.(`authenticating with ${realm.host}`);
    const scopes = [`repository:${this.ref.path}:pull`];
    if (ch.params.scope) for (const s of ch.params.scope.split(' ')) if (s && !scopes.includes(s)) scopes.push(s);
    const service = ch.params.service;
    let res: HttpResponse;
    try {
      if (creds?.identityToken) {
        this.remember(creds.identityToken);
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: USER_AGENT, scope: scopes.join(' ') });
        if (service) form.set('service', service);
        res = await this.postForm(realm, form);
      } else {
        const url = new URL(realm);
        if (service) url.searchParams.set('service', service);
        for (const s of scopes) url.searchParams.append('scope', s);
        let auth: { origin: string; value: string } | undefined;
        if (creds?.username !== undefined && creds.password !== undefined) {
          url.searchParams.set('account', creds.username);
          auth = { origin: realm.origin, value: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` };
        }
        res = await this.follow(url, {}, auth, 'credentials');
      }
    } catch (e) {
      throw this.networkError(e, realm.host);
    }
    if (res.status === 401 || res.status === 403) {
      discard(res.body);
      throw new SourceError(
        'auth-required',
        this.what,
        creds
          ? `the token service at ${realm.host} refused the credentials from ${creds.origin}`
          : `the token service at ${realm.host} refused anonymous access (docker login ${this.ref.domain}, or --username with --password-stdin)`,
      );
    }
    if (res.status !== 200) {
      discard(res.body);
      throw new SourceError('auth-required', this.what, `the token service at ${realm.host} answered ${res.status}`);
    }
    const data = await this.readSmallBody(res, 1 << 20, `the token from ${realm.host}`);
    let token: unknown;
    try {
      const j = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      token = j.token ?? j.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new SourceError('auth-required', this.what, `the token service at ${realm.host} sent no token`);
    this.remember(token);
    return token;
  }

  private async postForm(url: URL, form: URLSearchParams): Promise<HttpResponse> {
    this.checkScheme(url, 'credentials');
    return this.sendRetrying('POST', url, { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString());
  }

  private async readSmallBody(res: HttpResponse, cap: number, what: string): Promise<Buffer> {
    return readBody(res.body, cap, this.tuning.idleMs, () => new SourceError('limit-exceeded', this.what, `${what} is larger than ${cap} bytes`));
  }

  /**
   * GETs a registry path (authenticated; one sign-in again after a 401, since tokens expire).
   * Returns only 2xx answers; maps the rest to SourceError naming the reference.
   */
  async get(path: string, headers: Record<string, string>, purpose: string): Promise<HttpResponse> {
    const url = new URL(path, this.base);
    for (let tries = 0; ; tries++) {
      const before = this.authorization;
      let res: HttpResponse;
      try {
        res = await this.follow(url, headers, before ? { origin: this.base.origin, value: before } : undefined, 'a request');
      } catch (e) {
        throw this.networkError(e, this.host);
      }
      if (res.status === 401 && tries < 2) {
        discard(res.body);
        // Another request may have signed in meanwhile; only sign in again if not.
        if (this.authorization === before) await this.authenticate(res);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      throw await this.statusError(res, purpose);
    }
  }

  /** GETs a small document whole (manifest, config), retrying when the body breaks. */
  async getSmall(path: string, headers: Record<string, string>, cap: number, purpose: string): Promise<{ data: Buffer; res: HttpResponse }> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.get(path, headers, purpose);
      try {
        return { data: await this.readSmallBody(res, cap, purpose), res };
      } catch (e) {
        if (e instanceof SourceError) throw e;
        if (attempt < this.tuning.attempts && isRetryableError(e)) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw this.networkError(e, this.host);
      }
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
    switch (res.status) {
      case 401:
        return new SourceError(
          'auth-required',
          this.what,
          this.credentials
            ? `${this.host} refused the credentials from ${this.credentials.origin} for ${purpose}${said}`
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
