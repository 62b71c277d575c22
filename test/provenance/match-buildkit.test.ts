import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/core/index.js';
import { matchDockerfile, verdictUsable, type DockerfileVerdict, type ImageSources } from '../../src/provenance/index.js';

/**
 * BuildKit cannot run here (it needs its daemon, runc and a network for its frontend image), so
 * these histories are written by hand in the exact form BuildKit's Dockerfile frontend records
 * (moby/buildkit frontend/dockerfile/dockerfile2llb: `commitToHistory` adds ` # buildkit` to RUN,
 * COPY and ADD and the comment `buildkit.dockerfile.v0` to every step; `runCommandString` writes
 * `|N A=1 B=2` before a RUN's command; ENV, ARG, COPY and WORKDIR are recorded with variables
 * expanded, RUN as written with continuations joined and comment lines dropped; a lone heredoc's
 * body is the command; CMD and ENTRYPOINT are Go's `%q` of the words; ONBUILD records nothing;
 * the exporter marks a step that changed nothing as an empty layer).
 */
const BK = 'buildkit.dockerfile.v0';
const step = (createdBy: string, emptyLayer = false): HistoryEntry => ({ createdBy, comment: BK, emptyLayer });
const meta = (createdBy: string) => step(createdBy, true);

// alpine:3.20 as BuildKit built it: its own history sits below the final stage's.
const ALPINE: HistoryEntry[] = [step('ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit'), meta('CMD ["/bin/sh"]')];

const DOCKERFILE = [
  '# syntax=docker/dockerfile:1', // 1
  'ARG NODE_IMAGE=node:20-alpine', // 2
  'FROM ${NODE_IMAGE} AS build', // 3
  'WORKDIR /src', // 4
  'COPY package.json package-lock.json ./', // 5
  'RUN --mount=type=cache,target=/root/.npm \\', // 6
  '    npm ci', // 7
  'COPY . .', // 8
  'RUN npm run build', // 9
  '', // 10
  'FROM alpine:3.20', // 11
  'ARG APP_HOME=/opt/app', // 12
  'ARG VERSION', // 13
  'ENV APP_HOME=${APP_HOME} \\', // 14
  '    PATH=/opt/app/bin:$PATH', // 15
  'RUN apk add --no-cache tini && \\', // 16
  '    # the index is waste', // 17
  '    rm -rf /var/cache/apk/*', // 18
  'COPY --from=build --chown=node:node /src/dist $APP_HOME/dist', // 19
  'COPY <<EOF ${APP_HOME}/config.json', // 20
  '{"version": "${VERSION}"}', // 21
  'EOF', // 22
  'RUN <<EOT', // 23
  'set -e', // 24
  'echo "$VERSION" > /etc/app-version', // 25
  'EOT', // 26
  'RUN cat <<A > /a.txt && cat <<B > /b.txt', // 27
  'aaa', // 28
  'A', // 29
  'bbb', // 30
  'B', // 31
  'WORKDIR /opt/app/run', // 32
  'ONBUILD RUN echo child', // 33
  'USER 1000', // 34
  'EXPOSE 8080', // 35
  'ENTRYPOINT ["/sbin/tini", "--"]', // 36
  'CMD ["node", "dist/index.js"]', // 37
].join('\n');

