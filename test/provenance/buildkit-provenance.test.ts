import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/core/index.js';
import { matchDockerfile, readBuildkitProvenance, resolveImageSources, sourcesFromProvenance, type BuildkitProvenance, type ImageSources } from '../../src/provenance/index.js';

/**
 * BuildKit cannot run here (its daemon, runc and a registry for the attestation), so the
 * provenance below is written by hand in the format BuildKit writes with
 * `--attest type=provenance,mode=max`: the statement and predicate layout of
 * docs/attestations/slsa-definitions.md (SLSA v1 and v0.2), the field names of the Go types in
 * solver/llbsolver/provenance/types (`llbDefinition`, `digestMapping`, `buildkit_metadata` /
 * `https://mobyproject.org/buildkit@v1#metadata`, `source.locations`, `source.infos`, `layers`),
 * LLB ops as solver/pb/json.go marshals them (`{"Op": {"exec": …}}`, the result vertex with an
 * empty `Op`), step ids numbered as AddBuildConfig numbers them (depth first from the result,
 * inputs before the step), one range per instruction line (parser.toRanges), `sourceIndex` 0
 * left out as protobuf JSON leaves zeros out, and `layers` keyed `stepN:output` with the layer
 * chain of each step's result, as the cache exporter collects them.
 */

const DOCKERFILE = [
  'FROM alpine:3.20 AS build', // 1
  'RUN apk add --no-cache gcc musl-dev', // 2
  'COPY hello.c /src/', // 3
  'RUN gcc -static -o /hello /src/hello.c', // 4
  '', // 5
  'FROM alpine:3.20', // 6
  'RUN apk add --no-cache ca-certificates && \\', // 7
  '    rm -rf /var/cache/apk/*', // 8
  'COPY --from=build /hello /usr/local/bin/hello', // 9
  'COPY --link config.json /etc/hello/', // 10
  'CMD ["hello"]', // 11
].join('\n');

