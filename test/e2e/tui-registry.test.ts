import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTmux, startInspector, type Inspector } from '../helpers/tmux.js';
import { cleanupTemps, fixture, registrySkipReason, skopeoPush, startRegistry, tempDir, type RunningRegistry } from '../helpers/registry-harness.js';

const skip = !hasTmux ? 'tmux is not installed' : registrySkipReason();
if (skip) console.warn(`skipping the inspector on a registry image: ${skip}`);

describe.skipIf(skip !== undefined)('the inspector on an image pulled from a real registry', () => {
  let registry: RunningRegistry | undefined;
  let app: Inspector | undefined;
  beforeAll(async () => {
    registry = await startRegistry({ storageDir: tempDir('tui-registry') });
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${registry.host}/fx/edge:1`);
  }, 120_000);
  afterAll(async () => {
    app?.stop();
    await registry?.stop();
    cleanupTemps();
  });

  it('opens docker://127.0.0.1:PORT/fx/edge:1 with the same figures as the file, and quits cleanly', async () => {
    const ref = `docker://${registry!.host}/fx/edge:1`;
    app = startInspector({ name: 'registry', args: [ref], cols: 160, rows: 40, env: { NO_COLOR: '' }, join: true });
    const { flag, keys, until } = app;
    const s = await until((x) => x.includes('Layers') && x.includes('Files') && x.includes('Image efficiency score'), 'the inspector');
    expect(s).toContain(`Image: ${ref}`);
    // the edge image's figures, as its archive files give them (81.2 %, 1.6 MB wasted)
    expect(s).toMatch(/Image efficiency score: 81\.2 %/);
    expect(s).toMatch(/Potential wasted space: 1\.6 MB/);
    expect(s).toContain('/data/big.bin');
    keys('q');
    const after = await until((x) => x.includes('EXIT:'), 'the exit');
    expect(after).toContain('EXIT:0');
    expect(flag('alternate_on')).toBe('0');
  });
});
