import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureImage, inspector, tmuxReady } from '../helpers/tmux.js';

const FIXTURE = fixtureImage('images', 'edge.docker-archive.tar');
const ready = tmuxReady('the tmux session', FIXTURE);

const app = inspector({ name: 'tui', args: [FIXTURE], cols: 120, rows: 36, env: { NO_COLOR: '' } });
const { keys, text, flag, until } = app;

describe.skipIf(!ready)('the built binary in tmux', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('opens, navigates, filters, toggles, searches, extracts, and quits leaving the terminal clean', async () => {
    await until((s) => s.includes('Layers') && s.includes('Files') && s.includes('changes of L0'), 'the inspector');
    expect(flag('alternate_on')).toBe('1');

    keys('j', 'j', 'j', 'j');
    await until((s) => s.includes('L4: changes of L4'), 'layer 4');
    keys('Tab', 'C-u');
    let s = await until((x) => x.includes('hiding unmodified'), 'unmodified hidden');
    expect(s).toContain('same');
    expect(s).not.toContain('── bin');

    keys('C-f');
    text('data/a');
    keys('Enter');
    s = await until((x) => x.includes('Filter: data/a') && !x.includes('── big.bin'), 'the filter');

    keys('/');
    text('same');
    keys('Enter');
    keys('f');
    s = await until((x) => /File history ─+ \/data\/a\/same/.test(x), 'file history of /data/a/same');
    expect(s).toMatch(/L5 chmod\/chown/);

    keys('C-e');
    await until((x) => x.includes('extracted /data/a/same from L4'), 'extraction report');
    expect(readFileSync(join(app.cwd, 'same'), 'utf8')).toBe('one\n');
    keys('C-e');
    await until((x) => x.includes('Overwrite 1 existing file (same)?'), 'overwrite prompt');
    keys('n');
    await until((x) => !x.includes('Overwrite'), 'prompt dismissed');

    keys('q');
    s = await until((x) => x.includes('EXIT:0'), 'exit');
    expect(s).not.toContain('Layers');
    expect(flag('alternate_on')).toBe('0');
    expect(flag('cursor_flag')).toBe('1'); // cursor visible again
  });
});

describe.skipIf(!ready)('leaving on a signal', () => {
  const sig = inspector({ name: 'tui-sig', args: [FIXTURE], cols: 100, rows: 30, recordPid: true });
  afterAll(() => sig.stop());
  it('SIGTERM restores the terminal and exits 143', async () => {
    sig.start();
    await sig.until((x) => x.includes('Layers'), 'the inspector');
    process.kill(sig.pid(), 'SIGTERM');
    expect(await sig.until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:143');
    expect(sig.flag('alternate_on')).toBe('0');
  });
});