const hex = (n: number) => n.toString(16).padStart(64, '0');
const dg = (n: number) => `sha256:${hex(n)}`;
const desc = (n: number, size = 1000) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: dg(n), size });
const ALPINE_LAYER = 0xa1;
const IMAGE_LAYERS = [dg(ALPINE_LAYER), dg(0xe1), dg(0xf1), dg(0x61)];
const MANIFEST = dg(0x3a1f);
const lines = (...ls: number[]) => ({ ranges: ls.map((line) => ({ start: { line }, end: { line } })) });
const platform = { Architecture: 'amd64', OS: 'linux' };
const exec = (cmd: string, inputs: string[]) => ({
  op: { Op: { exec: { meta: { args: ['/bin/sh', '-c', cmd], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/' }, mounts: [{ input: 0, dest: '/', output: 0 }] } }, platform, constraints: {} },
  inputs,
});
const copy = (src: string, dest: string, inputs: string[]) => ({
  op: { Op: { file: { actions: [{ input: 0, secondaryInput: 1, output: 0, Action: { copy: { src, dest, mode: -1, followSymlink: true, dirCopyContents: true, createDestPath: true, allowWildcard: true, allowEmptyWildcard: true } } }] } }, platform, constraints: {} },
  inputs,
});
const local = () => ({ op: { Op: { source: { identifier: 'local://context', attrs: { 'local.followpaths': '["hello.c"]', 'local.sharedkeyhint': 'context' } } }, constraints: {} } });

/** The build of DOCKERFILE; `mergeLocated` is whether the merge of `COPY --link` carries its line (newer frontends) or only the copy beneath it does. */
function parts(opts: { mergeLocated?: boolean; eLocations?: object[] } = {}) {
  const llbDefinition = [
    { id: 'step0', op: { Op: { source: { identifier: `docker-image://docker.io/library/alpine:3.20@${dg(0x5e)}` } }, platform, constraints: {} } },
    { id: 'step1', ...exec('apk add --no-cache ca-certificates &&     rm -rf /var/cache/apk/*', ['step0:0']) },
    { id: 'step2', ...exec('apk add --no-cache gcc musl-dev', ['step0:0']) },
    { id: 'step3', ...local() },
    { id: 'step4', ...copy('/hello.c', '/src/', ['step2:0', 'step3:0']) },
    { id: 'step5', ...exec('gcc -static -o /hello /src/hello.c', ['step4:0']) },
    { id: 'step6', ...copy('/hello', '/usr/local/bin/hello', ['step1:0', 'step5:0']) },
    { id: 'step7', ...local() },
    { id: 'step8', op: { Op: { file: { actions: [{ input: -1, secondaryInput: 0, output: 0, Action: { copy: { src: '/config.json', dest: '/etc/hello/' } } }] } }, platform, constraints: {} }, inputs: ['step7:0'] },
    { id: 'step9', op: { Op: { merge: { inputs: [{ input: 0 }, { input: 1 }] } }, constraints: {} }, inputs: ['step6:0', 'step8:0'] },
    { id: 'step10', op: { Op: {} }, inputs: ['step9:0'] },
  ];
  const locations: Record<string, object> = {
    step0: { locations: [lines(1), lines(6)] }, // one vertex for both FROMs
    step1: { locations: opts.eLocations ?? [lines(7, 8)] },
    step2: { locations: [lines(2)] },
    step3: {},
    step4: { locations: [lines(3)] },
    step5: { locations: [lines(4)] },
    step6: { locations: [lines(9)] },
    step7: {},
    step8: { locations: [lines(10)] },
    ...(opts.mergeLocated === false ? {} : { step9: { locations: [lines(10)] } }),
  };
  const layers = {
    'step0:0': [[desc(ALPINE_LAYER, 3_600_000)]],
    'step1:0': [[desc(ALPINE_LAYER), desc(0xe1)]],
    'step2:0': [[desc(ALPINE_LAYER), desc(0xb1)]],
    'step4:0': [[desc(ALPINE_LAYER), desc(0xb1), desc(0xc1)]],
    'step5:0': [[desc(ALPINE_LAYER), desc(0xb1), desc(0xc1), desc(0xd1)]],
    'step6:0': [[desc(ALPINE_LAYER), desc(0xe1), desc(0xf1)]],
    'step8:0': [[desc(0x61)]], // the --link copy, made on scratch
    'step9:0': [[desc(ALPINE_LAYER), desc(0xe1), desc(0xf1), desc(0x61)]],
  };
  const source = { locations, infos: [{ filename: 'Dockerfile', language: 'Dockerfile', data: Buffer.from(DOCKERFILE).toString('base64') }] };
  const request = { frontend: 'dockerfile.v0', args: { 'build-arg:BUILDKIT_INLINE_CACHE': '1' }, locals: [{ name: 'context' }, { name: 'dockerfile' }] };
  const deps = [{ uri: 'pkg:docker/alpine@3.20?platform=linux%2Famd64', digest: { sha256: hex(0x5e) } }];
  return { llbDefinition, source, layers, request, deps };
}

const subject = [{ name: 'pkg:docker/example/hello@latest?platform=linux%2Famd64', digest: { sha256: MANIFEST.slice(7) } }];

function v1(p = parts()) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v1',
    subject,
    predicate: {
      buildDefinition: {
        buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
        externalParameters: { configSource: { path: 'Dockerfile' }, request: p.request },
        internalParameters: { buildConfig: { llbDefinition: p.llbDefinition, digestMapping: {} }, builderPlatform: 'linux/amd64' },
        resolvedDependencies: p.deps,
      },
      runDetails: {
        builder: { id: '' },
        metadata: {
          invocationID: 'w4x1pwnwq1d9oxyl0q4yy6qeu',
          startedOn: '2026-11-30T09:12:01.28Z',
          finishedOn: '2026-11-30T09:12:19.71Z',
          buildkit_completeness: { request: true, resolvedDependencies: true },
          buildkit_metadata: { source: p.source, layers: p.layers },
        },
      },
    },
  };
}

function v02(p = parts()) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject,
    predicate: {
      builder: { id: '' },
      buildType: 'https://mobyproject.org/buildkit@v1',
      materials: p.deps,
      invocation: { configSource: { entryPoint: 'Dockerfile' }, parameters: p.request, environment: { platform: 'linux/amd64' } },
      buildConfig: { llbDefinition: p.llbDefinition, digestMapping: {} },
      metadata: {
        buildInvocationID: 'w4x1pwnwq1d9oxyl0q4yy6qeu',
        buildStartedOn: '2026-11-30T09:12:01.28Z',
        buildFinishedOn: '2026-11-30T09:12:19.71Z',
        completeness: { parameters: true, environment: true, materials: true },
        reproducible: false,
        'https://mobyproject.org/buildkit@v1#metadata': { source: p.source, layers: p.layers },
      },
    },
  };
}

