import type { DockerReference } from '../../reference/index.js';
import { SourceError, UsageError } from '../../errors/index.js';
import type { SourceSettings } from '../settings.js';
import { chooseChallenge, parseChallenges, type Challenge } from './challenge.js';
import { lookupStoredCredentials, type Credentials } from './credentials.js';
import { discard, type HttpResponse } from './http.js';
import { USER_AGENT, type OriginAuth, type RegistryTransport } from './transport.js';

/** Largest token-service answer read. */
const TOKEN_CAP = 1 << 20;

const basic = (username: string, password: string) => Buffer.from(`${username}:${password}`).toString('base64');

/**
 * Signing in to one repository of a registry: the `/v2/` ping's challenge, Basic auth or the
 * Docker token protocol, credentials from the flags or the Docker config, and a fresh sign-in
 * when a request gets 401 (tokens expire). Every secret it sees (password, identity token,
 * Basic value, token) is remembered so `redact` can strip it from server text.
 */
export class RegistryAuth {
  private authorization: string | undefined;
  private challenge: Challenge | undefined;
  private authing: Promise<void> | undefined;
  /** undefined: not looked up yet; null: looked up, none found. */
  private credentials: Credentials | null | undefined;
  private readonly secrets = new Set<string>();

  /** @throws UsageError when only one of `--username` and a password is given. */
  constructor(
    private readonly transport: RegistryTransport,
    private readonly ref: DockerReference,
    private readonly settings: SourceSettings,
  ) {
    const { username, password } = settings.registry;
    if (password !== undefined && username === undefined) throw new UsageError('a password was given without --username');
    if (username !== undefined && password === undefined) throw new UsageError(`--username ${username} needs a password (--password-stdin)`);
    if (password) this.remember(password);
  }

  private get what(): string {
    return this.transport.what;
  }

  private get host(): string {
    return this.transport.host;
  }

  /** Where the credentials in use came from (`--username`, `config.json`, a helper); undefined when none are. */
  get credentialsOrigin(): string | undefined {
    return this.credentials ? this.credentials.origin : undefined;
  }

  /** Replaces every known secret (4 characters or longer) in text from a server with `***`. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out;
  }

  private remember(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  /**
   * Pings `/v2/` (which settles the scheme, see `RegistryTransport.ping`) and signs in when
   * the answer is a 401 challenge.
   * @throws SourceError('network') when the host cannot be reached or answers 5xx after all
   *   tries; SourceError('auth-required') when signing in fails.
   */
  async ping(): Promise<void> {
    const res = await this.transport.ping();
    discard(res.body);
    if (res.status === 401) {
      await this.authenticate(res);
    } else if (res.status >= 500) {
      throw new SourceError('network', this.what, `${this.host} answered ${res.status} to the registry ping after ${this.transport.tuning.attempts} tries`);
    }
  }

  /**
   * GETs `url` on the registry with the current `Authorization` (sent to the registry's origin
   * only, never across a redirect to storage); after a 401, signs in again (up to twice) and
   * retries. Returns the last answer whatever its status: a 401 here means signing in did not help.
   * `signal` (by default the transport's) cancels the request and its body.
   * @throws SourceError for network failures (naming the registry host) and failed sign-ins;
   *   the signal's reason once it is aborted.
   */
  async get(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    for (let tries = 0; ; tries++) {
      const before = this.authorization;
      let res: HttpResponse;
      try {
        res = await this.transport.follow(url, headers, before ? { origin: this.transport.base.origin, value: before } : undefined, 'a request', signal);
      } catch (e) {
        signal?.throwIfAborted();
        throw this.transport.networkError(e, this.host);
      }
      if (res.status !== 401 || tries >= 2) return res;
      discard(res.body);
      // Another request may have signed in meanwhile; only sign in again if not.
      if (this.authorization === before) await this.authenticate(res);
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
      if (c.username !== undefined && c.password !== undefined) this.remember(basic(c.username, c.password));
    }
    this.credentials = c ?? null;
    return c;
  }

  /** Answers the challenge of a 401 (single-flight: concurrent 401s share one sign-in). */
  private authenticate(res: HttpResponse): Promise<void> {
    const header = res.header('www-authenticate');
    // A 401 without a usable challenge reuses the last one (the ping's).
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
      const v = basic(creds.username, creds.password);
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
    this.transport.checkScheme(realm, 'credentials');
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
        let auth: OriginAuth | undefined;
        if (creds?.username !== undefined && creds.password !== undefined) {
          url.searchParams.set('account', creds.username);
          auth = { origin: realm.origin, value: `Basic ${basic(creds.username, creds.password)}` };
        }
        res = await this.transport.follow(url, {}, auth, 'credentials');
      }
    } catch (e) {
      throw this.transport.networkError(e, realm.host);
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
    const data = await this.transport.readSmall(res, TOKEN_CAP, `the token from ${realm.host}`);
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

  /** POSTs a form (the identity-token refresh), with retries; the realm's scheme is checked first. */
  private postForm(url: URL, form: URLSearchParams): Promise<HttpResponse> {
    this.transport.checkScheme(url, 'credentials');
    return this.transport.send('POST', url, { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString());
  }
}
