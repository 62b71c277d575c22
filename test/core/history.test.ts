import { describe, expect, it } from 'vitest';
import { cleanCommand, mapHistory } from '../../src/core/index.js';

describe('cleanCommand', () => {
  it.each([
    ['/bin/sh -c #(nop) ADD file:6a3f0c in / ', 'ADD file:6a3f0c in /'],
    ['/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]'],
    ['/bin/sh -c apk add --no-cache curl', 'RUN apk add --no-cache curl'],
    ['RUN /bin/sh -c make install # buildkit', 'RUN make install'],
    ['RUN |2 A=1 B=2 /bin/sh -c echo $A # buildkit', 'RUN echo $A'],
    ['COPY app /app # buildkit', 'COPY app /app'],
    ['', ''],
  ])('%j → %j', (raw, clean) => expect(cleanCommand(raw)).toBe(clean));
});

describe('mapHistory', () => {
  it('maps non-empty steps onto layers in order and keeps empty steps between them', () => {
    const h = mapHistory(
      [
        { createdBy: 'ADD a', emptyLayer: false },
        { createdBy: 'ENV X=1', emptyLayer: true },
        { createdBy: 'RUN b', emptyLayer: false },
        { createdBy: 'CMD c', emptyLayer: true },
      ],
      2,
    );
    expect(h.map((x) => [x.command, x.emptyLayer, x.layer])).toEqual([
      ['ADD a', false, 0],
      ['ENV X=1', true, 0],
      ['RUN b', false, 1],
      ['CMD c', true, 1],
    ]);
  });
});
