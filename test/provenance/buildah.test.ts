import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchDockerfile, readHistoryStep, resolveImageSources, type DockerfileVerdict, type ImageSources } from '../../src/provenance/index.js';
import { BASE_NAME, buildahSkipReason, startBuildah, type Buildah, type BuildResult } from '../helpers/buildah.js';
import { readImageFacts, type ImageFacts } from '../helpers/image-history.js';

/**
 * Images built here with the real `buildah bud` from Containerfiles whose lines are known, read
 * back by the project's own docker-archive reader: each layer of the built stage must map to the
 * exact lines of the instruction that made it, base layers to none.
 */

// Line numbers are part of the fixture: the tests below name them.
const APP = [
  '# A multi-stage build: every line number below is asserted.', // 1
  'ARG BASE=' + BASE_NAME, // 2
  'FROM ${BASE} AS builder', // 3
  'USER 0', // 4
  'ARG GREETING=hello', // 5
  'ENV OUT=/out', // 6
  'RUN mkdir -p $OUT && \\', // 7
  '    # the greeting, from the ARG', // 8
  '    echo "$GREETING" > $OUT/greeting.txt', // 9
  '', // 10
  `FROM ${BASE_NAME}`, // 11
  'USER root', // 12
  'ARG VERSION=1.0', // 13
  'ENV APP=/app \\', // 14
  '    MODE=production', // 15
  'COPY --from=builder /out/greeting.txt $APP/greeting.txt', // 16
  'COPY hello.txt ${APP}/', // 17
  'RUN echo "v$VERSION $MODE" > $APP/version && \\', // 18
  '    dd if=/dev/zero of=$APP/scratch.bin bs=1024 count=256 2>/dev/null', // 19
  'RUN rm $APP/scratch.bin', // 20
  'RUN ["/bin/sh", "-c", "echo exec > /app/exec.txt"]', // 21
  'WORKDIR /app', // 22
  'CMD ["/bin/sh"]', // 23
].join('\n') + '\n';

const CHAIN = [
  `FROM ${BASE_NAME} AS base`, // 1
  'USER 0', // 2
  'RUN mkdir -p /srv && echo base > /srv/base.txt', // 3
  '', // 4
  'FROM base AS final', // 5
  'COPY note.txt /srv/', // 6
  'RUN cat /srv/base.txt /srv/note.txt > /srv/both.txt', // 7
].join('\n') + '\n';

const HEREDOC = [
  `FROM ${BASE_NAME}`, // 1
  'USER 0', // 2
  'RUN <<EOT', // 3
  'mkdir -p /doc', // 4
  'echo heredoc > /doc/a.txt', // 5
  'EOT', // 6
].join('\n') + '\n';

const BASE_LAYERS = 1; // the base image's layers (multiarch.oci-archive.tar, linux/amd64: busybox)
const skip = buildahSkipReason();

type Built = { result: BuildResult; facts?: ImageFacts };

