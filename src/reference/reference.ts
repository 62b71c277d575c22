import { UsageError } from '../errors/index.js';

/**
 * An image argument, parsed. Transport names follow containers/image (skopeo, podman):
 *
 * | form                           | meaning                                        |
 * |--------------------------------|------------------------------------------------|
 * | `docker-archive:PATH[:REF]`    | a `docker save` tarball (`-` reads stdin)      |
 * | `oci-archive:PATH[:REF]`       | a tarball of an OCI image layout               |
 * | `oci:DIR[:REF]`                | an OCI image layout directory                  |
 * | `docker-daemon:NAME[:TAG]`     | a Docker Engine or Podman through the Docker API |
 * | `containerd:NAME[:TAG\|@DIGEST]` | containerd's image store, through its gRPC API |
 * | `docker://NAME[:TAG\|@DIGEST]` | a registry, pulled directly                    |
 *
 * dive's `docker-archive://PATH` is accepted too. Anything without a transport is `bare`: the
 * resolver decides (existing file or directory, else daemon, else registry).
 */
export type ImageReference =
  | { readonly transport: 'docker-archive'; readonly path: string; readonly ref?: string }
  | { readonly transport: 'oci-archive'; readonly path: string; readonly ref?: string }
  | { readonly transport: 'oci'; readonly path: string; readonly ref?: string }
  | { readonly transport: 'docker-daemon'; readonly name: string }
  | { readonly transport: 'containerd'; readonly name: string }
  | { readonly transport: 'docker'; readonly name: string }
  | { readonly transport: 'bare'; readonly value: string };

export type Transport = ImageReference['transport'];

/**
 * One way of writing a transport: the prefix, what follows it (a name, or a path with an optional
 * `:REF`), and the line the help prints for it. `value` says what a shell completion offers
 * after the prefix. Order matters: a longer prefix comes before one it starts with.
 */
export type TransportForm = {
  readonly prefix: string;
  readonly transport: Exclude<Transport, 'bare'>;
  /** `name`: the rest is an image name; `path`: a file path; `path-ref`: a path, then an optional `:REF`. */
  readonly takes: 'name' | 'path' | 'path-ref';
  /** For the help: how the argument is written (`oci:DIR[:REF]`) and what it reads; absent for a form kept for dive only. */
  readonly help?: { readonly form: string; readonly description: string };
  /** What follows the prefix, for a completion. */
  readonly value: 'file' | 'directory' | 'image';
};

/** Every transport prefix an image argument may start with (containers/image's names, and dive's `docker-archive://`). */
export const TRANSPORT_FORMS: readonly TransportForm[] = [
  { prefix: 'docker://', transport: 'docker', takes: 'name', value: 'image', help: { form: 'docker://NAME[:TAG|@DIGEST]', description: 'a registry, pulled directly, no daemon needed' } },
  { prefix: 'docker-archive://', transport: 'docker-archive', takes: 'path', value: 'file' },
  { prefix: 'docker-daemon:', transport: 'docker-daemon', takes: 'name', value: 'image', help: { form: 'docker-daemon:NAME[:TAG]', description: 'a Docker or Podman daemon (DOCKER_HOST, default sockets)' } },
  { prefix: 'containerd:', transport: 'containerd', takes: 'name', value: 'image', help: { form: 'containerd:NAME[:TAG|@DIGEST]', description: "containerd's image store (CONTAINERD_ADDRESS, --namespace)" } },
  { prefix: 'docker-archive:', transport: 'docker-archive', takes: 'path-ref', value: 'file', help: { form: 'docker-archive:PATH[:TAG]', description: 'a docker save tarball (- reads stdin; gzip-wrapped is fine)' } },
  { prefix: 'oci-archive:', transport: 'oci-archive', takes: 'path-ref', value: 'file', help: { form: 'oci-archive:PATH[:REF]', description: 'a tar of an OCI image layout (- reads stdin)' } },
  { prefix: 'oci:', transport: 'oci', takes: 'path-ref', value: 'directory', help: { form: 'oci:DIR[:REF]', description: 'an OCI image layout directory' } },
];

/**
 * Splits `PATH[:REF]`. A path that contains a colon is kept whole when `exists(whole)` says
 * so (a file named `a:b.tar`); otherwise the first colon separates the path from the ref, as
 * containers/image does.
 */
function splitPathRef(rest: string, exists: (p: string) => boolean): { path: string; ref?: string } {
  if (rest === '-' || exists(rest)) return { path: rest };
  const i = rest.indexOf(':');
  if (i <= 0) return { path: rest };
  const ref = rest.slice(i + 1);
  return ref === '' ? { path: rest.slice(0, i) } : { path: rest.slice(0, i), ref };
}

