import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when a command is installed (answers `--version`). */
export async function has(cmd: string): Promise<boolean> {
  try {
    await run(cmd, ['--version'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Resolves when a child process has exited (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Watches a service the tests started (containerd, podman): keeps the tail of its stderr for
 * error messages, kills it if the test process exits first, and stops it on request (SIGTERM,
 * then SIGKILL after 10 s).
 */
export function superviseService(child: ChildProcess): { readonly stderrTail: () => string; stop(): Promise<void> } {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    stderrTail: () => stderr,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited(child);
        clearTimeout(timer);
      }
    },
  };
}
