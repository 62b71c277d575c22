import type { Readable } from 'node:stream';
import type { ProgressFn } from '../archive/index.js';
import type { Platform } from '../reference/index.js';

/** Registry client settings, from flags (`--username`, `--password-stdin`, `--ca-cert`, `--insecure`). */
export type RegistrySettings = {
  readonly username?: string;
  /** Never printed or logged, not even with --debug. */
  readonly password?: string;
  /** Extra CA certificate files (PEM), added to the system CAs. */
  readonly caCertFiles: readonly string[];
  /** Allow plain HTTP and unverified TLS for non-loopback registries. */
  readonly insecure: boolean;
};

/**
 * What every transport may need, gathered by the CLI or the library caller (the CLI is the only
 * place that reads argv and env). Progress callbacks are optional.
 */
export type SourceSettings = {
  /** The platform to pick from a multi-platform image; default: the host's, falling back to linux/amd64. */
  readonly platform?: Platform;
  /** dive's `--source`: force where a bare name is looked up. */
  readonly forceSource?: 'docker' | 'podman' | 'docker-archive' | 'registry' | 'containerd';
  /**
   * The containerd namespace (`--namespace`) images are looked up in.
   * @default `CONTAINERD_NAMESPACE` from `env`, else `default`
   */
  readonly namespace?: string;
  readonly registry: RegistrySettings;
  /** Environment (DOCKER_HOST, DOCKER_CONFIG, XDG_RUNTIME_DIR, HOME…), injected for tests. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What `-` reads. */
  readonly stdin?: Readable;
  /** Cancels opening and reading: pending work rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** A short message about what the source is doing now ("resolving", "pulling from …"). */
  readonly onStage?: (message: string) => void;
  /** Bytes of the archive stream consumed (one-pass archives, daemon exports). */
  readonly onArchiveProgress?: ProgressFn;
  /**
   * Check every layer's bytes against its digest, diffID and size. `false` (`--no-verify`)
   * skips the hashing, and then nothing is written to the caches, whose entries are keyed by
   * those IDs. @default true
   */
  readonly verify?: boolean;
  /**
   * Read the package databases (who owns each file, what each layer installed): the lifecycle's
   * business, like `verify`. `false` (`--no-packages`) skips it. @default true
   */
  readonly packages?: boolean;
};

/** Settings for a caller that only reads local files: no registry credentials, the given environment. */
export function localSettings(env: Readonly<Record<string, string | undefined>> = {}): SourceSettings {
  return { registry: { caCertFiles: [], insecure: false }, env };
}
