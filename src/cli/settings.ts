import type { Readable } from 'node:stream';
import { createCaches, defaultCacheDir } from '../cache/index.js';
import type { LoadEvent, LoadOptions } from '../load/index.js';
import type { Platform } from '../reference/index.js';
import type { ImageOptions } from './args.js';

/** What the process gives a load beside the options: its environment, stdin, the password read, progress hooks. */
export type LoadContext = {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What the image `-` reads. */
  readonly stdin?: Readable;
  /** The registry password (`--password-stdin`); never printed. */
  readonly password?: string;
  /** Told what the source is doing ("pulling … from the registry"). */
  readonly onStage?: (message: string) => void;
  readonly onEvent?: (event: LoadEvent) => void;
};

/**
 * The one way options become what the load lifecycle takes — source settings (platform,
 * source, namespace, credentials, verification) and the caches — for the CI run, the inspector
 * and both sides of a comparison.
 *
 * @param resultCache false leaves out the cache of finished figures (a run that needs the merged
 *   filesystems, which that cache does not keep); the per-layer cache stays.
 */
export function loadSettings(opts: ImageOptions, ctx: LoadContext, resultCache = true): LoadOptions {
  const caches = opts.noCache ? undefined : createCaches(defaultCacheDir(ctx.env));
  return {
    settings: {
      platform: opts.platform,
      forceSource: opts.source,
      namespace: opts.namespace,
      registry: { username: opts.username, password: ctx.password, caCertFiles: opts.caCerts, insecure: opts.insecure },
      env: ctx.env,
      stdin: ctx.stdin,
      verify: !opts.noVerify,
      packages: !opts.noPackages,
      ...(ctx.onStage ? { onStage: ctx.onStage } : {}),
    },
    caches: caches && !resultCache ? { ...caches, results: undefined } : caches,
    ...(ctx.onEvent ? { onEvent: ctx.onEvent } : {}),
  };
}

/** The same load options with another platform (one side of a comparison); unchanged when `platform` is undefined. */
export function withPlatform(load: LoadOptions, platform: Platform | undefined): LoadOptions {
  return platform ? { ...load, settings: { ...load.settings, platform } } : load;
}

/** Reads all of a stream as text (for --password-stdin), without the trailing newline. */
export async function readAllText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
