import { createHash } from 'node:crypto';
import path from 'node:path';

/** TLS material for a TCP endpoint; files are read when connecting, not when selecting. */
export type DaemonTls = {
  /** Verify the daemon's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  readonly verify: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
};

/**
 * Where a Docker Engine API may answer. `url` is how messages name it (`unix:///run/podman/podman.sock`,
 * `tcp://10.0.0.5:2376`); `origin` says why it was chosen (`DOCKER_HOST`, `context "desktop"`, `default`).
 */
export type DaemonEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly url: string; readonly origin: string }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly url: string;
      readonly origin: string;
      readonly tls?: DaemonTls;
    };

/** What endpoint selection reads besides the environment; injected so selection stays pure. */
export type EndpointFs = {
  /** The file's text, or undefined when it is absent or unreadable. */
  readFile(file: string): string | undefined;
};

/**
 * The endpoints to try, in order; or why the configuration names none that can be used (a
 * DOCKER_HOST in a form this tool cannot speak, a context that is not there).
 */
export type EndpointSelection = { readonly ok: true; readonly endpoints: readonly DaemonEndpoint[] } | { readonly ok: false; readonly reason: string };

export type DaemonPreference = 'docker' | 'podman';

type Env = Readonly<Record<string, string | undefined>>;

const DOCKER_SOCKET = '/var/run/docker.sock';
const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

/**
 * Parses a Docker host URL as `DOCKER_HOST` and context metadata write it: `unix:///path`,
 * `tcp://host[:port]` (port 2375, or 2376 with TLS), `http(s)://host[:port]`. Returns a reason
 * string for forms the tool cannot use (ssh://, npipe://, fd://).
 */
export function parseDockerHost(value: string, origin: string, tls: DaemonTls | undefined): DaemonEndpoint | string {
  const v = value.trim();
  if (v.startsWith('unix://')) {
    const socketPath = v.slice('unix://'.length);
    if (socketPath === '') return `${origin} "${value}" names no socket path`;
    return { kind: 'unix', socketPath, url: `unix://${socketPath}`, origin };
  }
  const m = /^(tcp|https?):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?\/?$/.exec(v);
  if (m) {
    const scheme = m[1]!;
    const useTls = scheme === 'https' ? (tls ?? { verify: true }) : scheme === 'http' ? undefined : tls;
    const port = m[3] !== undefined ? Number(m[3]) : useTls ? 2376 : 2375;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return `${origin} "${value}" has an invalid port`;
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const ep: DaemonEndpoint = { kind: 'tcp', host, port, url: `tcp://${shownHost}:${port}`, origin };
    return useTls ? { ...ep, tls: useTls } : ep;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1];
  if (scheme) return `${origin} "${value}" uses ${scheme}://, which is not supported (use unix:// or tcp://)`;
  return `${origin} "${value}" is not a unix:// or tcp:// address`;
}

function dockerConfigDir(env: Env): string | undefined {
  if (env.DOCKER_CONFIG) return env.DOCKER_CONFIG;
  return env.HOME ? path.join(env.HOME, '.docker') : undefined;
}

