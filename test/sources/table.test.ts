import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageReference, Transport } from '../../src/reference/reference.js';
import { SOURCES } from '../../src/sources/table.js';
import { validateSource } from '../helpers/conformance.js';
import { FIXTURES, NO_FIXTURES } from '../helpers/image-files.js';
import { localSettings } from '../helpers/load.js';

const img = (p: string) => path.join(FIXTURES ?? '', 'images', p);

/**
 * The conformance suite over the source table. Local transports run here on the shared
 * fixtures; the registry (`docker`) and the daemon (`docker-daemon`) run the same suite through
 * the same table against a real docker-registry and a real Podman, in their own test files.
 */
const CASES: { readonly [T in Transport]: readonly Extract<ImageReference, { transport: T }>[] | 'real-server' } = {
  'docker-archive': [
    { transport: 'docker-archive', path: img('edge.docker-archive.tar') },
    { transport: 'docker-archive', path: img('edge.docker25-save.tar') },
  ],
  'oci-archive': [
    { transport: 'oci-archive', path: img('edge.oci-archive.tar') },
    { transport: 'oci-archive', path: img('edge.oci-zstd.tar') },
    { transport: 'oci-archive', path: img('multiarch.oci-archive.tar') },
  ],
  oci: [{ transport: 'oci', path: img('edge-oci-layout') }],
  bare: [
    { transport: 'bare', value: img('edge-opaque.oci-archive.tar') },
    { transport: 'bare', value: img('edge-oci-layout') },
  ],
  docker: 'real-server', // test/sources/registry/registry-pull.test.ts
  'docker-daemon': 'real-server', // test/sources/docker-daemon/daemon.test.ts
  containerd: 'real-server', // test/sources/containerd/containerd.test.ts
};

describe('the source table', () => {
  it('has one source per transport, each of its own transport', async () => {
    expect(Object.keys(SOURCES).sort()).toEqual(Object.keys(CASES).sort());
    for (const t of Object.keys(SOURCES) as Transport[]) expect((await SOURCES[t]()).transport).toBe(t);
  });
});

describe.skipIf(!FIXTURES)(`conformance over the table${FIXTURES ? '' : ` (${NO_FIXTURES})`}`, () => {
  const rows: ImageReference[] = [];
  for (const c of Object.values(CASES)) if (c !== 'real-server') rows.push(...(c as readonly ImageReference[]));
  it.each(rows.map((r) => [JSON.stringify(r).replace(FIXTURES ?? '', '…'), r] as const))('%s', async (_name, ref) => {
    const identity = await validateSource(ref, localSettings());
    expect(identity.configDigest).toMatch(/^sha256:/);
  });
});