describe.skipIf(skip !== undefined)(`Dockerfile lines of images built by buildah ${skip ?? ''}`, () => {
  let b: Buildah;
  const built: Record<string, Built> = {};
  const timings: string[] = [];

  beforeAll(async () => {
    const s0 = performance.now();
    b = await startBuildah();
    timings.push(`store and base image ${Math.round(performance.now() - s0)} ms`);
    const builds: [string, Record<string, string>, Parameters<Buildah['build']>[2]][] = [
      ['app-layers', { Containerfile: APP, 'hello.txt': 'hello\n' }, { layers: true, buildArgs: { VERSION: '2.5' } }],
      ['app-squashed', { Containerfile: APP, 'hello.txt': 'hello\n' }, {}],
      ['app-builder', { Containerfile: APP, 'hello.txt': 'hello\n' }, { layers: true, target: 'builder' }],
      ['chain', { Containerfile: CHAIN, 'note.txt': 'note\n' }, { layers: true }],
      ['heredoc', { Containerfile: HEREDOC }, { layers: true }],
    ];
    // One build after the other: each one's time is its own on a shared machine.
    for (const [tag, files, opts] of builds) {
      const result = await b.build(tag, files, opts);
      const t0 = performance.now();
      const facts = result.ok ? await readImageFacts(`docker-archive:${await b.push(tag)}`, { paths: tag === 'app-layers' }) : undefined;
      timings.push(`${tag} ${Math.round(result.ms)} ms (push and read ${Math.round(performance.now() - t0)} ms)`);
      built[tag] = { result, facts };
    }
    console.info(`buildah bud: ${timings.join(', ')}`);
  }, 600_000);
  afterAll(() => {
    const t0 = performance.now();
    b?.close();
    console.info(`buildah store removed in ${Math.round(performance.now() - t0)} ms`);
  });

  const facts = (tag: string): ImageFacts => {
    const f = built[tag]?.facts;
    if (!f) throw new Error(`${tag} was not built: ${JSON.stringify(built[tag]?.result)}`);
    return f;
  };
  const match = (tag: string, text: string): DockerfileVerdict => {
    const f = facts(tag);
    return matchDockerfile({ text, file: 'Containerfile' }, f.history, f.layerCount);
  };
  const sourcesOf = (v: DockerfileVerdict): ImageSources => {
    if (v.kind !== 'match') throw new Error(`no match: ${v.reason}`);
    return v.sources;
  };
  const lines = (s: ImageSources) => s.layers.map((l) => (l.source ? [l.layer, l.source.line, l.source.endLine] : [l.layer, l.base ? 'base' : null]));

  it('--layers: each layer of the final stage maps to the lines of its instruction, the base layers to none', () => {
    const v = match('app-layers', APP);
    expect(v).toMatchObject({ kind: 'match', confidence: 'strong', builder: 'classic', stage: { index: 1 } });
    const s = sourcesOf(v);
    expect(s.from).toEqual({ file: 'Containerfile', line: 11, endLine: 11 });
    expect(lines(s)).toEqual([
      ...Array.from({ length: BASE_LAYERS }, (_, i) => [i, 'base']),
      [BASE_LAYERS, 16, 16], // COPY --from=builder
      [BASE_LAYERS + 1, 17, 17], // COPY hello.txt ${APP}/ (buildah records `$APP` unexpanded)
      [BASE_LAYERS + 2, 18, 19], // RUN … dd (a continuation)
      [BASE_LAYERS + 3, 20, 20], // RUN rm
      [BASE_LAYERS + 4, 21, 21], // RUN in exec form (buildah records the JSON)
    ]);
    expect(s.layers[BASE_LAYERS + 2]!.instruction).toBe('RUN echo "v$VERSION $MODE" > $APP/version && dd if=/dev/zero of=$APP/scratch.bin bs=1024 count=256 2>/dev/null');
  });

  it('--layers: the waste is where the lines say: the file written on lines 18-19, deleted on line 20', () => {
    const f = facts('app-layers');
    const s = sourcesOf(match('app-layers', APP));
    const writer = f.paths.findIndex((p) => p.includes('app/scratch.bin'));
    const deleter = f.paths.findIndex((p) => p.includes('app/.wh.scratch.bin'));
    expect(s.layers[writer]!.source).toEqual({ file: 'Containerfile', line: 18, endLine: 19 });
    expect(s.layers[deleter]!.source).toEqual({ file: 'Containerfile', line: 20, endLine: 20 });
  });

  it('--layers: metadata steps map to their lines too, the base image steps to none', () => {
    const f = facts('app-layers');
    const s = sourcesOf(match('app-layers', APP));
    const own = f.history.length - 10;
    expect(s.steps.slice(own).map((r, j) => [readHistoryStep(f.history[own + j]!).keyword, r?.keyword, r?.location.line])).toEqual([
      ['USER', 'USER', 12],
      ['ARG', 'ARG', 13],
      ['ENV', 'ENV', 14],
      ['COPY', 'COPY', 16],
      ['COPY', 'COPY', 17],
      ['RUN', 'RUN', 18],
      ['RUN', 'RUN', 20],
      ['RUN', 'RUN', 21],
      ['WORKDIR', 'WORKDIR', 22],
      ['CMD', 'CMD', 23],
    ]);
    // the RUNs carry the build argument as given: `|1 VERSION=2.5 /bin/sh -c …`
    expect(f.history[own + 5]!.createdBy).toMatch(/^\|1 VERSION=2\.5 \/bin\/sh -c echo/);
    expect(s.steps.slice(0, own).every((r) => r === null)).toBe(true);
  });

  it('without --layers buildah commits the stage as one layer: every instruction that wrote it is listed, none is the line', () => {
    const s = sourcesOf(match('app-squashed', APP));
    const top = s.layers[BASE_LAYERS]!;
    expect(s.layers).toHaveLength(BASE_LAYERS + 1);
    expect(top.source).toBeNull();
    expect(top.makers.map((m) => [m.location.line, m.location.endLine])).toEqual([
      [16, 16],
      [17, 17],
      [18, 19],
      [20, 20],
      [21, 21],
    ]);
    expect(s.layers.slice(0, BASE_LAYERS).every((l) => l.base && l.source === null)).toBe(true);
  });

  it('--target builder: the stage the image is, found without being told, its continuation skipping a comment line', () => {
    const v = match('app-builder', APP);
    expect(v).toMatchObject({ kind: 'match', confidence: 'strong', stage: { index: 0, name: 'builder' } });
    const s = sourcesOf(v);
    expect(s.from).toEqual({ file: 'Containerfile', line: 3, endLine: 3 });
    expect(lines(s).slice(BASE_LAYERS)).toEqual([[BASE_LAYERS, 7, 9]]);
  });

  it('a stage built FROM another stage carries that stage’s lines; the FROM is the final stage’s', () => {
    const s = sourcesOf(match('chain', CHAIN));
    expect(s.from).toEqual({ file: 'Containerfile', line: 5, endLine: 5 });
    expect(lines(s).slice(BASE_LAYERS)).toEqual([
      [BASE_LAYERS, 3, 3],
      [BASE_LAYERS + 1, 6, 6],
      [BASE_LAYERS + 2, 7, 7],
    ]);
    expect(s.layers[BASE_LAYERS]!.stage).toEqual({ index: 0, name: 'base' });
    expect(s.layers[BASE_LAYERS + 2]!.stage).toEqual({ index: 1, name: 'final' });
  });

  it('a Containerfile edited since the build gives no line at all', () => {
    const edited = APP.replace('RUN rm $APP/scratch.bin', 'RUN rm -f $APP/scratch.bin');
    const v = match('app-layers', edited);
    expect(v).toMatchObject({ kind: 'mismatch', line: 20 });
    expect(resolveImageSources({ dockerfile: { verdict: v, how: 'given' } })).toBeNull();
    // …and another build's file does not pass for this one
    expect(match('app-layers', CHAIN).kind).toBe('mismatch');
  });

  it('a heredoc: buildah builds it or refuses it, and a built one maps to its lines', (ctx) => {
    const r = built.heredoc!.result;
    if (!r.ok) {
      // Debian 12's buildah (1.28) reads the heredoc's body as instructions: `Unknown instruction: "MKDIR"`.
      expect(r.stderr).toMatch(/Unknown instruction|heredoc/i);
      ctx.skip();
    }
    const s = sourcesOf(match('heredoc', HEREDOC));
    expect(lines(s).slice(BASE_LAYERS)).toEqual([[BASE_LAYERS, 3, 6]]);
  });
});
