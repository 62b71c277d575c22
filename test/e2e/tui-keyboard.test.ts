import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE, inspector, tmuxReady, type Inspector } from '../helpers/tmux.js';

const ready = tmuxReady('the keyboard protocol sessions');

/** Bytes as hex words, for `send-keys -H`: what a terminal would send. */
const hex = (s: string) => [...Buffer.from(s, 'latin1')].map((b) => b.toString(16).padStart(2, '0'));

/** Everything the program wrote to the terminal so far (tmux pipe-pane copies the pane's output). */
function recordOutput(app: Inspector): () => string {
  const file = join(app.cwd, 'output.bin');
  app.tmux('pipe-pane', '-o', '-t', app.session, `cat >> '${file}'`);
  return () => (existsSync(file) ? readFileSync(file, 'latin1') : '');
}

describe.skipIf(!ready)("kitty's keyboard protocol", () => {
  let app: Inspector | undefined;
  afterEach(() => app?.stop());

  it('is asked for on start and popped on the way out (quit and a signal), after the alternate screen is entered and before it is left', async () => {
    for (const leave of ['quit', 'signal'] as const) {
      app = inspector({ name: `kbd-${leave}`, args: [EXAMPLE], cols: 100, rows: 30, recordPid: leave === 'signal', env: { NO_COLOR: '' } });
      app.start();
      // Node takes far longer to load the program than tmux to open the pipe: it sees the first byte.
      const out = recordOutput(app);
      await app.until((s) => s.includes('changes of L0'), 'the inspector');
      if (leave === 'quit') app.keys('q');
      else process.kill(app.pid(), 'SIGTERM');
      await app.until((s) => s.includes('EXIT:'), 'the exit');
      const all = out();
      const push = all.indexOf('\x1b[>1u');
      const pop = all.lastIndexOf('\x1b[<u');
      expect(push, 'pushed').toBeGreaterThan(all.indexOf('\x1b[?1049h'));
      expect(all).toContain('\x1b[?u'); // the query whose answer says the terminal took it
      expect(pop, 'popped').toBeGreaterThan(push);
      expect(pop).toBeLessThan(all.lastIndexOf('\x1b[?1049l'));
      app.stop();
      app = undefined;
    }
  });

  it('where the terminal answers, Enter on a directory opens or closes it and Ctrl+M (CSI 109;5u) toggles modified files', async () => {
    app = inspector({ name: 'kbd-kitty', args: [EXAMPLE], cols: 120, rows: 30, env: { NO_COLOR: '' } });
    app.start();
    await app.until((s) => s.includes('changes of L0'), 'the inspector');
    app.tmux('send-keys', '-t', app.session, '-H', ...hex('\x1b[?1u')); // a kitty terminal's answer to the query
    app.keys('j', 'Tab'); // L1, the tree: /bin first
    await app.until((s) => s.includes('▌Files') && s.includes('L1: changes of L1'), 'the tree of L1');
    app.keys('Enter');
    let s = await app.until((x) => x.includes('─⊕ bin'), 'the directory collapsed by Enter');
    expect(s).not.toContain('hiding modified');
    app.tmux('send-keys', '-t', app.session, '-H', ...hex('\x1b[109;5u'));
    s = await app.until((x) => x.includes('hiding modified'), 'modified files hidden by Ctrl+M');
    expect(s).not.toContain('Enter = Ctrl+M');
    app.keys('q');
    expect(await app.until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });

  it("where it does not (tmux here), Enter is dive's Ctrl+M, and the first time it hides files the status bar says so", async () => {
    app = inspector({ name: 'kbd-legacy', args: [EXAMPLE], cols: 160, rows: 45, env: { NO_COLOR: '' } });
    app.start();
    await app.until((s) => s.includes('changes of L0'), 'the inspector');
    app.keys('j', 'Tab');
    await app.until((s) => s.includes('▌Files') && s.includes('L1: changes of L1'), 'the tree of L1');
    app.keys('Enter');
    const s = await app.until((x) => x.includes('hiding modified'), 'modified files hidden by Enter');
    expect(s).toContain('Enter = Ctrl+M: showing/hiding modified · Space collapses');
    app.keys('q');
    expect(await app.until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});
