import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, tmpDir } from './image-files.js';

export const BIN = path.join(ROOT, 'dist', 'cli.js');

/** One throwaway cache directory for the whole run, so tests never write to the user's cache. */
const CACHE_HOME = tmpDir('inspect-tui-cache-');

/** Runs the built binary (npm test builds it first) and returns its exit code and output. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; input?: Buffer | string } = {}) {
  const env = { ...process.env, XDG_CACHE_HOME: CACHE_HOME, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete (env as Record<string, string | undefined>)[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env, input: opts.input ?? '', maxBuffer: 64 << 20, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}
