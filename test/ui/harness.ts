import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Removes ANSI escape sequences. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
}

/** Trailing blanks cut per line: goldens compare what a user sees, not padding. */
export function screenText(frame: string | undefined): string {
  return stripAnsi(frame ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/**
 * Compares text with `test/golden/<name>.txt`. Goldens are written only when
 * UPDATE_GOLDEN=1 is set; a missing golden is a failure otherwise.
 */
export function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, `${text}\n`);
    return;
  }
  if (!existsSync(file)) throw new Error(`no golden ${name}.txt: run with UPDATE_GOLDEN=1 to create it`);
  expect(text).toBe(readFileSync(file, 'utf8').replace(/\n$/, ''));
}

/** Polls `check` until it returns without throwing, up to `timeoutMs`; then throws its last error. */
export async function waitFor<T>(check: () => T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