// The image's history as BuildKit wrote it: alpine's two steps, then the final stage's.
const BK = 'buildkit.dockerfile.v0';
const HISTORY: HistoryEntry[] = [
  { createdBy: 'ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit', comment: BK, emptyLayer: false },
  { createdBy: 'CMD ["/bin/sh"]', comment: BK, emptyLayer: true },
  { createdBy: 'RUN /bin/sh -c apk add --no-cache ca-certificates &&     rm -rf /var/cache/apk/* # buildkit', comment: BK, emptyLayer: false },
  { createdBy: 'COPY /hello /usr/local/bin/hello # buildkit', comment: BK, emptyLayer: false },
  { createdBy: 'COPY config.json /etc/hello/ # buildkit', comment: BK, emptyLayer: false },
  { createdBy: 'CMD ["hello"]', comment: BK, emptyLayer: true },
];

const read = (statement: unknown): BuildkitProvenance => {
  const r = readBuildkitProvenance(statement);
  if (r.kind !== 'ok') throw new Error(r.reason);
  return r.provenance;
};
const place = (statement: unknown, image: Partial<Parameters<typeof sourcesFromProvenance>[1]> = {}): ImageSources => {
  const r = sourcesFromProvenance(read(statement), { layerDigests: IMAGE_LAYERS, history: HISTORY, manifestDigest: MANIFEST, ...image });
  if (r.kind !== 'ok') throw new Error(r.reason);
  return r.sources;
};
const layerLines = (s: ImageSources) => s.layers.map((l) => (l.source ? [l.layer, l.source.line, l.source.endLine] : [l.layer, l.base ? 'base' : null]));