const NAMED_THING: Readonly<Record<TransportForm['takes'], string>> = { name: 'image', path: 'file', 'path-ref': 'path' };

/**
 * Parses an image argument. `exists` tells whether a path exists (injected so parsing stays
 * pure; the CLI passes `fs.existsSync`). Throws `UsageError` for an empty argument or an empty
 * path or name after a transport.
 */
export function parseReference(arg: string, exists: (p: string) => boolean = () => false): ImageReference {
  if (arg.trim() === '') throw new UsageError('the image argument is empty');
  const form = TRANSPORT_FORMS.find((f) => arg.startsWith(f.prefix));
  if (form) {
    const rest = arg.slice(form.prefix.length);
    if (rest === '') throw new UsageError(`"${arg}" names no ${NAMED_THING[form.takes]} after ${form.prefix}`);
    const t = form.transport;
    if (t === 'docker' || t === 'docker-daemon' || t === 'containerd') return { transport: t, name: rest };
    if (form.takes === 'path') return { transport: t, path: rest };
    const { path, ref } = splitPathRef(rest, exists);
    return ref === undefined ? { transport: t, path } : { transport: t, path, ref };
  }
  if (arg === '-') return { transport: 'docker-archive', path: '-' };
  return { transport: 'bare', value: arg };
}

/** True when the image arrives on stdin: `-`, or a file transport's path `-` (`docker-archive:-`, `oci-archive:-:tag`). */
export function readsStdin(ref: ImageReference): boolean {
  return (ref.transport === 'docker-archive' || ref.transport === 'oci-archive') && ref.path === '-';
}

/**
 * The file or directory on disk an image argument reads, as written (relative paths stay
 * relative): the path of `docker-archive:`, `oci-archive:` or `oci:`, or a bare argument that
 * `exists`. Undefined for stdin, a daemon, containerd or a registry.
 */
export function fileOf(ref: ImageReference, exists: (p: string) => boolean): string | undefined {
  switch (ref.transport) {
    case 'docker-archive':
    case 'oci-archive':
    case 'oci':
      return ref.path === '-' ? undefined : ref.path;
    case 'bare':
      return exists(ref.value) ? ref.value : undefined;
    default:
      return undefined;
  }
}

/** The endings of image archive files people name: `img.tar`, `img.tar.gz`, `img.tgz`, `img.oci`. */
const ARCHIVE_ENDING = /\.(?:tar|tar\.gz|tgz|oci)$/i;

/**
 * The file a bare argument names when it can only mean a file: it ends in `.tar`, `.tar.gz`,
 * `.tgz` or `.oci`, optionally followed by `:TAG`, and has no registry host (a first
 * `/`-separated component with a `.` or `:`, or `localhost`) — `nope.tar`, `dist/img.tar:v1`.
 * Such a name is no image a daemon or a registry would have under that name, so it is reported
 * as a missing file rather than looked up there. Returns the file part (without `:TAG`), or
 * undefined for anything else (`localhost:5000/app.tar`, `alpine`).
 */
export function archiveFileOf(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash > 0) {
    const first = value.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return undefined;
  }
  if (ARCHIVE_ENDING.test(value)) return value;
  const colon = value.lastIndexOf(':');
  if (colon > 0 && colon > value.lastIndexOf('/') && ARCHIVE_ENDING.test(value.slice(0, colon))) return value.slice(0, colon);
  return undefined;
}

/**
 * True when the image is pulled from a registry or exported by a daemon, which takes a while
 * and is worth progress lines: `docker://`, `docker-daemon:`, or a bare argument that is no
 * existing path (looked up in the daemons, then the registry) and no archive file name
 * (`archiveFileOf`). False for a file, stdin and `containerd:` (a local content store, read
 * through its socket; its errors stay one line).
 */
export function isRemote(ref: ImageReference, exists: (p: string) => boolean): boolean {
  return ref.transport === 'docker' || ref.transport === 'docker-daemon' || (ref.transport === 'bare' && !exists(ref.value) && archiveFileOf(ref.value) === undefined);
}

/** Formats a reference the way `parseReference` reads it back. */
export function formatReference(ref: ImageReference): string {
  switch (ref.transport) {
    case 'docker':
      return `docker://${ref.name}`;
    case 'docker-daemon':
      return `docker-daemon:${ref.name}`;
    case 'containerd':
      return `containerd:${ref.name}`;
    case 'bare':
      return ref.value;
    default:
      return ref.ref === undefined ? `${ref.transport}:${ref.path}` : `${ref.transport}:${ref.path}:${ref.ref}`;
  }
}
