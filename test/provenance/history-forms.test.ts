import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/core/index.js';
import { readHistoryStep } from '../../src/provenance/index.js';
import { FIXTURES, NO_FIXTURES } from '../helpers/image-files.js';
import { readImageFacts } from '../helpers/image-history.js';

const BK = 'buildkit.dockerfile.v0';
const entry = (createdBy: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({ createdBy, emptyLayer: false, ...extra });

describe('readHistoryStep: the forms builders write', () => {
  it.each([
    // [what, entry, builder, keyword, body, extra]
    // BuildKit (convert.go: commitToHistory; RUN and COPY/ADD get ` # buildkit`, every step the comment)
    ['BuildKit RUN', entry('RUN /bin/sh -c make install # buildkit', { comment: BK }), 'buildkit', 'RUN', '/bin/sh -c make install', {}],
    ['BuildKit RUN with build arguments', entry('RUN |2 A=1 B=two words /bin/sh -c echo $A # buildkit', { comment: BK }), 'buildkit', 'RUN', '/bin/sh -c echo $A', { buildArgs: [['A', '1'], ['B', 'two words']], prefixed: 'A=1 B=two words /bin/sh -c echo $A' }],
    ['BuildKit RUN in exec form', entry('RUN apk add curl # buildkit', { comment: BK }), 'buildkit', 'RUN', 'apk add curl', {}],
    ['BuildKit COPY (flags it keeps, --from left out)', entry('COPY --chown=1:1 /src/dist /app/dist # buildkit', { comment: BK }), 'buildkit', 'COPY', '--chown=1:1 /src/dist /app/dist', {}],
    ['BuildKit COPY of a heredoc', entry('COPY <<EOF /etc/x.conf # buildkit', { comment: BK }), 'buildkit', 'COPY', '<<EOF /etc/x.conf', {}],
    ['BuildKit ENV (no suffix, the comment tells)', entry('ENV PATH=/app/bin:/usr/bin', { comment: BK, emptyLayer: true }), 'buildkit', 'ENV', 'PATH=/app/bin:/usr/bin', {}],
    ['BuildKit CMD', entry('CMD ["node" "index.js"]', { comment: BK, emptyLayer: true }), 'buildkit', 'CMD', '["node" "index.js"]', {}],
    // classic: Docker's legacy builder and buildah (the edge fixture and the dive fixture hold these)
    ['classic ENV', entry('/bin/sh -c #(nop) ENV APP_HOME=/data', { emptyLayer: true }), 'classic', 'ENV', 'APP_HOME=/data', {}],
    ['classic CMD (two spaces)', entry('/bin/sh -c #(nop)  CMD ["sh"]', { emptyLayer: true }), 'classic', 'CMD', '["sh"]', {}],
    ['classic ADD of a file', entry('/bin/sh -c #(nop) ADD file:97c638749d6b in / '), 'classic', 'ADD', 'file:97c638749d6b in /', { hashedDest: '/' }],
    ['buildah COPY keeps $VAR in the destination', entry('/bin/sh -c #(nop) COPY file:cd12 in $APP/ '), 'classic', 'COPY', 'file:cd12 in $APP/', { hashedDest: '$APP/' }],
    ['classic RUN', entry('/bin/sh -c rm -rf /many'), 'classic', 'RUN', '/bin/sh -c rm -rf /many', {}],
    ['classic RUN with build arguments', entry('|1 VERSION=1.2 /bin/sh -c echo v$VERSION'), 'classic', 'RUN', '/bin/sh -c echo v$VERSION', { buildArgs: [['VERSION', '1.2']] }],
    ['a value with a slash and spaces runs to the shell', entry('|1 P=/a b /bin/sh -c x'), 'classic', 'RUN', '/bin/sh -c x', { buildArgs: [['P', '/a b']] }],
    ['buildah exec form', entry('/bin/sh -c ["/bin/sh", "-c", "echo x"]'), 'classic', 'RUN', '/bin/sh -c ["/bin/sh", "-c", "echo x"]', {}],
    // kaniko: the instruction as written, author kaniko
    ['kaniko RUN', entry('RUN mkdir -p /root/example', { author: 'kaniko' }), 'kaniko', 'RUN', 'mkdir -p /root/example', {}],
    ['kaniko ADD', entry('ADD README.md /somefile.txt', { author: 'kaniko' }), 'kaniko', 'ADD', 'README.md /somefile.txt', {}],
    // what no builder here writes
    ['no created_by', entry(''), 'unknown', '', '', {}],
    ['another tool', entry('bazel build //app:image'), 'unknown', '', '', {}],
    ['a keyword that is none', entry('FROB x # buildkit'), 'buildkit', '', '', {}],
  ])('%s', (_what, e, builder, keyword, body, extra) => {
    const s = readHistoryStep(e);
    expect(s).toMatchObject({ builder, keyword, body, ...extra });
  });
});

describe('readHistoryStep on hostile entries', () => {
  it('a `|N` prefix that claims more pairs than it has, over a long entry, is read in one pass', () => {
    const t0 = performance.now();
    const s = readHistoryStep(entry(`|999999 ${'A=1 '.repeat(200_000)}/bin/sh -c x`));
    expect(s).toMatchObject({ builder: 'classic', keyword: 'RUN' });
    expect(s.buildArgs.length).toBe(200_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe.skipIf(!FIXTURES)(`readHistoryStep on real images ${FIXTURES ? '' : NO_FIXTURES}`, () => {
  it('kaniko (dive’s kaniko fixture): its own steps read as kaniko’s, in the instruction form, the base image’s as classic', async () => {
    const f = await readImageFacts(`docker-archive:${FIXTURES}/dive/test-kaniko-image.tar`);
    const steps = f.history.map(readHistoryStep);
    expect(steps.map((s) => s.builder)).toEqual(['classic', 'classic', ...Array<string>(13).fill('kaniko')]);
    expect(steps[0]).toMatchObject({ keyword: 'ADD', hashedDest: '/' });
    expect(steps[1]).toMatchObject({ keyword: 'CMD', body: '["sh"]' });
    expect(steps[2]).toMatchObject({ keyword: 'ADD', body: 'README.md /somefile.txt' });
    expect(steps.slice(3).every((s) => s.keyword === 'RUN' || s.keyword === 'ADD')).toBe(true);
    // kaniko writes no shell: the body is the command as written
    expect(steps[3]).toMatchObject({ keyword: 'RUN', body: 'mkdir -p /root/example/really/nested' });
  });

  it('Docker’s legacy builder (dive’s 2018 docker save): nop steps, hashed ADDs, RUNs with the shell', async () => {
    const f = await readImageFacts(`docker-archive:${FIXTURES}/dive/test-docker-image.tar`);
    const steps = f.history.map(readHistoryStep);
    expect(steps.every((s) => s.builder === 'classic')).toBe(true);
    expect(steps[2]).toMatchObject({ keyword: 'ADD', hashedDest: '/somefile.txt' });
    expect(steps[11]).toMatchObject({ keyword: 'ADD', hashedDest: '/root/.data/' });
    expect(steps[3]).toMatchObject({ keyword: 'RUN', body: '/bin/sh -c mkdir -p /root/example/really/nested' });
  });
});
