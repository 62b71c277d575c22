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
 * The endpoints to try, in order, and whether only the first may be used. `notes` explains
 * configuration that was ignored (a context without metadata), for the "no daemon" message.
 */
export type EndpointSelection =
  | { readonly ok: true; readonly endpoints: readonly DaemonEndpoint[]; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

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
 * The current Docker context's endpoint: `DOCKER_CONTEXT`, else `currentContext` in
 * `config.json`; its metadata is at `contexts/meta/<sha256(name)>/meta.json` and its TLS
 * files at `contexts/tls/<sha256(name)>/docker/`. The `default` context means the default sockets.
 */
function contextEndpoint(env: Env, fs: EndpointFs, configDir: string | undefined): { endpoint?: DaemonEndpoint; note?: string } {
  if (!configDir) return {};
  const name = env.DOCKER_CONTEXT || (parseJsonObject(fs.readFile(path.join(configDir, 'config.json')))?.currentContext as unknown);
  if (typeof name !== 'string' || name === '' || name === 'default') return {};
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  const meta = parseJsonObject(fs.readFile(metaFile));
  const docker = (meta?.Endpoints as Record<string, unknown> | undefined)?.docker as { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  if (!docker || typeof docker.Host !== 'string') return { note: `context "${name}" has no readable Docker endpoint` };
  const origin = `context "${name}"`;
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
  return typeof parsed === 'string' ? { note: parsed } : { endpoint: parsed };
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
 * (with `DOCKER_TLS_VERIFY`/`DOCKER_TLS` and `DOCKER_CERT_PATH`); otherwise the current context's
 * endpoint (`DOCKER_CONTEXT` or `config.json`'s `currentContext`, under `DOCKER_CONFIG` or
 * `~/.docker`), followed by the default sockets (`/var/run/docker.sock`,
 * `$XDG_RUNTIME_DIR/podman/podman.sock`, `/run/podman/podman.sock`; Podman's first when preferred).
 * Pure: reads only `env` and `fs`.
 */
export function selectDaemonEndpoints(env: Env, fs: EndpointFs, prefer: DaemonPreference = 'docker'): EndpointSelection {
  const configDir = dockerConfigDir(env);
  const host = env.DOCKER_HOST;
  if (host !== undefined && host.trim() !== '') {
    const parsed = parseDockerHost(host, 'DOCKER_HOST', envTls(env, configDir));
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    return { ok: true, endpoints: [parsed], notes: [] };
  }
  const ctx = contextEndpoint(env, fs, configDir);
  const defaults = defaultSockets(env, prefer);
  const endpoints = ctx.endpoint ? [ctx.endpoint, ...defaults.filter((d) => d.url !== ctx.endpoint!.url)] : defaults;
  return { ok: true, endpoints, notes: ctx.note ? [ctx.note] : [] };
}
