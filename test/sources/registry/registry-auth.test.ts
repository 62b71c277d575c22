import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors/index.js';
import { openRegistryImage } from '../../../src/sources/registry/index.js';
import type { SourceSettings } from '../../../src/sources/settings.js';
import {
  bcryptHtpasswdLine,
  cleanupTemps,
  fixture,
  makeCaAndServerCert,
  makeSelfSigned,
  registrySkipReason,
  skopeoPush,
  startRegistry,
  startTokenServer,
  tempDir,
  type RunningRegistry,
  type TokenServer,
} from '../../helpers/registry-harness.js';

const skip = registrySkipReason();
if (skip) console.warn(skip);

const USER = 'alice';
const PASSWORD = 'pw-Xq7-correct-horse-battery';
const WRONG = 'pw-Zz9-wrong-staple-mistake';
const IDENTITY_TOKEN = 'idtok-3f9a8c7e-refresh-only';

type Collected = SourceSettings & { stages: string[] };
function settings(extra: { registry?: Partial<SourceSettings['registry']>; env?: Record<string, string | undefined> } = {}): Collected {
  const stages: string[] = [];
  return {
    registry: { caCertFiles: [], insecure: false, ...extra.registry },
    env: extra.env ?? {},
    onStage: (m) => stages.push(m),
    stages,
  };
}

/** Everything a user could see of an error, even with --debug: message, causes, stack, properties. */
function everything(err: unknown, s: Collected): string {
  return `${inspect(err, { depth: 20, showHidden: true })}\n${JSON.stringify(err)}\n${s.stages.join('\n')}`;
}

async function openAndRead(name: string, s: SourceSettings) {
  const img = await openRegistryImage(name, s);
  try {
    const c = await img.layers[0]!.read();
    return { img, entries: c.entries.length };
  } finally {
    await img.close();
  }
}

