/**
 * Runs the real CNCF distribution registry (Debian's `docker-registry`) on a free loopback
 * port with its storage in a temp dir, pushes images into it with `skopeo`, and provides the
 * pieces the auth tests put around it: a bcrypt htpasswd file, a throwaway CA and server
 * certificate (openssl), and a small Docker token server that signs JWTs with a key whose
 * self-signed certificate the registry trusts. Nothing here talks to anything but loopback.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

/** `../shared/fixtures` beside the checkout. */
export const FIXTURES = path.resolve(here, '../..', '../shared/fixtures');
export const fixture = (name: string) => path.join(FIXTURES, 'images', name);

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why the registry tests cannot run here, or undefined when they can. */
export function registrySkipReason(): string | undefined {
  const missing = ['docker-registry', 'skopeo', 'openssl'].filter((c) => !onPath(c));
  if (missing.length) return `registry tests skipped: ${missing.join(', ')} not installed (apt-get install docker-registry skopeo openssl)`;
  if (!existsSync(path.join(FIXTURES, 'images', 'edge.oci-archive.tar'))) return `registry tests skipped: ${FIXTURES} is absent`;
  return undefined;
}

const temps: string[] = [];
/** A temp dir removed by `cleanupTemps`. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), `inspect-tui-${prefix}-`));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      if (child.exitCode !== null) return reject(new Error(`exited with ${child.exitCode}`));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} did not open in ${timeoutMs} ms`));
        else setTimeout(tryOnce, 50);
      });
    };
    tryOnce();
  });
}

export type RegistryAuth =
  | { readonly kind: 'htpasswd'; readonly file: string }
  | { readonly kind: 'token'; readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertBundle: string };

export type RegistryOptions = {
  /** Shared between registries started over the same pushed content. */
  readonly storageDir: string;
  readonly auth?: RegistryAuth;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
};