describe('BuildKit provenance (mode=max)', () => {
  it.each([
    ['SLSA v1', v1],
    ['SLSA v0.2', v02],
  ])('%s: each layer maps to the step that made it, the base layers to none', (_name, make) => {
    const s = place(make());
    expect(s.via).toBe('provenance');
    expect(s.file).toBe('Dockerfile');
    expect(layerLines(s)).toEqual([
      [0, 'base'],
      [1, 7, 8], // the RUN's two lines, two ranges
      [2, 9, 9], // COPY --from=build
      [3, 10, 10], // COPY --link (a merge over the copy)
    ]);
    expect(s.layers[1]!.instruction).toBe('RUN apk add --no-cache ca-certificates && rm -rf /var/cache/apk/*');
    expect(s.layers[2]!.stage).toEqual({ index: 1 });
    expect(s.from).toEqual({ file: 'Dockerfile', line: 6, endLine: 6 });
    // history steps: the n-th that made a layer made layer n
    expect(s.steps.map((r) => r?.location.line ?? null)).toEqual([null, null, 7, 9, 10, null]);
    expect(s.layers.map((l) => l.history)).toEqual([0, 2, 3, 4]);
  });

  it('a --link copy whose merge carries no line takes the line of the copy that made the layer', () => {
    expect(layerLines(place(v1(parts({ mergeLocated: false }))))[3]).toEqual([3, 10, 10]);
  });

  it('a step located on two different lines gives its layer no line, and lists both', () => {
    const s = place(v1(parts({ eLocations: [lines(7, 8), lines(2)] })));
    expect(s.layers[1]!.source).toBeNull();
    expect(s.layers[1]!.makers.map((m) => m.location.line)).toEqual([7, 2]);
  });

  it('the recorded Dockerfile names the file unless the user’s has the same text; then the user’s path', () => {
    expect(place(v1(), { dockerfile: { file: 'build/Dockerfile', text: DOCKERFILE } }).layers[1]!.source!.file).toBe('build/Dockerfile');
    // edited since the build: the lines are the built file's, named as the build named it
    expect(place(v1(), { dockerfile: { file: 'build/Dockerfile', text: `${DOCKERFILE}\n# edited\n` } }).layers[1]!.source!.file).toBe('Dockerfile');
  });

  it('provenance wins over a Dockerfile that matches too, and stands where the Dockerfile does not', () => {
    const prov = sourcesFromProvenance(read(v1()), { layerDigests: IMAGE_LAYERS, history: HISTORY });
    const verdict = matchDockerfile({ text: DOCKERFILE, file: 'Dockerfile' }, HISTORY, 4);
    expect(verdict).toMatchObject({ kind: 'match', confidence: 'strong' });
    expect(resolveImageSources({ provenance: prov, dockerfile: { verdict, how: 'found' } })?.via).toBe('provenance');
    const wrong = matchDockerfile({ text: DOCKERFILE.replace('ca-certificates', 'curl'), file: 'Dockerfile' }, HISTORY, 4);
    expect(resolveImageSources({ provenance: prov, dockerfile: { verdict: wrong, how: 'given' } })?.via).toBe('provenance');
    expect(resolveImageSources({ dockerfile: { verdict, how: 'found' } })?.via).toBe('dockerfile');
    expect(resolveImageSources({ provenance: { kind: 'unusable', reason: 'x' }, dockerfile: { verdict: wrong, how: 'given' } })).toBeNull();
  });

  it.each([
    // [what, statement, reason]
    ['mode=min (no locations, no layers)', (() => { const s = v1(); delete (s.predicate.buildDefinition.internalParameters as { buildConfig?: unknown }).buildConfig; s.predicate.runDetails.metadata.buildkit_metadata = {} as never; return s; })(), /mode=min/],
    ['an SBOM', { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document', predicate: {} }, /not a SLSA provenance/],
    ['not an object', 'provenance', /not a SLSA provenance/],
    ['null', null, /not a SLSA provenance/],
    ['layers missing', (() => { const s = v1(); s.predicate.runDetails.metadata.buildkit_metadata = { source: parts().source } as never; return s; })(), /maps no layers/],
  ])('unusable: %s', (_what, statement, reason) => {
    const r = readBuildkitProvenance(statement);
    expect(r.kind).toBe('unusable');
    expect(r.kind === 'unusable' && r.reason).toMatch(reason);
  });

  it.each([
    // [what, image, reason]
    ['a statement about another manifest', { manifestDigest: dg(0xbad) }, /another image/],
    ['an image with other layers', { layerDigests: [dg(ALPINE_LAYER), dg(0xe1), dg(0xf1), dg(0x99)] }, /other layers/],
    ['a legacy docker save without blob digests', { layerDigests: [undefined, undefined, undefined, undefined] }, /no layer digests/],
    ['no layer in common', { layerDigests: [dg(1), dg(2)], manifestDigest: undefined }, /no layer of the image|other layers/],
  ])('not placed on the image: %s', (_what, image, reason) => {
    const r = sourcesFromProvenance(read(v1()), { layerDigests: IMAGE_LAYERS, history: HISTORY, manifestDigest: MANIFEST, ...image });
    expect(r.kind).toBe('unusable');
    expect(r.kind === 'unusable' && r.reason).toMatch(reason);
  });

  it('hostile values are read without throwing: wrong types, negative and huge lines, locations outside the recorded text', () => {
    const p = parts();
    const s = v1(p);
    const meta = s.predicate.runDetails.metadata.buildkit_metadata as { source: { locations: Record<string, unknown> } };
    meta.source.locations.step1 = { locations: [{ ranges: [{ start: { line: -3 }, end: { line: 'x' } }] }] };
    meta.source.locations.step6 = { locations: [{ sourceIndex: 7, ranges: [{ start: { line: 9 }, end: { line: 9 } }] }] };
    meta.source.locations.step9 = { locations: [{ ranges: [{ start: { line: 4000 }, end: { line: 4000 } }] }] }; // no instruction there
    (s.predicate.buildDefinition.internalParameters.buildConfig.llbDefinition as unknown[]).push(null, 7, { id: 12 }, { id: 'step99', inputs: 'x' });
    const out = place(s, { history: undefined });
    expect(out.layers.map((l) => l.source)).toEqual([null, null, null, null]);
    expect(out.steps).toEqual([]);
  });

  it('a build that recorded no Dockerfile text: the lines stand, the instruction and stage are unknown', () => {
    const p = parts();
    const s = v1({ ...p, source: { ...p.source, infos: [{ filename: 'Dockerfile', language: 'Dockerfile' }] as never } });
    const out = place(s);
    expect(layerLines(out)).toEqual([[0, 'base'], [1, 7, 8], [2, 9, 9], [3, 10, 10]]);
    expect(out.layers[1]).toMatchObject({ instruction: null, stage: null });
    expect(out.from).toBeNull();
  });
});
