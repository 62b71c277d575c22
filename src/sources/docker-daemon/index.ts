import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { SourceError, type SourceErrorKind } from '../../errors/index.js';
import { openDockerArchiveBundle } from '../docker-archive/index.js';
import type { ImageSource, OpenedImage } from '../image-source.js';
import { openStreamBundle, type Bundle } from '../oci/bundle.js';
import { DAEMON_ANSWER_CAP as INSPECT_CAP } from '../oci/limits.js';
import type { SourceSettings } from '../settings.js';
import {
  CLIENT_API_VERSION,
  ConnectError,
  MIN_API_VERSION,
  compareApiVersions,
  describeConnectError,
  daemonRequest,
  errorMessage,
  readBody,
  type ConnectProblem,
} from './client.js';
import { selectDaemonEndpoints, type DaemonEndpoint, type DaemonPreference, type EndpointFs } from './endpoints.js';

const PING_TIMEOUT_MS = 5_000;
const LOOKUP_TIMEOUT_MS = 60_000;

/**
 * The image could not be looked up in a daemon: none answered, the socket refused us, the
 * daemon is too old, or it has no such image. `where` and `why` are the short parts the bare-name
 * resolver combines with the registry's answer ("not found in the daemon at X (no such image)").
 */
export class DaemonLookupError extends SourceError {
  /** `the daemon at unix:///run/podman/podman.sock`, or `a daemon` when none answered. */
  readonly where: string;
  /** `no such image`, `none answered: tried …`, `permission denied on …`. */
  readonly why: string;
  constructor(kind: SourceErrorKind, subject: string, reason: string, where: string, why: string, options?: { cause?: unknown }) {
    super(kind, subject, reason, options);
    this.name = 'DaemonLookupError';
    this.where = where;
    this.why = why;
  }
}

/** A daemon that answered `/_ping` with a usable API version. */
export type DaemonConnection = {
  readonly endpoint: DaemonEndpoint;
  /** The negotiated version, used as the `/v1.xx/` path prefix. */
  readonly apiVersion: string;
  /** `Podman 4.3.1`, `Docker 27.3.1`, or `the daemon` when it does not say. */
  readonly product: string;
};

/** An image a daemon has, found by `/images/{name}/json` but not yet exported. */
export type LocatedDaemonImage = {
  readonly connection: DaemonConnection;
  /** The name as given (tag, name@digest, or image ID). */
  readonly name: string;
  /** How messages name the image (`docker-daemon:app:1`, or the bare argument). */
  readonly label: string;
  readonly id?: string;
  readonly repoTags: readonly string[];
  /** Uncompressed size the daemon reports, when known (progress total). */
  readonly size?: number;
};

export type DaemonLookupOptions = {
  /** How messages name the image; default `docker-daemon:NAME`. */
  readonly label?: string;
  /** Which default sockets come first; default from `settings.forceSource`, else Docker's. */
  readonly prefer?: DaemonPreference;
  /** Reads Docker's config and context files; default: the real file system. */
  readonly fs?: EndpointFs;
};

const realFs: EndpointFs = {
  readFile(file) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/**
 * Names the daemon accepts in a URL path as they are: repository names, tags, digests and
 * image IDs. Anything else (spaces, `..`, `?`) is refused before it reaches a request line.
 */
export function isDaemonImageName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/.test(name) && !name.split('/').some((s) => s === '' || s === '.' || s === '..');
}

function productOf(res: IncomingMessage): string {
  const libpod = res.headers['libpod-api-version'];
  if (typeof libpod === 'string' && libpod !== '') return `Podman ${libpod}`;
  const server = res.headers.server;
  const m = typeof server === 'string' ? /^(Docker|Libpod)\/([^\s]+)/.exec(server) : null;
  if (m) return `${m[1] === 'Libpod' ? 'Podman' : 'Docker'} ${m[2]}`;
  return 'the daemon';
}

/** One endpoint that gave no usable daemon, and why. */
export type DaemonAttempt = {
  readonly endpoint: DaemonEndpoint;
  readonly problem: ConnectProblem | { readonly kind: 'too-old'; readonly text: string; readonly version: string; readonly product: string } | { readonly kind: 'not-docker'; readonly text: string };
};

function showEndpoint(ep: DaemonEndpoint): string {
  return ep.origin === 'default' ? ep.url : `${ep.url} (${ep.origin})`;
}

