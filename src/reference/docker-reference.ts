import { UsageError } from '../errors/index.js';

/**
 * A registry image reference, normalized the way Docker and containers/image do it
 * (distribution's `reference.ParseNormalizedNamed`):
 *
 * - no registry host (the first `/`-separated component has no `.` or `:` and is not
 *   `localhost`) means `docker.io`; a single-component name on docker.io gets `library/`;
 * - `index.docker.io` is written `docker.io`;
 * - no tag and no digest means the tag `latest`; with a digest the tag is kept only when given.
 *
 * `domain` is how users and credential stores name the registry; `registryHost` gives the
 * host the API is actually served from.
 */
export type DockerReference = {
  /** `docker.io`, `quay.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path inside the registry: `library/alpine`, `fx/edge`. */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:<64 hex>` (or another `algorithm:encoded`). */
  readonly digest?: string;
};

export const DOCKER_HUB_DOMAIN = 'docker.io';
/** Where Docker Hub's registry API answers (docker.io itself redirects to the website). */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
/** The key `docker login` writes for Docker Hub in `config.json` and credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

// Grammar from distribution/reference (regexp.go).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6 = /^\[[0-9a-fA-F:.]+(?:%[\w.-]+)?\]$/;
const MAX_NAME = 255;

function invalid(input: string, why: string): UsageError {
  return new UsageError(`"docker://${input}" is not a valid image reference: ${why}`, { subject: input, reason: why });
}

function validDomain(domain: string): boolean {
  let host = domain;
  const m = /^(.*?)(?::(\d+))?$/.exec(domain);
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return false;
    host = domain.slice(0, close + 1);
    const rest = domain.slice(close + 1);
    if (rest !== '' && !/^:\d+$/.test(rest)) return false;
    return IPV6.test(host);
  }
  if (!m) return false;
  host = m[1]!;
  if (m[2] !== undefined && Number(m[2]) > 65535) return false;
  return host.split('.').every((c) => HOST_COMPONENT.test(c));
}

/**
 * Parses `NAME[:TAG][@DIGEST]` (the part after `docker://`) into a normalized reference.
 * Throws UsageError naming the input and what is wrong.
 *
 * @example parseDockerReference('alpine') // { domain: 'docker.io', path: 'library/alpine', tag: 'latest' }
 */
export function parseDockerReference(input: string): DockerReference {
  let rest = input;
  if (rest === '') throw invalid(input, 'it is empty');
  if (/\s/.test(rest)) throw invalid(input, 'it contains white space');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, `"${digest}" is not a digest (expected algorithm:hex)`);
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw invalid(input, 'a sha256 digest has 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `"${tag}" is not a valid tag`);
  }
  if (rest === '') throw invalid(input, 'it names no repository');
  let domain: string;
  let path: string;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? rest : rest.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[') || first.toLowerCase() !== first)) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!validDomain(domain)) throw invalid(input, `"${domain}" is not a valid registry host`);
  } else {
    domain = DOCKER_HUB_DOMAIN;
    path = rest;
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB_DOMAIN;
  if (domain === DOCKER_HUB_DOMAIN && !path.includes('/')) path = `library/${path}`;
  for (const c of path.split('/')) {
    if (c !== c.toLowerCase() && PATH_COMPONENT.test(c.toLowerCase())) throw invalid(input, 'repository names must be lowercase');
    if (!PATH_COMPONENT.test(c)) throw invalid(input, `"${path}" is not a valid repository name`);
  }
  if (domain.length + 1 + path.length > MAX_NAME) throw invalid(input, `the name is longer than ${MAX_NAME} characters`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  const ref: { domain: string; path: string; tag?: string; digest?: string } = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The fully qualified form `parseDockerReference` reads back unchanged: `docker.io/library/alpine:latest`. */
export function formatDockerReference(ref: DockerReference): string {
  return `${ref.domain}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The host the registry API is served from: Docker Hub's API lives on `registry-1.docker.io`. */
export function registryHost(ref: DockerReference): string {
  return ref.domain === DOCKER_HUB_DOMAIN ? DOCKER_HUB_REGISTRY : ref.domain;
}

/** What to ask for in `/v2/NAME/manifests/REFERENCE`: the digest when there is one, else the tag. */
export function manifestReference(ref: DockerReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** True for hosts that are this machine: 127.0.0.0/8, ::1 and localhost (with or without a port). */
export function isLoopbackHost(hostWithPort: string): boolean {
  let host = hostWithPort;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.split(':').length === 2) host = host.slice(0, host.indexOf(':'));
  host = host.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}
