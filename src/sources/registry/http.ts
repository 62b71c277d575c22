import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { UsageError } from '../../errors/index.js';

/** One HTTP exchange as the registry client sees it. The caller consumes or destroys `body`. */
export type HttpResponse = {
  readonly status: number;
  readonly url: URL;
  header(name: string): string | undefined;
  readonly body: Readable;
};

export type HttpRequest = {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
};

/**
 * Sends one request and returns when the response headers are in. Redirects are never
 * followed here (`RegistryTransport.follow` does, so it can drop `Authorization` across origins).
 */
export type Transport = {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): void;
};

/** Node's built-in fetch: system trust store, no extra CAs. */
export function createFetchTransport(): Transport {
  return {
    async send(req) {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal: req.signal,
      });
      const body = res.body
        ? Readable.fromWeb(res.body as unknown as import('node:stream/web').ReadableStream<Uint8Array>)
        : Readable.from([]);
      return { status: res.status, url: req.url, header: (n) => res.headers.get(n) ?? undefined, body };
    },
    close() {},
  };
}

/** The CAs a TLS connection trusts by default, plus the system store where Node can read it (22.15+). */
function defaultCertificates(): string[] {
  const get = (tls as unknown as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (!get) return [...tls.rootCertificates];
  const seen = new Set<string>();
  for (const kind of ['default', 'system']) {
    try {
      for (const c of get(kind)) seen.add(c);
    } catch {
      // 'system' is not available on every platform; 'default' always is.
    }
  }
  return [...seen];
}

/** Reads `--ca-cert` files; UsageError naming the file when one cannot be read. */
export function readCaFiles(files: readonly string[]): string[] {
  return files.map((f) => {
    try {
      const pem = readFileSync(f, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw Object.assign(new Error('no PEM certificate in the file'), { code: 'EINVAL' });
      return pem;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new UsageError(`--ca-cert ${f}: cannot use it as a CA certificate (${err.code === 'ENOENT' ? 'no such file' : err.message})`);
    }
  });
}

/**
 * `node:http`/`node:https` with keep-alive agents: used when extra CAs are given (added to the
 * default and system ones) or TLS verification is turned off (`--insecure`).
 */
export function createNodeTransport(opts: { readonly extraCa: readonly string[]; readonly verifyTls: boolean }): Transport {
  const httpsAgent = new https.Agent({
    keepAlive: true,
    ca: opts.extraCa.length > 0 ? [...defaultCertificates(), ...opts.extraCa] : undefined,
    rejectUnauthorized: opts.verifyTls,
  });
  const httpAgent = new http.Agent({ keepAlive: true });
  return {
    send(req) {
      return new Promise((resolve, reject) => {
        const secure = req.url.protocol === 'https:';
        const mod = secure ? https : http;
        const r = mod.request(
          req.url,
          { method: req.method, headers: req.headers, agent: secure ? httpsAgent : httpAgent, signal: req.signal },
          (res) => {
            resolve({
              status: res.statusCode ?? 0,
              url: req.url,
              header: (n) => {
                const v = res.headers[n.toLowerCase()];
                return Array.isArray(v) ? v.join(', ') : v;
              },
              body: res,
            });
          },
        );
        r.on('error', reject);
        r.end(req.body);
      });
    },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

/** The `code` of an error or of anything in its cause chain (fetch wraps socket errors). */
export function errorCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The innermost message of an error chain ("fetch failed" says less than its cause). */
function innerMessage(e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  for (let cur = (e as { cause?: unknown })?.cause, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof Error && cur.message) msg = cur.message;
  }
  return msg;
}

const RETRYABLE_CODES = new Set([
  // A refused connection is often a registry restarting or a proxy not up yet: tried again like a reset.
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'IDLE_TIMEOUT',
]);

/** Refused connections, resets, timeouts and truncated bodies: worth another try. */
export function isRetryableError(e: unknown): boolean {
  const code = errorCode(e);
  if (code && RETRYABLE_CODES.has(code)) return true;
  return /socket hang up|other side closed|terminated|premature close/i.test(innerMessage(e));
}

/** The certificate could not be verified (as opposed to the connection failing). */
export function isCertificateError(e: unknown): boolean {
  const code = errorCode(e) ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH/.test(code);
}

/** The server answered a TLS handshake with something else (plain HTTP on that port). */
export function isNotTlsError(e: unknown): boolean {
  const code = errorCode(e) ?? '';
  return code === 'EPROTO' || /WRONG_VERSION_NUMBER|ERR_SSL_/.test(code) || /wrong version number|packet length too long/i.test(innerMessage(e));
}

/**
 * A cause safe to chain into a user-facing error: only the code and the innermost message,
 * never the request (headers may hold credentials) or socket objects.
 */
export function sanitizedCause(e: unknown): Error {
  const code = errorCode(e);
  const err = new Error(code ? `${code}: ${innerMessage(e)}` : innerMessage(e));
  return err;
}

/** A short description of a network failure for messages: "connection refused", "ECONNRESET". */
export function describeNetworkError(e: unknown): string {
  const code = errorCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'IDLE_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timed out';
    default:
      return code ?? innerMessage(e);
  }
}

/** Drains and discards a body so the connection can be reused; never throws. */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.resume();
}

/**
 * Reads a whole body, up to `cap` bytes. Calls `tooBig` past the cap (and destroys the body).
 * `idleMs` bounds the wait for each chunk.
 */
export async function readBody(body: Readable, cap: number, idleMs: number, tooBig: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  const it = withIdleTimeout(body, idleMs);
  for await (const c of it) {
    got += c.length;
    if (got > cap) {
      body.destroy();
      throw tooBig();
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Error thrown when a body stalls for longer than the idle timeout. */
export function idleTimeoutError(ms: number): Error {
  return Object.assign(new Error(`no data for ${ms} ms`), { code: 'IDLE_TIMEOUT' });
}

/**
 * Iterates a body's chunks; when no chunk arrives within `idleMs` while the caller waits for
 * one, destroys the body and throws an IDLE_TIMEOUT error (which is retryable). Time the
 * caller spends between chunks (backpressure) does not count. One timer serves the whole body.
 */
export async function* withIdleTimeout(body: Readable, idleMs: number): AsyncGenerator<Buffer> {
  let waiting = true;
  let timedOut: Error | undefined;
  const timer = setTimeout(function onIdle() {
    if (!waiting) {
      timer.refresh();
      return;
    }
    timedOut = idleTimeoutError(idleMs);
    body.destroy(timedOut);
  }, idleMs);
  try {
    for await (const c of body) {
      waiting = false;
      yield Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
      timer.refresh();
      waiting = true;
    }
  } catch (e) {
    throw timedOut ?? e;
  } finally {
    clearTimeout(timer);
    if (!body.destroyed && !body.readableEnded) body.destroy();
  }
}