/** Pings one endpoint; returns the connection, or why it is unusable. Rejects with the reason of an aborted `signal`. */
async function tryEndpoint(ep: DaemonEndpoint, signal: AbortSignal | undefined): Promise<DaemonConnection | DaemonAttempt> {
  let res: IncomingMessage;
  try {
    res = await daemonRequest(ep, 'GET', '/_ping', PING_TIMEOUT_MS, signal);
  } catch (e) {
    if (e instanceof ConnectError) return { endpoint: ep, problem: e.problem };
    throw e;
  }
  const body = await readBody(res, INSPECT_CAP).catch(() => Buffer.alloc(0));
  signal?.throwIfAborted();
  if (res.statusCode !== 200) {
    return { endpoint: ep, problem: { kind: 'not-docker', text: `answered HTTP ${res.statusCode} to /_ping (${errorMessage(body) || 'no message'})` } };
  }
  const product = productOf(res);
  let version = typeof res.headers['api-version'] === 'string' ? res.headers['api-version'] : undefined;
  if (!version) {
    // Daemons before API 1.25 do not send API-Version on /_ping; /version has it.
    try {
      const v = await daemonRequest(ep, 'GET', '/version', PING_TIMEOUT_MS, signal);
      const vb = await readBody(v, INSPECT_CAP);
      const parsed = JSON.parse(vb.toString('utf8')) as { ApiVersion?: unknown };
      if (typeof parsed.ApiVersion === 'string') version = parsed.ApiVersion;
    } catch {
      // No version at all: the Docker CLI assumes the oldest supported one; so do we.
    }
    signal?.throwIfAborted();
  }
  version ??= MIN_API_VERSION;
  if (!/^\d+\.\d+$/.test(version)) {
    return { endpoint: ep, problem: { kind: 'not-docker', text: `sent an unreadable API version "${version}"` } };
  }
  if (compareApiVersions(version, MIN_API_VERSION) < 0) {
    return { endpoint: ep, problem: { kind: 'too-old', text: `daemon too old (API ${version})`, version, product } };
  }
  const apiVersion = compareApiVersions(version, CLIENT_API_VERSION) < 0 ? version : CLIENT_API_VERSION;
  return { endpoint: ep, apiVersion, product };
}

/**
 * Finds a daemon that answers (see `selectDaemonEndpoints` for the order). Throws
 * `DaemonLookupError` (kind daemon-unavailable) naming `label` and every endpoint tried.
 */
export async function connectDaemon(settings: SourceSettings, label: string, opts: DaemonLookupOptions = {}): Promise<DaemonConnection> {
  const prefer = opts.prefer ?? (settings.forceSource === 'podman' ? 'podman' : 'docker');
  const selection = selectDaemonEndpoints(settings.env, opts.fs ?? realFs, prefer);
  if (!selection.ok) {
    throw new DaemonLookupError('daemon-unavailable', label, `${selection.reason}`, 'a daemon', selection.reason);
  }
  const attempts: DaemonAttempt[] = [];
  for (const ep of selection.endpoints) {
    settings.onStage?.(`looking for a daemon at ${ep.url}`);
    const r = await tryEndpoint(ep, settings.signal);
    if ('apiVersion' in r) {
      settings.onStage?.(`using ${r.product} at ${showEndpoint(ep)}, API ${r.apiVersion}`);
      return r;
    }
    attempts.push(r);
  }
  throw explainNoDaemon(label, attempts, settings.env);
}

/**
 * The one error for "no endpoint gave a usable daemon", by what matters most to the user:
 * permission denied (and how to fix it), then a daemon too old, then the list of what was tried.
 */
export function explainNoDaemon(
  label: string,
  attempts: readonly DaemonAttempt[],
  env: Readonly<Record<string, string | undefined>>,
): DaemonLookupError {
  const denied = attempts.find((a) => a.problem.kind === 'permission');
  if (denied) {
    const why = `permission denied on ${denied.endpoint.url}`;
    const podmanSock = `unix://${env.XDG_RUNTIME_DIR || '$XDG_RUNTIME_DIR'}/podman/podman.sock`;
    return new DaemonLookupError(
      'permission-denied',
      label,
      `${why}; add your user to the docker group (then log in again), or start rootless Podman's socket (systemctl --user start podman.socket) and set DOCKER_HOST=${podmanSock}`,
      'a daemon',
      why,
    );
  }
  for (const a of attempts) {
    if (a.problem.kind !== 'too-old') continue;
    const { version, product } = a.problem;
    const why = `the daemon at ${a.endpoint.url} is too old (API ${version}, at least ${MIN_API_VERSION} is needed)`;
    return new DaemonLookupError(
      'daemon-unavailable',
      label,
      `daemon too old: ${product} at ${a.endpoint.url} speaks API ${version}, at least ${MIN_API_VERSION} is needed; upgrade Docker or Podman`,
      'a daemon',
      why,
    );
  }
  const tried = attempts.map((a) => `${showEndpoint(a.endpoint)}: ${a.problem.text}`).join('; ');
  return new DaemonLookupError(
    'daemon-unavailable',
    label,
    `no Docker or Podman daemon is running (tried ${tried || 'nothing'}); start one or set DOCKER_HOST, or pull from a registry with docker://NAME`,
    'a daemon',
    `none answered; tried ${tried || 'nothing'}`,
  );
}

