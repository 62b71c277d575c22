import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchDockerfile, verdictUsable } from '../../src/provenance/index.js';
import { FIXTURES, NO_FIXTURES } from '../helpers/image-files.js';
import { readImageFacts } from '../helpers/image-history.js';

/**
 * The edge fixture was built by buildah from edge.Containerfile (beside it, FROM scratch): its
 * history, read from each format it is stored in, must map every layer to its line.
 */
describe.skipIf(!FIXTURES)(`the edge fixture against its Containerfile ${FIXTURES ? '' : NO_FIXTURES}`, () => {
  const images = FIXTURES ? path.join(FIXTURES, 'images') : '';
  it.each(['docker-archive:edge.docker-archive.tar', 'oci-archive:edge.oci-archive.tar', 'docker-archive:edge.docker25-save.tar', 'oci:edge-oci-layout'])('%s', async (arg) => {
    const [transport, file] = arg.split(':') as [string, string];
    const f = await readImageFacts(`${transport}:${path.join(images, file)}`);
    const text = readFileSync(path.join(images, 'edge.Containerfile'), 'utf8');
    const v = matchDockerfile({ text, file: 'edge.Containerfile' }, f.history, f.layerCount);
    expect(v).toMatchObject({ kind: 'match', confidence: 'strong', builder: 'classic', stage: { index: 0 } });
    if (!verdictUsable(v, 'found')) throw new Error('not usable as a found Dockerfile');
    const s = v.sources;
    expect(s.from).toEqual({ file: 'edge.Containerfile', line: 1, endLine: 1 });
    // FROM scratch: no base layer; ADD rootfs.tar / on line 2, then one RUN a line from 5 to 15
    expect(s.layers.map((l) => l.source?.line ?? null)).toEqual([2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(s.layers.every((l) => !l.base)).toBe(true);
    // the empty steps: LABEL 3, ENV 4, WORKDIR 16, USER 17, CMD 18
    expect(s.steps.map((r) => r?.location.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(s.layers[7]!.instruction).toContain('directory-level-$i-with-a-long-name');
  });
});
