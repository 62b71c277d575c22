import type { Readable } from 'node:stream';
import type { SourceSettings } from '../sources/settings.js';
import type { Options } from './args.js';

/** Builds the source settings from options and the process's environment. */
export function createSourceSettings(
  opts: Options,
  env: Readonly<Record<string, string | undefined>>,
  stdin: Readable | undefined,
  password: string | undefined,
  hooks: Pick<SourceSettings, 'onStage' | 'onArchiveProgress'> = {},
): SourceSettings {
  return {
    platform: opts.platform,
    forceSource: opts.source,
    namespace: opts.namespace,
    registry: { username: opts.username, password, caCertFiles: opts.caCerts, insecure: opts.insecure },
    env,
    stdin,
    verify: !opts.noVerify,
    packages: !opts.noPackages,
    ...hooks,
  };
}

/** Reads all of a stream as text (for --password-stdin), without the trailing newline. */
export async function readAllText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
