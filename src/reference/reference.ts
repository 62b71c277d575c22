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

const PATH_TRANSPORTS = ['docker-archive', 'oci-archive', 'oci'] as const;

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

/**
 * Parses an image argument. `exists` tells whether a path exists (injected so parsing stays
 * pure; the CLI passes `fs.existsSync`). Throws `UsageError` for an empty argument or an empty
 * path or name after a transport.
 */
export function parseReference(arg: string, exists: (p: string) => boolean = () => false): ImageReference {
  if (arg.trim() === '') throw new UsageError('the image argument is empty');
  if (arg.startsWith('docker://')) {
    const name = arg.slice('docker://'.length);
    if (name === '') throw new UsageError(`"${arg}" names no image after docker://`);
    return { transport: 'docker', name };
  }
  if (arg.startsWith('docker-archive://')) {
    const path = arg.slice('docker-archive://'.length);
    if (path === '') throw new UsageError(`"${arg}" names no file after docker-archive://`);
    return { transport: 'docker-archive', path };
  }
  if (arg.startsWith('docker-daemon:')) {
    const name = arg.slice('docker-daemon:'.length);
    if (name === '') throw new UsageError(`"${arg}" names no image after docker-daemon:`);
    return { transport: 'docker-daemon', name };
  }
  if (arg.startsWith('containerd:')) {
    const name = arg.slice('containerd:'.length);
    if (name === '') throw new UsageError(`"${arg}" names no image after containerd:`);
    return { transport: 'containerd', name };
  }
  for (const t of PATH_TRANSPORTS) {
    if (arg.startsWith(`${t}:`)) {
      const rest = arg.slice(t.length + 1);
      if (rest === '') throw new UsageError(`"${arg}" names no path after ${t}:`);
      const { path, ref } = splitPathRef(rest, exists);
      return ref === undefined ? { transport: t, path } : { transport: t, path, ref };
    }
  }
  if (arg === '-') return { transport: 'docker-archive', path: '-' };
  return { transport: 'bare', value: arg };
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
