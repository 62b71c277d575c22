import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';
import { EXAMPLE, inspector, tmuxReady } from '../helpers/tmux.js';

const ready = tmuxReady('the tmux findings session');
const app = inspector({ name: 'findings', args: [EXAMPLE], cols: 140, rows: 36, env: { NO_COLOR: '1' }, cwd: ROOT });
const { keys, until } = app;

describe.skipIf(!ready)('the findings panel in tmux', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('e opens the findings, Enter jumps to the blamed layer and path, q quits', async () => {
    await until((s) => s.includes('changes of L0'), 'the inspector');
    keys('e');
    let s = await until((x) => x.includes('Go to the layer and path') && x.includes('reclaimable,'), 'the findings');
    // the example's largest waste: busybox (written by L0) copied to /usr/lib/busybox.bak by L3
    expect(s).toMatch(/duplicated +L0→L3 +\/usr\/lib\/busybox\.bak/);
    expect(s).toMatch(/rewritten +L2→L4 +\/usr\/bin\/app .*chown -R/);
    keys('j', 'j'); // to the chown finding (the third)
    keys('Enter');
    s = await until((x) => x.includes('L4: changes of L4'), 'the blamed layer');
    // the cursor row is the path the finding names
    const cursor = s.split('\n').find((l) => l.includes('── app'));
    expect(cursor).toBeDefined();
    keys('q');
    await until((x) => x.includes('EXIT:0'), 'exit');
  });
});
