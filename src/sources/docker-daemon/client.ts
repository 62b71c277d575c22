import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { DaemonEndpoint } from './endpoints.js';

/** The newest Engine API version this client speaks; a daemon's older version is used as is. */
export const CLIENT_API_VERSION = '1.47';
/** The oldest Engine API version accepted (Docker 1.12, 2016). */
export const MIN_API_VERSION = '1.24';

/** A failure to talk to an endpoint, classified for messages. */
export type ConnectProblem = {
  readonly kind: 'absent' | 'refused' | 'permission' | 'timeout' | 'tls' | 'other';
  /** A few words: `no such socket`, `connection refused`, `permission denied`. */
  readonly text: string;
};

/** Maps a socket or TLS error to what a user should be told. */
export function describeConnectError(err: unknown): ConnectProblem {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: 'absent', text: 'no such socket' };
    case 'ECONNREFUSED':
      return { kind: 'refused', text: 'connection refused' };
    case 'EACCES':
    case 'EPERM':
      return { kind: 'permission', text: 'permission denied' };
    case 'ETIMEDOUT':
      return { kind: 'timeout', text: 'no answer' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'other', text: 'unknown host' };
    case 'ECONNRESET':
      return { kind: 'other', text: 'connection reset' };
    default:
      break;
  }
  const msg = e?.message ?? String(err);
  if (/certificate|SSL|TLS|self[- ]signed/i.test(msg) || (e?.code ?? '').startsWith('ERR_TLS') || (e?.code ?? '').includes('CERT')) {
    return { kind: 'tls', text: `TLS: ${msg}` };
  }
  return { kind: 'other', text: msg };
}

/** Thrown by `daemonRequest` when no HTTP exchange happened. */
export class ConnectError extends Error {
  readonly problem: ConnectProblem;
  constructor(problem: ConnectProblem, options?: { cause?: unknown }) {
    super(problem.text, options);
    this.name = 'ConnectError';
    this.problem = problem;
  }
}

function tlsOptions(ep: Extract<DaemonEndpoint, { kind: 'tcp' }>): https.RequestOptions {
  const tls = ep.tls!;
  const read = (file: string | undefined) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConnectError({ kind: 'tls', text: `cannot read ${file} (${(e as Error).message})` }, { cause: e });
    }
  };
  // SNI carries host names only (RFC 6066); an IP address is checked against the certificate's IP SANs.
  const servername = isIP(ep.host) ? undefined : ep.host;
  return { ca: read(tls.caFile), cert: read(tls.certFile), key: read(tls.keyFile), rejectUnauthorized: tls.verify, ...(servername ? { servername } : {}) };
}

/**
 * Sends one request to a daemon and resolves with the response once its headers arrive; the
 * caller consumes or destroys the body. Rejects with `ConnectError` when the endpoint cannot be
 * reached or `timeoutMs` passes without a response (a slow body is not timed out). An aborted
 * `signal` destroys the request, and its response with it (the body then fails): the promise
 * rejects with the signal's reason.
 */
export function daemonRequest(ep: DaemonEndpoint, method: string, urlPath: string, timeoutMs?: number, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let req: http.ClientRequest;
    const headers = { Host: ep.kind === 'unix' ? 'docker' : `${ep.host}:${ep.port}`, 'User-Agent': 'inspect-tui' };
    try {
      if (ep.kind === 'unix') {
        req = http.request({ socketPath: ep.socketPath, path: urlPath, method, headers, agent: false, signal });
      } else if (ep.tls) {
        req = https.request({ host: ep.host, port: ep.port, path: urlPath, method, headers, agent: false, signal, ...tlsOptions(ep) });
      } else {
        req = http.request({ host: ep.host, port: ep.port, path: urlPath, method, headers, agent: false, signal });
      }
    } catch (e) {
      reject(e instanceof ConnectError ? e : new ConnectError(describeConnectError(e), { cause: e }));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        req.destroy(Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
    }
    req.on('response', (res) => {
      if (timer) clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(signal?.aborted ? signal.reason : new ConnectError(describeConnectError(e), { cause: e }));
    });
    req.end();
  });
}

/** Reads a (small) response body whole, up to `cap` bytes. */
export async function readBody(res: IncomingMessage, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res) {
    const c = chunk as Buffer;
    n += c.length;
    if (n > cap) {
      res.destroy();
      throw new Error(`the daemon's answer is larger than ${cap} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** The `message` of a daemon's JSON error body, or the body's first line. */
export function errorMessage(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const v = JSON.parse(text) as { message?: unknown };
    if (typeof v.message === 'string' && v.message !== '') return v.message;
  } catch {
    // not JSON: fall through to the text itself
  }
  return text.split('\n')[0]!.slice(0, 200);
}

/** Compares `1.41`-style versions: negative when a < b. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
