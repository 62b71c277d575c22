import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE, inspector, tmuxReady } from '../helpers/tmux.js';

const ready = tmuxReady('the inspector on stdin');

const app = inspector({ name: 'stdin', args: ['-'], stdin: EXAMPLE, cols: 140, rows: 36, env: { NO_COLOR: '' } });
const { keys, until } = app;

describe.skipIf(!ready)('the inspector on an image piped to stdin', () => {
  afterAll(() => app.stop());

  it('reads the image from the pipe and the keys from the terminal', async () => {
    app.start();
    const s = await until((x) => x.includes('L0: changes of L0'), 'the inspector');
    expect(s).toContain('busybox');
    keys('j');
    await until((x) => x.includes('L1: changes of L1'), 'layer 1 after a key from the terminal');
    keys('q');
    expect(await until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});