function dockerConfig(content: unknown): string {
  const dir = tempDir('docker-config');
  writeFileSync(path.join(dir, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

/** A `docker-credential-NAME` on a private PATH that knows one host and logs what it was asked. */
function fakeHelper(name: string, host: string, answer: { Username: string; Secret: string }): { binDir: string; log: string } {
  const binDir = tempDir('helper-bin');
  const log = path.join(binDir, 'asked.log');
  const script = `#!/bin/sh
[ "$1" = get ] || exit 2
read -r asked
printf '%s\\n' "$asked" >> '${log}'
if [ "$asked" = '${host}' ]; then
  printf '%s' '${JSON.stringify({ ServerURL: host, ...answer })}'
else
  echo 'credentials not found in native keychain'
  exit 1
fi
`;
  const file = path.join(binDir, `docker-credential-${name}`);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return { binDir, log };
}

describe.skipIf(skip !== undefined)('registry authentication and TLS against docker-registry', () => {
  let storage: string;
  let seed: RunningRegistry;

  beforeAll(async () => {
    storage = tempDir('registry-auth-storage');
    seed = await startRegistry({ storageDir: storage });
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${seed.host}/fx/edge:1`);
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${seed.host}/private/edge:1`);
  });
  afterAll(async () => {
    await seed?.stop();
    cleanupTemps();
  });

  describe('htpasswd (Basic)', () => {
    let reg: RunningRegistry;
    beforeAll(async () => {
      const file = path.join(tempDir('htpasswd'), 'htpasswd');
      writeFileSync(file, `${bcryptHtpasswdLine(USER, PASSWORD)}\n`);
      reg = await startRegistry({ storageDir: storage, auth: { kind: 'htpasswd', file } });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('asks for a login when no credentials are known', async () => {
      const s = settings();
      const err = await openRegistryImage(`${reg.host}/fx/edge:1`, s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).kind).toBe('auth-required');
      expect((err as Error).message).toBe(`docker://${reg.host}/fx/edge:1: ${reg.host} requires a login (docker login ${reg.host}, or --username with --password-stdin)`);
    });

    it('pulls with --username and a password', async () => {
      const r = await openAndRead(`${reg.host}/fx/edge:1`, settings({ registry: { username: USER, password: PASSWORD } }));
      expect(r.entries).toBeGreaterThan(0);
    });

    it('refuses a wrong password without ever showing it', async () => {
      const s = settings({ registry: { username: USER, password: WRONG } });
      const err = await openRegistryImage(`${reg.host}/fx/edge:1`, s).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('auth-required');
      expect((err as Error).message).toContain(`docker://${reg.host}/fx/edge:1`);
      expect((err as Error).message).toContain('refused the credentials from --username');
      const all = everything(err, s);
      expect(all).not.toContain(WRONG);
      expect(all).not.toContain(Buffer.from(`${USER}:${WRONG}`).toString('base64'));
    });

    it('reads base64 auth from config.json in DOCKER_CONFIG', async () => {
      const dir = dockerConfig({ auths: { [`http://${reg.host}`]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
      const r = await openAndRead(`${reg.host}/fx/edge:1`, settings({ env: { DOCKER_CONFIG: dir } }));
      expect(r.entries).toBeGreaterThan(0);
    });

    it('reads ~/.docker/config.json through HOME when DOCKER_CONFIG is unset', async () => {
      const home = tempDir('home');
      mkdirSync(path.join(home, '.docker'));
      writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
      const r = await openAndRead(`${reg.host}/fx/edge:1`, settings({ env: { HOME: home } }));
      expect(r.entries).toBeGreaterThan(0);
    });

    it('reads what skopeo login wrote to $XDG_RUNTIME_DIR/containers/auth.json (Podman and skopeo share it)', async () => {
      const runtime = tempDir('xdg-runtime');
      // `--password-stdin` keeps the password off skopeo's command line; the file is skopeo's own.
      const login = spawnSync('skopeo', ['login', '--tls-verify=false', '--username', USER, '--password-stdin', reg.host], {
        env: { ...process.env, XDG_RUNTIME_DIR: runtime, REGISTRY_AUTH_FILE: '' },
        input: PASSWORD,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(login.status, login.stderr).toBe(0);
      expect(readFileSync(path.join(runtime, 'containers', 'auth.json'), 'utf8')).toContain(reg.host);
      const r = await openAndRead(`${reg.host}/fx/edge:1`, settings({ env: { XDG_RUNTIME_DIR: runtime } }));
      expect(r.entries).toBeGreaterThan(0);
      // REGISTRY_AUTH_FILE names the same file anywhere.
      const r2 = await openAndRead(`${reg.host}/fx/edge:1`, settings({ env: { REGISTRY_AUTH_FILE: path.join(runtime, 'containers', 'auth.json') } }));
      expect(r2.entries).toBeGreaterThan(0);
    });

    it('asks a credHelpers helper, with the registry host on stdin', async () => {
      const h = fakeHelper('fxtest', reg.host, { Username: USER, Secret: PASSWORD });
      const dir = dockerConfig({ credHelpers: { [reg.host]: 'fxtest' }, auths: {} });
      const r = await openAndRead(`${reg.host}/fx/edge:1`, settings({ env: { DOCKER_CONFIG: dir, PATH: `${h.binDir}:${process.env.PATH}` } }));
      expect(r.entries).toBeGreaterThan(0);
      expect(readFileSync(h.log, 'utf8')).toBe(`${reg.host}\n`);
    });

    it('uses credsStore, and treats its "not found" as no credentials', async () => {
      const h = fakeHelper('fxstore', 'some-other-host:1', { Username: USER, Secret: PASSWORD });
      const dir = dockerConfig({ credsStore: 'fxstore' });
      const s = settings({ env: { DOCKER_CONFIG: dir, PATH: `${h.binDir}:${process.env.PATH}` } });
      const err = await openRegistryImage(`${reg.host}/fx/edge:1`, s).catch((e: unknown) => e);
      expect((err as Error).message).toContain('requires a login');
      expect(readFileSync(h.log, 'utf8')).toBe(`${reg.host}\n`);
    });

    it('names a missing credential helper', async () => {
      const dir = dockerConfig({ credHelpers: { [reg.host]: 'not-installed-anywhere' } });
      const err = await openRegistryImage(`${reg.host}/fx/edge:1`, settings({ env: { DOCKER_CONFIG: dir, PATH: '/nonexistent' } })).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('auth-required');
      expect((err as Error).message).toBe(`credential helper docker-credential-not-installed-anywhere: configured for ${reg.host}, is not installed (not on PATH)`);
    });

    it('does not quote a broken config.json (it may hold secrets)', async () => {
      const dir = dockerConfig(`{"auths":{"${reg.host}":{"auth":"${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}"}},,}`);
      const s = settings({ env: { DOCKER_CONFIG: dir } });
      const err = await openRegistryImage(`${reg.host}/fx/edge:1`, s).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('corrupt');
      expect((err as Error).message).toBe(`${path.join(dir, 'config.json')}: the Docker config is not valid JSON`);
      expect(everything(err, s)).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    });
  });

  describe('token auth (Bearer) through a token server', () => {
    let reg: RunningRegistry;
    let tokens: TokenServer;
    beforeAll(async () => {
      const signer = makeSelfSigned(tempDir('token-signer'), 'inspect-tui token issuer');
      tokens = await startTokenServer({ ...signer, users: { [USER]: PASSWORD }, identityTokens: { [IDENTITY_TOKEN]: USER }, publicRepos: ['fx/edge'] });
      reg = await startRegistry({
        storageDir: storage,
        auth: { kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: signer.certFile },
      });
    });
    afterAll(async () => {
      await reg?.stop();
      await tokens?.stop();
    });

    it('gets an anonymous token for a public repository', async () => {
      tokens.requests.length = 0;
      const s = settings();
      const r = await openAndRead(`${reg.host}/fx/edge:1`, s);
      expect(r.entries).toBeGreaterThan(0);
      expect(tokens.requests).toEqual([{ method: 'GET', as: 'anonymous', scopes: ['repository:fx/edge:pull'] }]);
      expect(s.stages).toContain(`authenticating with ${new URL(tokens.realm).host}`);
    });

    it('is refused a private repository without credentials', async () => {
      const err = await openRegistryImage(`${reg.host}/private/edge:1`, settings()).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('auth-required');
      expect((err as Error).message).toContain(`docker://${reg.host}/private/edge:1: ${reg.host} requires authentication`);
    });

    it('pulls a private repository with a password', async () => {
      tokens.requests.length = 0;
      const r = await openAndRead(`${reg.host}/private/edge:1`, settings({ registry: { username: USER, password: PASSWORD } }));
      expect(r.entries).toBeGreaterThan(0);
      expect(tokens.requests.map((q) => q.as)).toEqual([USER]);
    });

    it('trades an identity token from config.json for an access token (OAuth2 refresh grant)', async () => {
      tokens.requests.length = 0;
      const dir = dockerConfig({ auths: { [reg.host]: { identitytoken: IDENTITY_TOKEN } } });
      const r = await openAndRead(`${reg.host}/private/edge:1`, settings({ env: { DOCKER_CONFIG: dir } }));
      expect(r.entries).toBeGreaterThan(0);
      expect(tokens.requests).toEqual([{ method: 'POST', as: `identity:${USER}`, scopes: ['repository:private/edge:pull'] }]);
    });

    it('fetches a new token when the registry answers 401 to an expired one', async () => {
      tokens.requests.length = 0;
      tokens.expireNext(1);
      const r = await openAndRead(`${reg.host}/private/edge:1`, settings({ registry: { username: USER, password: PASSWORD } }));
      expect(r.entries).toBeGreaterThan(0);
      expect(tokens.requests.map((q) => q.as)).toEqual([USER, USER]);
    });

    it('reports refused credentials without showing the password, the token or the identity token', async () => {
      const s = settings({ registry: { username: USER, password: WRONG } });
      const err = await openRegistryImage(`${reg.host}/private/edge:1`, s).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('auth-required');
      expect((err as Error).message).toBe(`docker://${reg.host}/private/edge:1: the token service at ${new URL(tokens.realm).host} refused the credentials from --username`);
      expect(everything(err, s)).not.toContain(WRONG);

      const dir = dockerConfig({ auths: { [reg.host]: { identitytoken: 'idtok-unknown-and-secret' } } });
      const s2 = settings({ env: { DOCKER_CONFIG: dir } });
      const err2 = await openRegistryImage(`${reg.host}/private/edge:1`, s2).catch((e: unknown) => e);
      expect((err2 as Error).message).toContain('refused the credentials from config.json');
      expect(everything(err2, s2)).not.toContain('idtok-unknown-and-secret');
    });
  });

  describe('TLS with a throwaway CA', () => {
    let reg: RunningRegistry;
    let ca: { caFile: string };
    beforeAll(async () => {
      const c = makeCaAndServerCert(tempDir('tls'));
      ca = c;
      reg = await startRegistry({ storageDir: storage, tls: { certFile: c.certFile, keyFile: c.keyFile } });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('pulls over https when the CA is given with caCertFiles', async () => {
      const img = await openRegistryImage(`${reg.host}/fx/edge:1`, settings({ registry: { caCertFiles: [ca.caFile] } }));
      try {
        expect(img.identity.reference).toBe(`docker://${reg.host}/fx/edge:1`);
        expect((await img.layers[1]!.read()).entries.length).toBeGreaterThan(0);
      } finally {
        await img.close();
      }
    });

    it('refuses an untrusted certificate and says how to trust it (no fallback to plain http)', async () => {
      const err = await openRegistryImage(`${reg.host}/fx/edge:1`, settings()).catch((e: unknown) => e);
      expect((err as SourceError).kind).toBe('network');
      expect((err as Error).message).toMatch(new RegExp(`^docker://${reg.host}/fx/edge:1: the TLS certificate of ${reg.host} is not trusted \\(.+\\); pass its CA with --ca-cert FILE$`));
    });

    it('accepts the certificate unverified with insecure', async () => {
      const r = await openAndRead(`${reg.host}/fx/edge:1`, settings({ registry: { insecure: true } }));
      expect(r.entries).toBeGreaterThan(0);
    });

    it('names an unreadable CA file', async () => {
      await expect(openRegistryImage(`${reg.host}/fx/edge:1`, settings({ registry: { caCertFiles: ['/nonexistent/ca.pem'] } }))).rejects.toThrow(
        '--ca-cert /nonexistent/ca.pem: cannot use it as a CA certificate (no such file)',
      );
    });
  });
});
