import { existsSync } from 'node:fs';
import { SourceError, UsageError } from '../../errors/index.js';
import { parseDockerReference, archiveFileOf } from '../../reference/index.js';
import { dockerArchiveSource, openDockerArchiveBundle } from '../docker-archive/index.js';
import type { ImageSource, OpenedImage } from '../image-source.js';
import { openArchiveBundle, statOrFail } from '../oci/archive-file.js';
import { ociLayoutSource, openOciLayoutBundle } from '../oci-layout/index.js';
import type { SourceSettings } from '../settings.js';

/**
 * The registry a name refers to, normalized as docker does (`alpine` → docker.io,
 * `ghcr.io/a/b` → ghcr.io). Throws UsageError when the name is no valid image reference.
 */
export function registryDomainOf(name: string): string {
  return parseDockerReference(name).domain;
}

/**
 * Opens an existing path given without a transport: a directory is an OCI layout; a file is
 * sniffed, and read as docker-archive when it has manifest.json, else as an OCI layout tar.
 */
export async function openSniffedPath(path: string, settings: SourceSettings): Promise<OpenedImage> {
  const s = await statOrFail(path);
  if (s.isDirectory()) return ociLayoutSource.open({ transport: 'oci', path }, settings);
  const bundle = await openArchiveBundle(path, settings);
  if (bundle.has('manifest.json')) return openDockerArchiveBundle(bundle, undefined, `docker-archive:${path}`);
  if (bundle.has('index.json')) return openOciLayoutBundle(bundle, { platform: settings.platform, reference: `oci-archive:${path}`, source: 'oci-archive' });
  throw new SourceError('unsupported-format', path, `neither a docker-save archive nor an OCI layout (no manifest.json or index.json)`);
}

/**
 * Resolves an argument without a transport, the way a user expects:
 *
 * 1. an existing file is sniffed (docker-save or OCI tar, compressed or not), an existing
 *    directory is an OCI layout;
 * 2. otherwise it is an image name: the daemon (see `openDaemonImage`), if one answers and has it;
 *    when none answers, containerd (see `locateContainerdImage`), if its socket answers and has it;
 * 3. else the registry (`docker://NAME`).
 *
 * `settings.forceSource` (dive's `--source`) skips the guessing: `docker`/`podman` use only the
 * daemon (Podman's sockets first for `podman`), `registry` only the registry, `containerd` only
 * containerd, `docker-archive` reads the argument as a docker-save file. `settings.onStage` says
 * which source is used, and so does the returned identity's `source`. When neither the daemon
 * (nor containerd) nor the registry has the image, one SourceError says what each answered.
 */
export async function openBare(value: string, settings: SourceSettings): Promise<OpenedImage> {
  if (settings.forceSource === undefined && existsSync(value)) {
    settings.onStage?.(`reading ${value} from disk`);
    return openSniffedPath(value, settings);
  }
  // The network adapters load only when a name has to be looked up.
  const { DaemonLookupError, isDaemonImageName, locateDaemonImage, openLocatedDaemonImage } = await import('../docker-daemon/index.js');
  const { openRegistryImage } = await import('../registry/index.js');
  switch (settings.forceSource) {
    case 'docker-archive':
      return dockerArchiveSource.open({ transport: 'docker-archive', path: value }, settings);
    case 'registry':
      settings.onStage?.(`pulling ${value} from the registry`);
      return openRegistryImage(value, settings);
    case 'docker':
    case 'podman': {
      const located = await locateDaemonImage(value, settings, { label: value, prefer: settings.forceSource });
      return openLocatedDaemonImage(located, settings);
    }
    case 'containerd': {
      const { openContainerdImage } = await import('../containerd/index.js');
      return openContainerdImage(value, settings, { label: value });
    }
    case undefined:
      break;
  }

  if (!isDaemonImageName(value) || /^[./~]/.test(value)) {
    // Looks like a path: asking a daemon or registry would only confuse.
    throw new SourceError('not-found', value, `no such file or directory`);
  }
  const file = archiveFileOf(value);
  if (file !== undefined) {
    // `nope.tar`, `img.tar:v1`: a file by its name, never an image in a daemon or on Docker Hub.
    if (file !== value && existsSync(file)) {
      // The archive is there, and `:TAG` was meant to pick an image from it: say how.
      throw new SourceError('not-found', value, `no such file (to pick ${value.slice(file.length + 1)} from ${file}, write docker-archive:${value} or oci-archive:${value})`);
    }
    throw new SourceError('not-found', value, file === value ? 'no such file' : `no such file ${file}`);
  }
  let host: string;
  try {
    host = registryDomainOf(value);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const why = e.reason;
    throw new SourceError('not-found', value, `no such file or directory, nor a valid image name (${why})`, { cause: e });
  }

  let daemonMiss: InstanceType<typeof DaemonLookupError>;
  try {
    const located = await locateDaemonImage(value, settings, { label: value });
    // Found: from here on a failure is the daemon's export, not a reason to try elsewhere.
    return await openLocatedDaemonImage(located, settings);
  } catch (err) {
    if (!(err instanceof DaemonLookupError)) throw err;
    daemonMiss = err;
  }

  // No Docker or Podman daemon answers (a Kubernetes node, k3s, nerdctl): containerd may have it.
  let containerdMiss = '';
  if (daemonMiss.kind !== 'not-found') {
    const { ContainerdLookupError, locateContainerdImage, openLocatedContainerdImage } = await import('../containerd/index.js');
    let located;
    try {
      located = await locateContainerdImage(value, settings, { label: value });
    } catch (err) {
      if (!(err instanceof ContainerdLookupError)) throw err;
      // No containerd socket at all is not worth a mention; a containerd without the image is.
      if (err.kind !== 'daemon-unavailable') containerdMiss = ` nor in ${err.where} (${err.why})`;
    }
    if (located) return openLocatedContainerdImage(located, settings);
  }

  settings.onStage?.(`not in ${daemonMiss.where} (${daemonMiss.why})${containerdMiss}; pulling ${value} from the registry ${host}`);
  try {
    return await openRegistryImage(value, settings);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    throw new SourceError(err.kind, value, `not found in ${daemonMiss.where} (${daemonMiss.why})${containerdMiss} nor in the registry ${host} (${err.reason})`, { cause: err });
  }
}

/** A bare argument: a file or directory that exists, else the daemon, else the registry (see `openBare`). */
export const bareSource: ImageSource<'bare'> = {
  transport: 'bare',
  open: (ref, settings) => openBare(ref.value, settings),
};
