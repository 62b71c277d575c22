import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/core/index.js';
import { matchDockerfile, type DockerfileVerdict, type ImageSources } from '../../src/provenance/index.js';

/**
 * kaniko is not installed here and cannot be (it runs as its own container image), and the
 * Dockerfile of dive's kaniko fixture is not kept with it: these histories are written by hand in
 * kaniko's form (GoogleContainerTools/kaniko pkg/executor/build.go: `saveLayerToImage` appends a
 * layer with `Author: "kaniko"` and `CreatedBy: command.String()`, the instruction as written;
 * a metadata command takes no snapshot and a command that changed no file adds no layer, so
 * neither has a step). The forms themselves are checked on the real fixture in history-forms.test.ts.
 */
const k = (createdBy: string): HistoryEntry => ({ createdBy, author: 'kaniko', created: '0001-01-01T00:00:00Z', emptyLayer: false });
const BUSYBOX: HistoryEntry[] = [
  { createdBy: '/bin/sh -c #(nop) ADD file:ab8940a9b8a62d2f2c46 in / ', emptyLayer: false },
  { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', emptyLayer: true },
];
const DOCKERFILE = [
  'FROM golang:1.22 AS build', // 1
  'RUN go build -o /app ./cmd/app', // 2
  '', // 3
  'FROM busybox:latest', // 4
  'ENV APP=/usr/local/bin/app', // 5
  'RUN mkdir -p /data && \\', // 6
  '    chown 1000 /data', // 7
  'RUN true', // 8
  'COPY --from=build /app /usr/local/bin/app', // 9
  'USER 1000', // 10
  'CMD ["app"]', // 11
].join('\n');
const HISTORY = [...BUSYBOX, k('RUN mkdir -p /data &&     chown 1000 /data'), k('COPY --from=build /app /usr/local/bin/app')];

const match = (text: string, history: readonly HistoryEntry[]): DockerfileVerdict => matchDockerfile({ text, file: 'Dockerfile' }, history, history.filter((h) => !h.emptyLayer).length);
const sources = (v: DockerfileVerdict): ImageSources => {
  if (v.kind !== 'match') throw new Error(v.reason);
  return v.sources;
};

describe('a kaniko history held against its Dockerfile', () => {
  it('its steps map to their instructions; the metadata and the RUN that changed nothing have no step', () => {
    const v = match(DOCKERFILE, HISTORY);
    expect(v).toMatchObject({ kind: 'match', confidence: 'strong', builder: 'kaniko', stage: { index: 1 }, matched: 2 });
    const s = sources(v);
    expect(s.layers.map((l) => (l.source ? [l.source.line, l.source.endLine] : l.base ? 'base' : null))).toEqual(['base', [6, 7], [9, 9]]);
    expect(s.from).toEqual({ file: 'Dockerfile', line: 4, endLine: 4 });
  });

  it('a kaniko step that no instruction of the stage wrote is a mismatch, not a base layer', () => {
    const extra = [...BUSYBOX, k('RUN apk add curl'), ...HISTORY.slice(2)];
    expect(match(DOCKERFILE, extra)).toMatchObject({ kind: 'mismatch', history: 2 });
    expect(match(DOCKERFILE.replace('chown 1000', 'chown 0'), HISTORY).kind).toBe('mismatch');
  });
});