// `docker buildx build --build-arg VERSION=1.4.2 .`, the final stage's steps.
const ARGS = '|2 APP_HOME=/opt/app VERSION=1.4.2';
const FINAL: HistoryEntry[] = [
  meta('ARG APP_HOME=/opt/app'),
  meta('ARG VERSION=1.4.2'),
  meta('ENV APP_HOME=/opt/app PATH=/opt/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
  step(`RUN ${ARGS} /bin/sh -c apk add --no-cache tini &&     rm -rf /var/cache/apk/* # buildkit`),
  step('COPY --chown=node:node /src/dist /opt/app/dist # buildkit'),
  step('COPY <<EOF /opt/app/config.json # buildkit'),
  step(`RUN ${ARGS} /bin/sh -c set -e\necho "$VERSION" > /etc/app-version\n # buildkit`),
  step(`RUN ${ARGS} /bin/sh -c cat <<A > /a.txt && cat <<B > /b.txt\naaa\nA\nbbb\nB # buildkit`),
  step('WORKDIR /opt/app/run'),
  meta('USER 1000'),
  meta('EXPOSE [8080/tcp]'),
  meta('ENTRYPOINT ["/sbin/tini" "--"]'),
  meta('CMD ["node" "dist/index.js"]'),
];
const HISTORY = [...ALPINE, ...FINAL];
const LAYERS = HISTORY.filter((h) => !h.emptyLayer).length;

const match = (text: string, history: readonly HistoryEntry[] = HISTORY, extra: { target?: string } = {}) =>
  matchDockerfile({ text, file: 'docker/Dockerfile', ...extra }, history, history.filter((h) => !h.emptyLayer).length);
const sources = (v: DockerfileVerdict): ImageSources => {
  if (v.kind !== 'match') throw new Error(`no match: ${v.reason}`);
  return v.sources;
};
const lines = (s: ImageSources) => s.layers.map((l) => (l.source ? [l.layer, l.source.line, l.source.endLine] : [l.layer, l.base ? 'base' : null]));

describe('a BuildKit history held against its Dockerfile', () => {
  it('every layer of the final stage maps to its lines: continuation, COPY --from, both heredoc forms, a WORKDIR that made a directory', () => {
    const v = match(DOCKERFILE);
    expect(v).toMatchObject({ kind: 'match', confidence: 'strong', builder: 'buildkit', stage: { index: 1 } });
    const s = sources(v);
    expect(s.file).toBe('docker/Dockerfile');
    expect(s.from).toEqual({ file: 'docker/Dockerfile', line: 11, endLine: 11 });
    expect(lines(s)).toEqual([
      [0, 'base'],
      [1, 16, 18], // RUN with a comment line inside its continuation
      [2, 19, 19], // COPY --from=build, `$APP_HOME` expanded by BuildKit
      [3, 20, 22], // COPY of a heredoc
      [4, 23, 26], // RUN of a lone heredoc (its body is the command)
      [5, 27, 31], // RUN with two heredocs handed to the shell
      [6, 32, 32], // WORKDIR
    ]);
    expect(s.layers[1]!.instruction).toBe('RUN apk add --no-cache tini && rm -rf /var/cache/apk/*');
    expect(s.layers[4]!.instruction).toBe('RUN <<EOT');
    expect(s.layers[2]!.stage).toEqual({ index: 1 });
  });

  it('metadata steps map to their lines; ONBUILD, which BuildKit does not record, is skipped; the base steps map to none', () => {
    const s = sources(match(DOCKERFILE));
    expect(s.steps.map((r) => r?.location.line ?? null)).toEqual([null, null, 12, 13, 14, 16, 19, 20, 23, 27, 32, 34, 35, 36, 37]);
    expect(s.steps[4]!.location).toEqual({ file: 'docker/Dockerfile', line: 14, endLine: 15 });
  });

  it('the ARG and ENV values come from the history: a COPY under another value does not match', () => {
    // The image was built with APP_HOME=/srv (an override the user did not pass us): the ARG step says so.
    const moved = (c: string) => c.replaceAll('APP_HOME=/opt/app', 'APP_HOME=/srv').replace('/opt/app/dist', '/srv/dist').replace('/opt/app/config.json', '/srv/config.json');
    const other = HISTORY.map((h) => ({ ...h, createdBy: moved(h.createdBy!) }));
    expect(other[6]!.createdBy).toBe('COPY --chown=node:node /src/dist /srv/dist # buildkit');
    const s = sources(match(DOCKERFILE, other));
    expect(lines(s)[2]).toEqual([2, 19, 19]);
    // …and a COPY whose destination disagrees with the values recorded is a mismatch
    const wrong = HISTORY.map((h, i) => (i === 6 ? step('COPY --chown=node:node /src/dist /elsewhere/dist # buildkit') : h));
    expect(match(DOCKERFILE, wrong)).toMatchObject({ kind: 'mismatch', line: 19, history: 6 });
  });

  it('a stage built with --target is found without being told, and with being told', () => {
    // node:20-alpine's own history (BuildKit), then the build stage's steps
    const history = [
      step('ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit'),
      meta('CMD ["/bin/sh"]'),
      meta('ENV NODE_VERSION=20.18.0'),
      step('RUN /bin/sh -c addgroup -g 1000 node # buildkit'),
      step('WORKDIR /src'),
      step('COPY package.json package-lock.json ./ # buildkit'),
      step('RUN /bin/sh -c npm ci # buildkit'), // flags are not recorded
      step('COPY . . # buildkit'),
      step('RUN /bin/sh -c npm run build # buildkit'),
    ];
    for (const v of [match(DOCKERFILE, history), match(DOCKERFILE, history, { target: 'build' })]) {
      expect(v).toMatchObject({ kind: 'match', confidence: 'strong', stage: { index: 0, name: 'build' } });
      const s = sources(v);
      expect(s.from).toEqual({ file: 'docker/Dockerfile', line: 3, endLine: 3 });
      expect(lines(s)).toEqual([[0, 'base'], [1, 'base'], [2, 4, 4], [3, 5, 5], [4, 6, 7], [5, 8, 8], [6, 9, 9]]);
    }
    expect(match(DOCKERFILE, history, { target: 'nope' })).toMatchObject({ kind: 'mismatch', reason: 'no stage named nope' });
  });

  it('exec form, SHELL, a shebang heredoc, and a RUN that changed nothing (an empty layer BuildKit does not ship)', () => {
    const text = [
      'FROM alpine:3.20', // 1
      'RUN ["apk", "add", "--no-cache", "bash"]', // 2
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', // 3
      'RUN true', // 4
      'RUN wget -qO- https://example.invalid/x | tar -x', // 5
      'RUN <<EOT', // 6
      '#!/bin/sh', // 7
      'echo hi > /hi', // 8
      'EOT', // 9
    ].join('\n');
    const history = [
      ...ALPINE,
      step('RUN apk add --no-cache bash # buildkit'),
      meta('SHELL [/bin/bash -o pipefail -c]'),
      { ...step('RUN /bin/bash -o pipefail -c true # buildkit'), emptyLayer: true },
      step('RUN /bin/bash -o pipefail -c wget -qO- https://example.invalid/x | tar -x # buildkit'),
      step('RUN /bin/bash -o pipefail -c /dev/pipes/EOT # buildkit'),
    ];
    const s = sources(match(text, history));
    expect(lines(s)).toEqual([[0, 'base'], [1, 2, 2], [2, 5, 5], [3, 6, 9]]);
    expect(s.steps[4]!.location.line).toBe(4); // the empty RUN is still that line's step
  });

  it('a changed line, a missing step or an extra one is a mismatch that names the line and the step', () => {
    expect(match(DOCKERFILE.replace('apk add --no-cache tini', 'apk add tini'))).toMatchObject({ kind: 'mismatch', line: 16, history: 5 });
    expect(match(DOCKERFILE.replace('USER 1000', 'LABEL a=b'))).toMatchObject({ kind: 'mismatch', line: 34 });
    const extra = [...ALPINE, ...FINAL.slice(0, 3), step('RUN /bin/sh -c echo sneaked in # buildkit'), ...FINAL.slice(3)];
    expect(match(DOCKERFILE, extra).kind).toBe('mismatch');
    expect(match(DOCKERFILE, FINAL.slice(5)).kind).toBe('mismatch'); // fewer steps than instructions
  });

  it('steps the final stage cannot have written: another builder’s, a history that disagrees with the layers, no history', () => {
    const classic = [...ALPINE, ...FINAL.slice(0, -1), { createdBy: '/bin/sh -c #(nop)  CMD ["node" "dist/index.js"]', emptyLayer: true }];
    expect(match(DOCKERFILE, classic).kind).toBe('mismatch');
    expect(matchDockerfile({ text: DOCKERFILE, file: 'Dockerfile' }, HISTORY, LAYERS + 1)).toMatchObject({ kind: 'mismatch', reason: `the history records ${LAYERS} layers, the image has ${LAYERS + 1}` });
    expect(matchDockerfile({ text: DOCKERFILE, file: 'Dockerfile' }, [], 0)).toMatchObject({ kind: 'mismatch', reason: 'the image has no history' });
    expect(matchDockerfile({ text: 'not a dockerfile\n', file: 'Dockerfile' }, HISTORY, LAYERS)).toMatchObject({ kind: 'mismatch', reason: 'no FROM instruction' });
  });

  it('the verdict: only keywords agreeing is weak, good for a file the user named, not for one found lying about', () => {
    const text = 'FROM alpine:3.20\nCOPY . /app\nCMD ["/app/run"]\n';
    const history = [...ALPINE, step('COPY . /elsewhere # buildkit'), meta('CMD ["/app/run"]')];
    expect(match(text, history).kind).toBe('mismatch'); // BuildKit records the sources and destination: they must agree
    const classic: HistoryEntry[] = [
      { createdBy: '/bin/sh -c #(nop) ADD file:ab12 in / ', emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop) COPY dir:cd34 in /app ', emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/app/run"]', emptyLayer: true },
    ];
    const weak = match(text, classic);
    expect(weak).toMatchObject({ kind: 'match', confidence: 'weak', textual: 0, matched: 2 });
    expect(verdictUsable(weak, 'given')).toBe(true);
    expect(verdictUsable(weak, 'found')).toBe(false);
    const strong = match(DOCKERFILE);
    expect(verdictUsable(strong, 'found')).toBe(true);
    // A FROM alone matches any image, weakly, with every layer the base's
    const bare = match('FROM alpine:3.20\n');
    expect(bare).toMatchObject({ kind: 'match', confidence: 'weak', matched: 0 });
    expect(sources(bare).layers.every((l) => l.base)).toBe(true);
  });

  it('hostile text: a long history entry and a Dockerfile of odd bytes end quickly, with no match', () => {
    const t0 = performance.now();
    const long = [...ALPINE, step(`COPY ${'a '.repeat(200_000)}/x # buildkit`)];
    expect(match('FROM alpine\nARG X\nCOPY $X$X$X$X$X$X$X$X$X$X /x\n', long).kind).toBe('mismatch');
    expect(match('\u0000FROM\u202e x\nRUN \\\n\\\n\\', HISTORY).kind).toBe('mismatch');
    // 3000 stages, each FROM the one before
    const chained = ['FROM alpine AS s0', ...Array.from({ length: 3000 }, (_, i) => `FROM s${i} AS s${i + 1}\nRUN echo ${i}`)].join('\n');
    expect(match(chained).kind).toBe('mismatch');
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('hostile text: 10 000 stages of one name are not each held against the history', () => {
    // Trying every stage took 19 s here; a few are tried, in well under a second.
    const sameName = ['FROM alpine AS x', ...Array.from({ length: 10_000 }, (_, i) => `FROM x AS x\nRUN echo ${i}`)].join('\n');
    const t0 = performance.now();
    expect(match(sameName).kind).toBe('mismatch');
    expect(performance.now() - t0).toBeLessThan(4000);
  });
});
