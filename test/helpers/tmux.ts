import { execFileSync, spawnSync } from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** Runs a tmux command and returns its output. */
export const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });

/**
 * Helpers bound to one tmux session: read the screen, type keys or literal text, and poll
 * the screen until a predicate holds (bounded, never a fixed sleep).
 *
 * @param join capture wrapped lines joined (`capture-pane -J`).
 */
export function tmuxSession(session: string, opts: { join?: boolean } = {}) {
  const screen = () => tmux('capture-pane', '-t', session, '-p', ...(opts.join ? ['-J'] : []));
  const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
  const text = (s: string) => tmux('send-keys', '-t', session, '-l', s);
  /** Polls the pane until `pred` holds, returning the screen; throws with the screen after `timeoutMs`. */
  async function until(pred: (s: string) => boolean, what: string, timeoutMs = 15000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let s = '';
    while (Date.now() < end) {
      s = screen();
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
  }
  return { tmux, screen, keys, text, until };
}
