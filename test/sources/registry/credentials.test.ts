import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialFiles, lookupStoredCredentials } from '../../../src/sources/registry/credentials.js';
import { rejection } from '../../helpers/rejection.js';
import { tmpDir as makeTmpDir } from '../../helpers/image-files.js';

const made: string[] = [];
const tmpDir = (prefix: string) => {
  const d = makeTmpDir(prefix);
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const HOST = 'registry.example:5000';
const basic = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

/** Writes `content` as JSON to `file` (creating its folder) and returns the file. */
function write(file: string, content: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('stored registry credentials: Podman/skopeo auth.json beside Docker config.json', () => {
  it('consults REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, then Docker config.json', () => {
    expect(credentialFiles({ REGISTRY_AUTH_FILE: '/a/auth.json', XDG_RUNTIME_DIR: '/run/user/1', HOME: '/h' }).map((f) => f.file)).toEqual(['/a/auth.json', '/h/.docker/config.json']);
    expect(credentialFiles({ XDG_RUNTIME_DIR: '/run/user/1', DOCKER_CONFIG: '/d' }).map((f) => f.file)).toEqual(['/run/user/1/containers/auth.json', '/d/config.json']);
    expect(credentialFiles({})).toEqual([]);
  });

  it('reads the auth file REGISTRY_AUTH_FILE names', async () => {
    const dir = tmpDir('creds-');
    const file = write(path.join(dir, 'my-auth.json'), { auths: { [HOST]: basic('alice', 'pw-from-auth-file') } });
    const c = await lookupStoredCredentials(HOST, { REGISTRY_AUTH_FILE: file });
    expect(c).toEqual({ username: 'alice', password: 'pw-from-auth-file', origin: 'my-auth.json' });
  });

  it('reads what podman login wrote under $XDG_RUNTIME_DIR, before ~/.docker/config.json', async () => {
    const run = tmpDir('creds-run-');
    const home = tmpDir('creds-home-');
    write(path.join(run, 'containers', 'auth.json'), { auths: { [`https://${HOST}`]: basic('podman-user', 'pw-podman') } });
    write(path.join(home, '.docker', 'config.json'), { auths: { [HOST]: basic('docker-user', 'pw-docker') } });
    const c = await lookupStoredCredentials(HOST, { XDG_RUNTIME_DIR: run, HOME: home });
    expect(c).toEqual({ username: 'podman-user', password: 'pw-podman', origin: 'auth.json' });
  });

  it('falls back to ~/.docker/config.json when the auth file has nothing for the registry, or is absent', async () => {
    const run = tmpDir('creds-run-');
    const home = tmpDir('creds-home-');
    write(path.join(run, 'containers', 'auth.json'), { auths: { 'other.example': basic('x', 'y') } });
    write(path.join(home, '.docker', 'config.json'), { auths: { [HOST]: basic('docker-user', 'pw-docker') } });
    expect(await lookupStoredCredentials(HOST, { XDG_RUNTIME_DIR: run, HOME: home })).toEqual({ username: 'docker-user', password: 'pw-docker', origin: 'config.json' });
    expect(await lookupStoredCredentials(HOST, { REGISTRY_AUTH_FILE: path.join(run, 'missing.json'), HOME: home })).toMatchObject({ username: 'docker-user' });
    expect(await lookupStoredCredentials('nowhere.example', { XDG_RUNTIME_DIR: run, HOME: home })).toBeUndefined();
  });

  it('REGISTRY_AUTH_FILE replaces the runtime auth file: the latter is not read', async () => {
    const run = tmpDir('creds-run-');
    write(path.join(run, 'containers', 'auth.json'), { auths: { [HOST]: basic('runtime-user', 'pw') } });
    const other = write(path.join(tmpDir('creds-'), 'auth.json'), { auths: {} });
    expect(await lookupStoredCredentials(HOST, { REGISTRY_AUTH_FILE: other, XDG_RUNTIME_DIR: run })).toBeUndefined();
  });

  it('names a broken auth file without quoting it (it may hold secrets)', async () => {
    const secret = basic('alice', 'pw-never-shown').auth;
    const file = write(path.join(tmpDir('creds-'), 'auth.json'), `{"auths":{"${HOST}":{"auth":"${secret}"}},,}`);
    const err = await rejection(lookupStoredCredentials(HOST, { REGISTRY_AUTH_FILE: file }));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toBe(`${file}: the containers auth file is not valid JSON`);
    expect(JSON.stringify(err) + String(err.cause ?? '')).not.toContain(secret);
  });
});
