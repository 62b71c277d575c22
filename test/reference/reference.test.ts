import { describe, expect, it } from 'vitest';
import { formatReference, parseReference, type ImageReference } from '../../src/reference/reference.js';

describe('parseReference', () => {
  const exists = (p: string) => p === 'odd:name.tar';
  it.each<[string, ImageReference]>([
    ['docker-archive:img.tar', { transport: 'docker-archive', path: 'img.tar' }],
    // The first colon after the path starts the tag, as in containers/image.
    ['docker-archive:img.tar:app:1', { transport: 'docker-archive', path: 'img.tar', ref: 'app:1' }],
    // ...unless the whole thing is an existing file.
    ['docker-archive:odd:name.tar', { transport: 'docker-archive', path: 'odd:name.tar' }],
    ['docker-archive://img.tar', { transport: 'docker-archive', path: 'img.tar' }],
    ['oci-archive:x.tar:v1', { transport: 'oci-archive', path: 'x.tar', ref: 'v1' }],
    ['oci:./layout', { transport: 'oci', path: './layout' }],
    ['docker-daemon:app:dev', { transport: 'docker-daemon', name: 'app:dev' }],
    ['docker://ghcr.io/org/app:1.2', { transport: 'docker', name: 'ghcr.io/org/app:1.2' }],
    // containerd keeps the whole name, tag and digest included; the source normalizes it.
    ['containerd:fx/multi:1', { transport: 'containerd', name: 'fx/multi:1' }],
    ['containerd:docker.io/library/alpine@sha256:00', { transport: 'containerd', name: 'docker.io/library/alpine@sha256:00' }],
    ['-', { transport: 'docker-archive', path: '-' }],
    ['nginx:latest', { transport: 'bare', value: 'nginx:latest' }],
  ])('%s', (arg, expected) => expect(parseReference(arg, exists)).toEqual(expected));

  it.each(['', 'docker://', 'oci:', 'docker-daemon:', 'containerd:'])('rejects %j with a usage error', (arg) => {
    expect(() => parseReference(arg)).toThrow(/names no|empty/);
  });

  it('round-trips format ∘ parse', () => {
    const samples = ['docker-archive:a.tar', 'docker-archive:a.tar:t:1', 'oci:dir:ref', 'oci-archive:x.tar', 'docker-daemon:n:t', 'containerd:k/a:1', 'docker://r:5000/a/b@sha256:00', 'plain'];
    for (let i = 0; i < 200; i++) {
      const s = samples[i % samples.length]!.replace('a', String.fromCharCode(97 + (i % 26)));
      const r = parseReference(s);
      expect(parseReference(formatReference(r))).toEqual(r);
    }
  });
});