/**
 * Looks `name` up in the first daemon that answers, with `GET /images/{name}/json`. Throws
 * `DaemonLookupError`: daemon-unavailable (no daemon, permission denied, daemon too old) or
 * not-found (the daemon has no such image).
 */
export async function locateDaemonImage(name: string, settings: SourceSettings, opts: DaemonLookupOptions = {}): Promise<LocatedDaemonImage> {
  const label = opts.label ?? `docker-daemon:${name}`;
  if (!isDaemonImageName(name)) {
    throw new DaemonLookupError('not-found', label, `"${name}" is not an image name or ID`, 'a daemon', 'not an image name');
  }
  const connection = await connectDaemon(settings, label, opts);
  const { endpoint, apiVersion, product } = connection;
  const where = `the daemon at ${endpoint.url}`;
  let res: IncomingMessage;
  try {
    res = await daemonRequest(endpoint, 'GET', `/v${apiVersion}/images/${name}/json`, LOOKUP_TIMEOUT_MS, settings.signal);
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    throw new DaemonLookupError('daemon-unavailable', label, `lost ${product} at ${endpoint.url} (${e.problem.text})`, where, e.problem.text, { cause: e });
  }
  const body = await readBody(res, INSPECT_CAP).catch((e: Error) => {
    settings.signal?.throwIfAborted();
    throw new DaemonLookupError('daemon-unavailable', label, `${product} at ${endpoint.url}: ${e.message}`, where, e.message, { cause: e });
  });
  if (res.statusCode === 404) {
    throw new DaemonLookupError(
      'not-found',
      label,
      `no such image in ${product} at ${endpoint.url}; to pull it from a registry instead, use docker://${name}`,
      where,
      'no such image',
    );
  }
  if (res.statusCode !== 200) {
    const why = `HTTP ${res.statusCode}: ${errorMessage(body)}`;
    throw new DaemonLookupError('daemon-unavailable', label, `${product} at ${endpoint.url} answered ${why}`, where, why);
  }
  let info: { Id?: unknown; RepoTags?: unknown; Size?: unknown };
  try {
    info = JSON.parse(body.toString('utf8')) as typeof info;
  } catch (e) {
    throw new SourceError('corrupt', label, `${product} at ${endpoint.url} sent an unreadable image description`, { cause: e });
  }
  return {
    connection,
    name,
    label,
    id: typeof info.Id === 'string' ? info.Id : undefined,
    repoTags: Array.isArray(info.RepoTags) ? info.RepoTags.filter((t): t is string => typeof t === 'string') : [],
    size: typeof info.Size === 'number' && info.Size > 0 ? info.Size : undefined,
  };
}

/**
 * Streams `GET /images/{name}/get` (a docker-save tar) straight into the one-pass archive
 * reader: nothing is written to disk. A file's body, when wanted later, comes from another
 * export (`exportAgain`). Progress goes to `settings.onArchiveProgress` with the
 * image's reported size as the total (an estimate: the export adds tar headers and metadata).
 * An aborted `settings.signal` closes the export's connection at once and rejects with its reason.
 */
export async function openLocatedDaemonImage(image: LocatedDaemonImage, settings: SourceSettings): Promise<OpenedImage> {
  const { connection, name, label } = image;
  const { endpoint, apiVersion, product } = connection;
  settings.onStage?.(`exporting ${name} from ${product} at ${endpoint.url}`);
  const res = await requestExport(image, name, settings.signal);
  // A connection that drops mid-export surfaces as a truncated archive; say what happened.
  let broke: Error | undefined;
  res.on('error', (e) => (broke ??= e));
  let bundle: Bundle;
  try {
    bundle = await openStreamBundle(res, label, settings.onArchiveProgress, image.size, settings.verify !== false, () => exportAgain(image));
  } catch (e) {
    res.destroy();
    settings.signal?.throwIfAborted();
    if (broke) {
      throw new SourceError('daemon-unavailable', label, `the export from ${product} at ${endpoint.url} broke off (${describeConnectError(broke).text})`, { cause: e });
    }
    throw e;
  }
  // An export of one name holds one image; by ID it may carry no tag at all, hence `@0`.
  const ref = image.repoTags.includes(name) ? name : '@0';
  return openDockerArchiveBundle(bundle, ref, `docker-daemon:${name}`, 'docker-daemon');
}