function envTls(env: Env, configDir: string | undefined): DaemonTls | undefined {
  const verify = (env.DOCKER_TLS_VERIFY ?? '') !== '';
  const tls = verify || (env.DOCKER_TLS ?? '') !== '';
  if (!tls) return undefined;
  const dir = env.DOCKER_CERT_PATH || configDir;
  if (!dir) return { verify };
  return { verify, caFile: path.join(dir, 'ca.pem'), certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') };
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The current Docker context, resolved as the docker CLI resolves it: `DOCKER_CONTEXT`, else
 * `currentContext` in `config.json`; `default` (or none) means the default sockets. Its
 * metadata is at `contexts/meta/<sha256(name)>/meta.json` (`Endpoints.docker.Host`) and its TLS
 * files at `contexts/tls/<sha256(name)>/docker/`. A context that is named but cannot be used
 * (no metadata, no Docker endpoint, a host form this tool cannot speak) is an error, as it is
 * for docker: falling back to another daemon would show an image from a daemon the user did
 * not choose.
 */
function contextEndpoint(env: Env, fs: EndpointFs, configDir: string | undefined): { endpoint?: DaemonEndpoint; error?: string } {
  if (!configDir) return {};
  const fromEnv = env.DOCKER_CONTEXT !== undefined && env.DOCKER_CONTEXT !== '';
  const configFile = path.join(configDir, 'config.json');
  const name = fromEnv ? env.DOCKER_CONTEXT : (parseJsonObject(fs.readFile(configFile))?.currentContext as unknown);
  if (typeof name !== 'string' || name === '' || name === 'default') return {};
  const origin = `context "${name}"`;
  const chosen = fromEnv ? 'DOCKER_CONTEXT' : `currentContext in ${configFile}`;
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  const metaText = fs.readFile(metaFile);
  if (metaText === undefined) return { error: `${origin} (${chosen}) does not exist: no ${metaFile}` };
  const meta = parseJsonObject(metaText);
  const docker = (meta?.Endpoints as Record<string, unknown> | undefined)?.docker as { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  if (!docker || typeof docker.Host !== 'string') return { error: `${origin} (${chosen}) has no Docker endpoint in ${metaFile}` };
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  const has = (f: string) => fs.readFile(path.join(tlsDir, f)) !== undefined;
  const anyTls = has('ca.pem') || has('cert.pem') || has('key.pem');
  const tls: DaemonTls | undefined = anyTls
    ? {
        verify: docker.SkipTLSVerify !== true,
        caFile: has('ca.pem') ? path.join(tlsDir, 'ca.pem') : undefined,
        certFile: has('cert.pem') ? path.join(tlsDir, 'cert.pem') : undefined,
        keyFile: has('key.pem') ? path.join(tlsDir, 'key.pem') : undefined,
      }
    : undefined;
  const parsed = parseDockerHost(docker.Host, origin, tls);
  return typeof parsed === 'string' ? { error: parsed } : { endpoint: parsed };
}

/** The well-known sockets, Docker's first unless Podman is preferred. */
export function defaultSockets(env: Env, prefer: DaemonPreference = 'docker'): DaemonEndpoint[] {
  const unix = (socketPath: string): DaemonEndpoint => ({ kind: 'unix', socketPath, url: `unix://${socketPath}`, origin: 'default' });
  const podman = [
    ...(env.XDG_RUNTIME_DIR ? [unix(path.posix.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'))] : []),
    unix(PODMAN_ROOTFUL_SOCKET),
  ];
  const docker = [unix(DOCKER_SOCKET)];
  return prefer === 'podman' ? [...podman, ...docker] : [...docker, ...podman];
}

/**
 * Chooses where to look for a daemon, the way the docker CLI does: `DOCKER_HOST` alone when set
 * (with `DOCKER_TLS_VERIFY`/`DOCKER_TLS` and `DOCKER_CERT_PATH`), whatever the context; otherwise
 * the current context's endpoint alone (`DOCKER_CONTEXT`, else `config.json`'s `currentContext`,
 * under `DOCKER_CONFIG` or `~/.docker`); with no context, or `default`, the default sockets
 * (`/var/run/docker.sock`, `$XDG_RUNTIME_DIR/podman/podman.sock`, `/run/podman/podman.sock`;
 * Podman's first when preferred). Pure: reads only `env` and `fs`.
 */
export function selectDaemonEndpoints(env: Env, fs: EndpointFs, prefer: DaemonPreference = 'docker'): EndpointSelection {
  const configDir = dockerConfigDir(env);
  const host = env.DOCKER_HOST;
  if (host !== undefined && host.trim() !== '') {
    const parsed = parseDockerHost(host, 'DOCKER_HOST', envTls(env, configDir));
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    return { ok: true, endpoints: [parsed] };
  }
  const ctx = contextEndpoint(env, fs, configDir);
  if (ctx.error !== undefined) return { ok: false, reason: ctx.error };
  return { ok: true, endpoints: ctx.endpoint ? [ctx.endpoint] : defaultSockets(env, prefer) };
}
