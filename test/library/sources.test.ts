import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectImage, inspectImageWithSources, toJsonExport } from '../../src/index.js';
import { summarize } from '../../src/core/index.js';
import { FIXTURES, NO_FIXTURES } from '../helpers/image-files.js';

/**
 * The library takes the Dockerfile too, and gives its lines beside the analysis: the fixture
 * image `edge` against the Containerfile it was built from (../shared/fixtures/images), whose
 * every instruction after `FROM scratch` made one layer, in order.
 */
describe.skipIf(FIXTURES === undefined)(`inspectImageWithSources ${FIXTURES === undefined ? NO_FIXTURES : ''}`, () => {
  const image = () => `docker-archive:${path.join(FIXTURES!, 'images', 'edge.docker-archive.tar')}`;
  const text = () => readFileSync(path.join(FIXTURES!, 'images', 'edge.Containerfile'), 'utf8');

  it('locates each layer on its line, and the JSON export carries them', async () => {
    const { analysis, sources, warnings } = await inspectImageWithSources(image(), { cache: false, dockerfile: { text: text(), file: 'images/edge.Containerfile' } });
    expect(warnings).toEqual([]);
    expect(sources?.file).toBe('images/edge.Containerfile');
    // ADD rootfs.tar is line 2; LABEL and ENV make no layer; the RUNs are lines 5 to 14
    expect(sources?.layers.map((l) => l.source?.line)).toEqual([2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const j = toJsonExport(summarize(analysis), undefined, { sources });
    expect(j.layers[1]!.source).toEqual({ file: 'images/edge.Containerfile', line: 5, endLine: 5 });
    expect(j.dockerfile).toMatchObject({ file: 'images/edge.Containerfile', via: 'dockerfile' });
  });

  it('a Dockerfile that does not describe the image: no lines, and why', async () => {
    const r = await inspectImageWithSources(image(), { cache: false, dockerfile: { text: 'FROM scratch\nRUN make\n', file: 'Dockerfile' } });
    expect(r.sources).toBeNull();
    expect(r.warnings).toEqual([expect.stringMatching(/^Dockerfile does not describe this image \(/)]);
    // inspectImage is unchanged: the analysis alone
    expect((await inspectImage(image(), { cache: false })).layers).toHaveLength(r.analysis.layers.length);
  });
});
