import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DOCKER_HUB_AUTH_KEY, DOCKER_HUB_DOMAIN } from '../../reference/index.js';
import { SourceError } from '../../errors/index.js';
import { isObj } from '../oci/json.js';
import { CLIENT_CONFIG_CAP } from '../oci/limits.js';

/**
 * What the client may present to a registry or its token service. Either a username and
 * password, or an identity token (an OAuth2 refresh token from `docker login`). These values
 * are never put in messages, logs or error causes.
 */
export type Credentials = {
  readonly username?: string;
  readonly password?: string;
  readonly identityToken?: string;
  /** Where they came from, for messages: `--username`, `config.json`, `docker-credential-pass`. */
  readonly origin: string;
};

/** How long a credential helper may take before it is killed. */
const HELPER_TIMEOUT_MS = 30_000;


/** `https://quay.io/v1/` → `quay.io`: config.json keys may carry a scheme and a path. */
export function normalizeAuthKey(key: string): string {
  let k = key.trim();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  k = k.toLowerCase();
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return DOCKER_HUB_DOMAIN;
  return k;
}

/** The docker config directory: `$DOCKER_CONFIG`, else `$HOME/.docker`; undefined when neither is set. */
export function dockerConfigDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.DOCKER_CONFIG) return env.DOCKER_CONFIG;
  if (env.HOME) return path.join(env.HOME, '.docker');
  return undefined;
}

type DockerConfig = {
  readonly auths: Readonly<Record<string, unknown>>;
  readonly credHelpers: Readonly<Record<string, unknown>>;
  readonly credsStore?: string;
};

/**
 * A file that may hold registry credentials: Podman's and skopeo's `auth.json`
 * (containers-auth.json(5)) or Docker's `config.json`. Both have `auths` and `credHelpers`;
 * only Docker's has `credsStore`.
 */
export type CredentialFile = {
  readonly file: string;
  /** How messages name the file's kind: `the Docker config`, `the containers auth file`. */
  readonly what: string;
  /** How `Credentials.origin` names it: `config.json`, `auth.json`. */
  readonly origin: string;
};

/**
 * The credential files, in the order they are consulted: `REGISTRY_AUTH_FILE` when set, else
 * `$XDG_RUNTIME_DIR/containers/auth.json` (where `podman login` and `skopeo login` write), then
 * Docker's `config.json` (see `dockerConfigDir`). The first file with an entry for the registry wins.
 */