export type RunningRegistry = {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
};

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function registryConfig(port: number, o: RegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(o.storageDir)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${JSON.stringify(o.tls.certFile)}`, `    key: ${JSON.stringify(o.tls.keyFile)}`);
  if (o.auth?.kind === 'htpasswd') lines.push('auth:', '  htpasswd:', '    realm: inspect-tui-test', `    path: ${JSON.stringify(o.auth.file)}`);
  if (o.auth?.kind === 'token') {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(o.auth.realm)}`,
      `    service: ${JSON.stringify(o.auth.service)}`,
      `    issuer: ${JSON.stringify(o.auth.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(o.auth.rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts `docker-registry serve` on a free loopback port and waits until it accepts
 * connections. `stop` kills it and waits for it to exit.
 */
export async function startRegistry(o: RegistryOptions): Promise<RunningRegistry> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = tempDir('registry-conf');
    const cfg = path.join(dir, 'config.yml');
    writeFileSync(cfg, registryConfig(port, o));
    const child = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 8000) stderr += c.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitForPort(port, child, 20_000);
    } catch (e) {
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
      lastError = `${(e as Error).message}: ${stderr.trim()}`;
      continue;
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      async stop() {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        children.delete(child);
      },
    };
  }
  throw new Error(`docker-registry did not start: ${lastError}`);
}

/**
 * `skopeo copy SRC docker://DEST` into a registry without TLS verification, with a policy
 * that accepts anything (the host's policy.json may be absent or strict).
 */
export async function skopeoPush(src: string, dest: string, opts: { all?: boolean; destCreds?: string } = {}): Promise<void> {
  const dir = tempDir('skopeo');
  const policy = path.join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const authFile = path.join(dir, 'auth.json');
  writeFileSync(authFile, '{}');
  const args = ['--policy', policy, 'copy', '--quiet', '--dest-tls-verify=false', '--dest-authfile', authFile];
  if (opts.all) args.push('--all');
  if (opts.destCreds) args.push('--dest-creds', opts.destCreds);
  args.push(src, dest);
  await run('skopeo', args, { env: { ...process.env, TMPDIR: dir }, maxBuffer: 16 << 20 });
}

/** An htpasswd line with a bcrypt hash (what the registry accepts), from `htpasswd -B` or libc crypt via perl. */
export function bcryptHtpasswdLine(user: string, password: string): string {
  if (onPath('htpasswd')) {
    const r = spawnSync('htpasswd', ['-nbB', user, password], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // bcrypt salts are 22 characters whose last one carries only 2 bits: one of ".Oeu".
  const salt = [...randomBytes(21)].map((b) => alphabet[b % 64]).join('') + '.Oeu'[randomBytes(1)[0]! % 4];
  const r = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$10$${salt}`], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.startsWith('$2')) throw new Error('cannot make a bcrypt hash: neither htpasswd nor a libc crypt with bcrypt is available');
  return `${user}:${r.stdout.trim()}`;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A self-signed certificate and its key (PEM files), e.g. for the token issuer. */
export function makeSelfSigned(dir: string, cn: string): { certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', `/CN=${cn}`], dir);
  return { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') };
}

/** A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost. */
export function makeCaAndServerCert(dir: string): { caFile: string; certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=inspect-tui test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return { caFile: path.join(dir, 'ca.pem'), certFile: path.join(dir, 'server.pem'), keyFile: path.join(dir, 'server.key') };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export type TokenRequestLog = {
  readonly method: string;
  /** Who the request authenticated as: a user name, `identity:<user>`, 'anonymous' or 'rejected'. */
  readonly as: string;
  readonly scopes: readonly string[];
};

export type TokenServer = {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly requests: TokenRequestLog[];
  /** The next `n` tokens are issued already expired (to exercise refresh on 401). */
  expireNext(n: number): void;
  stop(): Promise<void>;
};

/**
 * The Docker token protocol, in process: GET /token?service&scope with optional Basic auth,
 * and POST /token with an OAuth2 refresh_token grant (identity tokens). Repositories in
 * `publicRepos` are pullable anonymously; others need one of `users`. Tokens are RS256 JWTs
 * with the signing certificate in `x5c`, which the registry checks against its rootcertbundle.
 */
export async function startTokenServer(o: {
  readonly certFile: string;
  readonly keyFile: string;
  readonly users: Readonly<Record<string, string>>;
  readonly identityTokens?: Readonly<Record<string, string>>;
  readonly publicRepos: readonly string[];
}): Promise<TokenServer> {
  const cert = readFileSync(o.certFile, 'utf8');
  const key = readFileSync(o.keyFile, 'utf8');
  const x5c = new X509Certificate(cert).raw.toString('base64');
  const service = 'inspect-tui-registry';
  const issuer = 'inspect-tui-token-issuer';
  const requests: TokenRequestLog[] = [];
  let expire = 0;
  const sign = (sub: string, access: object[]) => {
    const now = Math.floor(Date.now() / 1000);
    const exp = expire > 0 ? (expire--, now - 120) : now + 300;
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [x5c] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub, aud: service, exp, nbf: now - 300, iat: now - 300, jti: randomBytes(8).toString('hex'), access }));
    const sig = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key);
    return `${header}.${claims}.${b64url(sig)}`;
  };
  const grant = (who: string | undefined, scopes: string[]) =>
    scopes.flatMap((s) => {
      const [type, name, actions] = s.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const allowed = who !== undefined || o.publicRepos.includes(name);
      const wanted = actions.split(',').filter((a) => a === 'pull');
      return allowed && wanted.length ? [{ type, name, actions: wanted }] : [];
    });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
      let who: string | undefined;
      if (req.method === 'POST') {
        const user = params.get('grant_type') === 'refresh_token' ? o.identityTokens?.[params.get('refresh_token') ?? ''] : undefined;
        if (!user) {
          requests.push({ method: 'POST', as: 'rejected', scopes });
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        who = user;
        requests.push({ method: 'POST', as: `identity:${user}`, scopes });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: sign(user, grant(user, scopes)), expires_in: 300 }));
        return;
      }
      const auth = req.headers.authorization;
      if (auth?.startsWith('Basic ')) {
        const [u, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
        if (u === undefined || o.users[u] === undefined || o.users[u] !== rest.join(':')) {
          requests.push({ method: 'GET', as: 'rejected', scopes });
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
          return;
        }
        who = u;
      }
      requests.push({ method: 'GET', as: who ?? 'anonymous', scopes });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: sign(who ?? '', grant(who, scopes)), expires_in: 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    expireNext(n) {
      expire = n;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The path of a blob's data file in a filesystem-driver registry storage. */
export function storedBlobPath(storageDir: string, digest: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  return path.join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}
