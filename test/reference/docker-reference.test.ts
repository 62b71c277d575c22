import { describe, expect, it } from 'vitest';
import {
  formatDockerReference,
  isLoopbackHost,
  manifestReference,
  parseDockerReference,
  registryHost,
} from '../../src/reference/docker-reference.js';
import { UsageError } from '../../src/errors/index.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseDockerReference', () => {
  const table: [input: string, domain: string, path: string, tag: string | undefined, digest: string | undefined, why: string][] = [
    ['alpine', 'docker.io', 'library/alpine', 'latest', undefined, 'a bare name is an official image on Docker Hub, tag latest'],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', undefined, 'the tag is kept'],
    ['user/app', 'docker.io', 'user/app', 'latest', undefined, 'a user repository gets no library/ prefix'],
    ['docker.io/alpine', 'docker.io', 'library/alpine', 'latest', undefined, 'an explicit docker.io still gets library/'],
    ['index.docker.io/library/alpine:1', 'docker.io', 'library/alpine', '1', undefined, 'index.docker.io is written docker.io'],
    ['quay.io/org/sub/app:v1', 'quay.io', 'org/sub/app', 'v1', undefined, 'a dotted first component is a host; nested paths stay'],
    ['127.0.0.1:5000/fx/edge:1', '127.0.0.1:5000', 'fx/edge', '1', undefined, 'a host with a port; the tag colon comes after the last slash'],
    ['127.0.0.1:5000/fx/edge', '127.0.0.1:5000', 'fx/edge', 'latest', undefined, 'the port colon is not a tag'],
    ['localhost/app', 'localhost', 'app', 'latest', undefined, 'localhost is a host even without a dot or port'],
    ['localhost:5000/app', 'localhost:5000', 'app', 'latest', undefined, 'localhost with a port'],
    ['[::1]:5000/app:x', '[::1]:5000', 'app', 'x', undefined, 'a bracketed IPv6 host'],
    [`alpine@${D}`, 'docker.io', 'library/alpine', undefined, D, 'a digest without a tag gets no default tag'],
    [`alpine:3@${D}`, 'docker.io', 'library/alpine', '3', D, 'tag and digest together: both kept'],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined, 'without a slash, host:port reads as name:tag (as Docker does)'],
    ['a__b/c-d--e/f.g_h', 'docker.io', 'a__b/c-d--e/f.g_h', 'latest', undefined, 'separators allowed inside path components'],
  ];
  for (const [input, domain, path, tag, digest, why] of table) {
    it(`${input}: ${why}`, () => {
      const r = parseDockerReference(input);
      expect(r).toEqual({ domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) });
    });
  }

  const bad: [input: string, message: RegExp, why: string][] = [
    ['', /empty/, 'nothing to pull'],
    ['Alpine', /lowercase/, 'repository names are lowercase'],
    ['quay.io/Org/app', /lowercase/, 'also below a host'],
    ['app:', /not a valid tag/, 'an empty tag'],
    ['app:-x', /not a valid tag/, 'a tag cannot start with a dash'],
    [`app@sha256:${'AB'.repeat(32)}`, /64 lowercase hex/, 'sha256 digests are lowercase hex'],
    ['app@sha256:abc', /not a digest/, 'a short digest'],
    ['a//b', /not a valid repository name/, 'empty path component'],
    ['a/b_/c', /not a valid repository name/, 'a component cannot end in a separator'],
    ['host:99999/app', /not a valid registry host/, 'port out of range'],
    ['my app', /white space/, 'white space'],
    [`x.io/${'a'.repeat(260)}`, /longer than 255/, 'names are capped at 255 characters'],
  ];
  for (const [input, message, why] of bad) {
    it(`rejects "${input.slice(0, 40)}": ${why}`, () => {
      let err: unknown;
      try {
        parseDockerReference(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain(`docker://${input}`);
    });
  }
});

describe('formatDockerReference', () => {
  it('writes the fully qualified form, which parses back to the same reference (round trip)', () => {
    const inputs = [
      'alpine', 'alpine:3.20', 'user/app', 'quay.io/org/sub/app:v1', '127.0.0.1:5000/fx/edge:1', '[::1]:5000/app:x',
      `alpine@${D}`, `alpine:3@${D}`, 'localhost/app', 'index.docker.io/library/alpine:1',
    ];
    for (const input of inputs) {
      const once = parseDockerReference(input);
      const text = formatDockerReference(once);
      expect(parseDockerReference(text), input).toEqual(once);
      expect(formatDockerReference(parseDockerReference(text))).toBe(text);
    }
    expect(formatDockerReference(parseDockerReference('alpine'))).toBe('docker.io/library/alpine:latest');
  });

  it('round-trips generated references (property check over a seeded generator)', () => {
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)]!;
    const comp = () => pick(['a', 'b0', 'x-y', 'p.q', 'm__n', 'z9']) + (rnd(2) ? pick(['', '_1', '-2']) : '');
    for (let i = 0; i < 300; i++) {
      const host = pick(['', 'quay.io/', 'localhost:5000/', '10.0.0.1:443/', 'docker.io/', 'my-reg.example.com/']);
      const path = Array.from({ length: 1 + rnd(3) }, comp).join('/');
      const tag = pick(['', ':v1', ':1.2.3', ':latest', ':A_b-c.d']);
      const digest = rnd(3) === 0 ? `@sha256:${rnd(1e9).toString(16).padStart(64, '0')}` : '';
      const input = `${host}${path}${tag}${digest}`;
      const r = parseDockerReference(input);
      expect(parseDockerReference(formatDockerReference(r)), input).toEqual(r);
    }
  });
});

describe('registry host and manifest reference', () => {
  it('sends Docker Hub requests to registry-1.docker.io and others to their own host', () => {
    expect(registryHost(parseDockerReference('alpine'))).toBe('registry-1.docker.io');
    expect(registryHost(parseDockerReference('127.0.0.1:5000/a'))).toBe('127.0.0.1:5000');
  });
  it('asks for the digest when there is one, else the tag', () => {
    expect(manifestReference(parseDockerReference(`a:1@${D}`))).toBe(D);
    expect(manifestReference(parseDockerReference('a:1'))).toBe('1');
  });
  it('knows loopback hosts', () => {
    const yes = ['127.0.0.1:5000', '127.1.2.3', 'localhost', 'localhost:80', '[::1]:5000', '::1'];
    const no = ['128.0.0.1', '10.0.0.1:5000', 'quay.io', 'localhost.example.com', '[::2]:5000', '127.0.0.256'];
    for (const h of yes) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of no) expect(isLoopbackHost(h), h).toBe(false);
  });
});
