import { describe, expect, it } from 'vitest';
import { chooseChallenge, parseChallenges } from '../../../src/sources/registry/challenge.js';
import { normalizeAuthKey } from '../../../src/sources/registry/credentials.js';

describe('parseChallenges', () => {
  const table: [header: string, expected: ReturnType<typeof parseChallenges>, why: string][] = [
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } }],
      "Docker Hub's challenge",
    ],
    [
      'Bearer realm="https://r/token",service="s",scope="repository:a/b:pull",error="insufficient_scope"',
      [{ scheme: 'bearer', params: { realm: 'https://r/token', service: 's', scope: 'repository:a/b:pull', error: 'insufficient_scope' } }],
      'a 401 on a request carries the scope it wants',
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }], 'Basic with a space in the realm'],
    [
      'Basic realm="a, b", Bearer realm="https://t/x" , service=svc',
      [{ scheme: 'basic', params: { realm: 'a, b' } }, { scheme: 'bearer', params: { realm: 'https://t/x', service: 'svc' } }],
      'two challenges joined by fetch; a comma inside quotes; an unquoted value',
    ],
    ['Bearer realm="with \\"quote\\""', [{ scheme: 'bearer', params: { realm: 'with "quote"' } }], 'escaped quotes'],
    ['', [], 'an empty header'],
  ];
  for (const [header, expected, why] of table) {
    it(why, () => expect(parseChallenges(header)).toEqual(expected));
  }

  it('prefers Bearer over Basic, and gives undefined for other schemes', () => {
    expect(chooseChallenge(parseChallenges('Basic realm="x", Bearer realm="y"'))?.scheme).toBe('bearer');
    expect(chooseChallenge(parseChallenges('Negotiate'))).toBeUndefined();
  });
});

describe('normalizeAuthKey', () => {
  it('reads config.json keys with schemes and paths as hosts, and Docker Hub aliases as docker.io', () => {
    expect(normalizeAuthKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeAuthKey('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeAuthKey('http://127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(normalizeAuthKey('https://Quay.io/v2/')).toBe('quay.io');
    expect(normalizeAuthKey('ghcr.io')).toBe('ghcr.io');
  });
});
