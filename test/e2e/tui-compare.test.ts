import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';
import { EXAMPLE, inspector, tmuxReady } from '../helpers/tmux.js';

const ready = tmuxReady('the compare prompt session');

// Run beside the example, so its file name completes.
const app = inspector({ name: 'compare', args: [EXAMPLE], cols: 120, rows: 30, cwd: join(ROOT, 'examples'), env: { NO_COLOR: '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
const { keys, text, until } = app;

describe.skipIf(!ready)('the compare prompt of the built binary', () => {
  beforeAll(() => app.start());
  afterAll(() => app.stop());

  it('Tab completes a file name, Enter opens the comparison, Esc goes back to the image', async () => {
    await until((s) => s.includes('changes of L0'), 'the inspector');
    keys('c');
    await until((s) => s.includes('Compare with: ▏'), 'the prompt');
    text('exa');
    keys('Tab');
    await until((s) => s.includes('Compare with: example-image.tar▏'), 'the file name completed');
    keys('Enter');
    let s = await until((x) => x.includes('OLD → NEW') && x.includes('Totals'), 'the comparison');
    expect(s).toContain('Esc goes back to');
    keys('c');
    await until((x) => x.includes('Esc goes back to') && x.includes('where c compares it with another'), 'c says how');
    keys('Escape');
    s = await until((x) => x.includes('L0: changes of L0') && !x.includes('OLD → NEW'), 'back to the image');
    expect(s).toContain('Layer details');
    keys('q');
    expect(await until((x) => x.includes('EXIT:'), 'the exit')).toContain('EXIT:0');
  });
});