/**
 * `GET /images/{name}/get`: the export (a docker-save tar) as it streams; SourceError when the
 * daemon is lost or refuses, the reason of an aborted `signal` (which also ends the body).
 */
async function requestExport(image: LocatedDaemonImage, name: string, signal?: AbortSignal): Promise<IncomingMessage> {
  const { endpoint, apiVersion, product } = image.connection;
  let res: IncomingMessage;
  try {
    res = await daemonRequest(endpoint, 'GET', `/v${apiVersion}/images/${name}/get`, undefined, signal);
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    throw new SourceError('daemon-unavailable', image.label, `lost ${product} at ${endpoint.url} (${e.problem.text})`, { cause: e });
  }
  if (res.statusCode !== 200) {
    const body = await readBody(res, INSPECT_CAP).catch(() => Buffer.alloc(0));
    signal?.throwIfAborted();
    const kind: SourceErrorKind = res.statusCode === 404 ? 'not-found' : 'daemon-unavailable';
    throw new SourceError(kind, image.label, `${product} at ${endpoint.url} could not export the image (HTTP ${res.statusCode}: ${errorMessage(body)})`);
  }
  return res;
}

/**
 * The same image exported again, for a file's body (the viewer, extraction) after the one-pass
 * read: by its ID when the daemon gave one (a tag may have moved since; layers are addressed by
 * content, so the export by ID holds the same members), else by the name.
 */
function exportAgain(image: LocatedDaemonImage): Promise<IncomingMessage> {
  const id = image.id?.replace(/^sha256:/, '');
  return requestExport(image, id && /^[a-f0-9]{12,64}$/.test(id) ? id : image.name);
}

/**
 * Opens `NAME[:TAG]`, `NAME@DIGEST` or an image ID from a Docker Engine API (Docker or Podman):
 * `DOCKER_HOST`, else the current Docker context, else the default sockets. Throws SourceError:
 * daemon-unavailable (no daemon, permission denied, daemon too old), not-found (no such image),
 * corrupt (a broken export).
 */
export async function openDaemonImage(name: string, settings: SourceSettings): Promise<OpenedImage> {
  const located = await locateDaemonImage(name, settings);
  return openLocatedDaemonImage(located, settings);
}

/** `docker-daemon:NAME[:TAG]`: a Docker Engine API (Docker or Podman), see `openDaemonImage`. */
/** Names the image list may hold, at most: a daemon with more images is cut, never read whole. */
const MAX_LISTED = 2000;

/**
 * The tagged images of the first daemon that answers (`GET /images/json`), `repo:tag` as
 * `open` takes them, at most `MAX_LISTED`; untagged images are left out. Throws as a lookup
 * does when no daemon answers; `settings.signal` bounds the wait.
 */
export async function listDaemonImages(settings: SourceSettings): Promise<readonly string[]> {
  const { endpoint, apiVersion } = await connectDaemon(settings, 'docker-daemon:');
  const res = await daemonRequest(endpoint, 'GET', `/v${apiVersion}/images/json`, LOOKUP_TIMEOUT_MS, settings.signal);
  const body = await readBody(res, INSPECT_CAP);
  if (res.statusCode !== 200) return [];
  const list = JSON.parse(body.toString('utf8')) as unknown;
  if (!Array.isArray(list)) return [];
  const names = new Set<string>();
  for (const img of list) {
    const tags = (img as { RepoTags?: unknown }).RepoTags;
    if (!Array.isArray(tags)) continue;
    for (const t of tags) if (typeof t === 'string' && t !== '<none>:<none>' && isDaemonImageName(t) && names.size < MAX_LISTED) names.add(t);
  }
  return [...names].sort();
}

export const daemonSource: ImageSource<'docker-daemon'> = {
  transport: 'docker-daemon',
  open: (ref, settings) => openDaemonImage(ref.name, settings),
  names: listDaemonImages,
};