export function credentialFiles(env: Readonly<Record<string, string | undefined>>): CredentialFile[] {
  const out: CredentialFile[] = [];
  const containers = 'the containers auth file';
  if (env.REGISTRY_AUTH_FILE) out.push({ file: env.REGISTRY_AUTH_FILE, what: containers, origin: path.basename(env.REGISTRY_AUTH_FILE) });
  else if (env.XDG_RUNTIME_DIR) out.push({ file: path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'), what: containers, origin: 'auth.json' });
  const dir = dockerConfigDir(env);
  if (dir) out.push({ file: path.join(dir, 'config.json'), what: 'the Docker config', origin: 'config.json' });
  return out;
}

async function readDockerConfig(file: string, what = 'the Docker config'): Promise<DockerConfig | undefined> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new SourceError('auth-required', file, `cannot read ${what} (${code ?? 'error'})`);
  }
  if (data.length > CLIENT_CONFIG_CAP) throw new SourceError('limit-exceeded', file, `${what} is larger than ${CLIENT_CONFIG_CAP} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    // JSON.parse quotes the text around the error, which may be a credential: no details, no cause.
    throw new SourceError('corrupt', file, `${what} is not valid JSON`);
  }
  if (!isObj(raw)) throw new SourceError('corrupt', file, `${what} is not a JSON object`);
  return {
    auths: isObj(raw.auths) ? raw.auths : {},
    credHelpers: isObj(raw.credHelpers) ? raw.credHelpers : {},
    credsStore: typeof raw.credsStore === 'string' && raw.credsStore !== '' ? raw.credsStore : undefined,
  };
}

function findKey<T>(table: Readonly<Record<string, T>>, domain: string): T | undefined {
  if (domain in table) return table[domain];
  for (const [k, v] of Object.entries(table)) if (normalizeAuthKey(k) === domain) return v;
  return undefined;
}

function fromAuthEntry(entry: unknown, origin: string): Credentials | undefined {
  if (!isObj(entry)) return undefined;
  let username = typeof entry.username === 'string' ? entry.username : undefined;
  let password = typeof entry.password === 'string' ? entry.password : undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken !== '' ? entry.identitytoken : undefined;
  if (identityToken) return { username, identityToken, origin };
  if (username !== undefined && password !== undefined) return { username, password, origin };
  return undefined;
}

/**
 * Runs `docker-credential-NAME get` with the server URL on stdin (the docker-credential-helpers
 * protocol). "Not found" answers give undefined; a helper that is missing or fails is an error
 * that names the helper and the registry, never the helper's output.
 */
async function runHelper(name: string, serverUrl: string, domain: string, env: Readonly<Record<string, string | undefined>>): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const result = await new Promise<{ code: number | null; stdout: string; spawnError?: NodeJS.ErrnoException }>((resolve) => {
    let stdout = '';
    let child;
    try {
      child = spawn(program, ['get'], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
    } catch (e) {
      resolve({ code: null, stdout: '', spawnError: e as NodeJS.ErrnoException });
      return;
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      if (stdout.length < CLIENT_CONFIG_CAP) stdout += c;
    });
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, stdout, spawnError: e }));
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(serverUrl);
  });
  if (result.spawnError) {
    const why = result.spawnError.code === 'ENOENT' ? 'is not installed (not on PATH)' : `could not be started (${result.spawnError.code ?? 'error'})`;
    throw new SourceError('auth-required', `credential helper ${program}`, `configured for ${domain}, ${why}`);
  }
  if (result.code !== 0) {
    // The protocol's "not found" answer is a message on stdout and exit status 1.
    if (/credentials not found/i.test(result.stdout)) return undefined;
    throw new SourceError('auth-required', `credential helper ${program}`, `failed for ${domain} (exit status ${result.code ?? 'killed'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(result.stdout);
  } catch {
    throw new SourceError('auth-required', `credential helper ${program}`, `gave an answer for ${domain} that is not JSON`);
  }
  if (!isObj(raw) || typeof raw.Secret !== 'string') {
    throw new SourceError('auth-required', `credential helper ${program}`, `gave an answer for ${domain} without a secret`);
  }
  const username = typeof raw.Username === 'string' ? raw.Username : '';
  if (raw.Secret === '') return undefined;
  // docker-credential-helpers: the user name "<token>" marks an identity token.
  if (username === '<token>') return { identityToken: raw.Secret, origin: program };
  return { username, password: raw.Secret, origin: program };
}

/**
 * Finds stored credentials for a registry domain in each of `credentialFiles` in turn (Podman's
 * and skopeo's auth.json, then Docker's config.json), the way their own tools read them: a
 * `credHelpers` entry for the domain, else `auths` (base64 `auth` or `identitytoken`), else, in
 * config.json, the `credsStore`. Missing files are skipped; undefined when nothing is stored.
 *
 * @param domain as in the reference: `docker.io`, `127.0.0.1:5000`.
 */
export async function lookupStoredCredentials(domain: string, env: Readonly<Record<string, string | undefined>>): Promise<Credentials | undefined> {
  const serverUrl = domain === DOCKER_HUB_DOMAIN ? DOCKER_HUB_AUTH_KEY : domain;
  for (const { file, what, origin } of credentialFiles(env)) {
    const config = await readDockerConfig(file, what);
    if (!config) continue;
    const helper = findKey(config.credHelpers, domain);
    if (typeof helper === 'string' && helper !== '') return runHelper(helper, serverUrl, domain, env);
    const inline = fromAuthEntry(findKey(config.auths, domain), origin);
    if (inline) return inline;
    if (config.credsStore) return runHelper(config.credsStore, serverUrl, domain, env);
  }
  return undefined;
}
