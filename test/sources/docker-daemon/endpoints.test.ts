import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeConnectError } from '../../../src/sources/docker-daemon/client.js';
import { selectDaemonEndpoints, type EndpointFs } from '../../../src/sources/docker-daemon/endpoints.js';
import { explainNoDaemon } from '../../../src/sources/docker-daemon/index.js';

const noFiles: EndpointFs = { readFile: () => undefined };

function filesOf(files: Record<string, string>): EndpointFs {
  return { readFile: (f) => files[f] };
}

/** Where the docker CLI keeps a context's metadata: the directory is the sha256 of its name. */
function metaPath(configDir: string, name: string): string {
  return `${configDir}/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`;
}
function tlsDir(configDir: string, name: string): string {
  return `${configDir}/contexts/tls/${createHash('sha256').update(name).digest('hex')}/docker`;
}
function meta(name: string, host: string, skipTls = false): string {
  return JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipTls } } });
}

function urls(sel: ReturnType<typeof selectDaemonEndpoints>): string[] {
  if (!sel.ok) throw new Error(`selection failed: ${sel.reason}`);
  return sel.endpoints.map((e) => e.url);
}

describe('selectDaemonEndpoints: DOCKER_HOST', () => {
  it.each([
    // A unix socket is used as given.
    ['unix:///tmp/x/podman.sock', 'unix:///tmp/x/podman.sock'],
    // tcp without TLS defaults to port 2375.
    ['tcp://127.0.0.1', 'tcp://127.0.0.1:2375'],
    // An explicit port is kept.
    ['tcp://daemon.example:12345', 'tcp://daemon.example:12345'],
    // IPv6 literals keep their brackets in messages.
    ['tcp://[::1]:2375', 'tcp://[::1]:2375'],
  ])('DOCKER_HOST=%s is the only endpoint (%s)', (host, url) => {
    const sel = selectDaemonEndpoints({ DOCKER_HOST: host, HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' }, noFiles);
    expect(urls(sel)).toEqual([url]);
    expect(sel.ok && sel.endpoints[0]!.origin).toBe('DOCKER_HOST');
  });

  it('DOCKER_TLS_VERIFY switches to TLS on port 2376 with the certificates in DOCKER_CERT_PATH', () => {
    const sel = selectDaemonEndpoints({ DOCKER_HOST: 'tcp://10.0.0.5', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, noFiles);
    expect(sel.ok).toBe(true);
    const ep = sel.ok ? sel.endpoints[0]! : undefined;
    expect(ep).toMatchObject({ kind: 'tcp', host: '10.0.0.5', port: 2376, tls: { verify: true, caFile: '/certs/ca.pem', certFile: '/certs/cert.pem', keyFile: '/certs/key.pem' } });
  });

  it('without DOCKER_CERT_PATH the certificates come from DOCKER_CONFIG', () => {
    const sel = selectDaemonEndpoints({ DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: '/cfg', HOME: '/home/u' }, noFiles);
    expect(sel.ok && sel.endpoints[0]).toMatchObject({ tls: { caFile: '/cfg/ca.pem' } });
  });

  it('plain tcp:// has no TLS', () => {
    const sel = selectDaemonEndpoints({ DOCKER_HOST: 'tcp://h:2375' }, noFiles);
    expect(sel.ok && sel.endpoints[0]).not.toHaveProperty('tls');
  });

  it('DOCKER_HOST wins over a configured context', () => {
    const files = filesOf({ '/home/u/.docker/config.json': '{"currentContext":"remote"}', [metaPath('/home/u/.docker', 'remote')]: meta('remote', 'tcp://remote:2375') });
    expect(urls(selectDaemonEndpoints({ DOCKER_HOST: 'unix:///a.sock', HOME: '/home/u' }, files))).toEqual(['unix:///a.sock']);
  });

  it.each(['ssh://user@host', 'npipe:////./pipe/docker_engine', 'fd://'])('refuses %s with a reason naming the scheme', (host) => {
    const sel = selectDaemonEndpoints({ DOCKER_HOST: host }, noFiles);
    expect(sel.ok).toBe(false);
    expect(!sel.ok && sel.reason).toMatch(/DOCKER_HOST ".*" uses \w+:\/\/, which is not supported/);
  });

  it('an empty DOCKER_HOST counts as unset', () => {
    expect(urls(selectDaemonEndpoints({ DOCKER_HOST: '' }, noFiles))[0]).toBe('unix:///var/run/docker.sock');
  });
});

describe('selectDaemonEndpoints: contexts', () => {
  it("uses config.json's currentContext alone, as docker does: no other daemon stands in for it", () => {
    const files = filesOf({
      '/home/u/.docker/config.json': '{"currentContext":"desktop-linux"}',
      [metaPath('/home/u/.docker', 'desktop-linux')]: meta('desktop-linux', 'unix:///home/u/.docker/desktop/docker.sock'),
    });
    const sel = selectDaemonEndpoints({ HOME: '/home/u' }, files);
    expect(urls(sel)).toEqual(['unix:///home/u/.docker/desktop/docker.sock']);
    expect(sel.ok && sel.endpoints[0]!.origin).toBe('context "desktop-linux"');
  });

  it('honours DOCKER_CONFIG instead of ~/.docker', () => {
    const files = filesOf({
      '/home/u/.docker/config.json': '{"currentContext":"wrong"}',
      [metaPath('/home/u/.docker', 'wrong')]: meta('wrong', 'unix:///wrong.sock'),
      '/etc/dc/config.json': '{"currentContext":"right"}',
      [metaPath('/etc/dc', 'right')]: meta('right', 'tcp://right:2375'),
    });
    expect(urls(selectDaemonEndpoints({ HOME: '/home/u', DOCKER_CONFIG: '/etc/dc' }, files))[0]).toBe('tcp://right:2375');
  });

  it('DOCKER_CONTEXT overrides currentContext', () => {
    const files = filesOf({
      '/home/u/.docker/config.json': '{"currentContext":"a"}',
      [metaPath('/home/u/.docker', 'a')]: meta('a', 'unix:///a.sock'),
      [metaPath('/home/u/.docker', 'b')]: meta('b', 'unix:///b.sock'),
    });
    expect(urls(selectDaemonEndpoints({ HOME: '/home/u', DOCKER_CONTEXT: 'b' }, files))[0]).toBe('unix:///b.sock');
  });

  it('the "default" context means the default sockets', () => {
    const files = filesOf({ '/home/u/.docker/config.json': '{"currentContext":"default"}' });
    expect(urls(selectDaemonEndpoints({ HOME: '/home/u' }, files))).toEqual(['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock']);
  });

  it('a context that does not exist is an error naming it and where it was chosen, as in docker', () => {
    const files = filesOf({ '/home/u/.docker/config.json': '{"currentContext":"gone"}' });
    const sel = selectDaemonEndpoints({ HOME: '/home/u' }, files);
    expect(sel).toEqual({ ok: false, reason: `context "gone" (currentContext in /home/u/.docker/config.json) does not exist: no ${metaPath('/home/u/.docker', 'gone')}` });
    const viaEnv = selectDaemonEndpoints({ HOME: '/home/u', DOCKER_CONTEXT: 'nope' }, noFiles);
    expect(!viaEnv.ok && viaEnv.reason).toMatch(/^context "nope" \(DOCKER_CONTEXT\) does not exist: no /);
  });

  it('a context without a Docker endpoint, or with one this tool cannot speak, is an error', () => {
    const noDocker = filesOf({ [metaPath('/home/u/.docker', 'k8s')]: JSON.stringify({ Name: 'k8s', Endpoints: { kubernetes: {} } }) });
    expect(selectDaemonEndpoints({ HOME: '/home/u', DOCKER_CONTEXT: 'k8s' }, noDocker)).toMatchObject({ ok: false, reason: expect.stringMatching(/^context "k8s" \(DOCKER_CONTEXT\) has no Docker endpoint in /) });
    const ssh = filesOf({ [metaPath('/home/u/.docker', 'remote')]: meta('remote', 'ssh://me@host') });
    expect(selectDaemonEndpoints({ HOME: '/home/u', DOCKER_CONTEXT: 'remote' }, ssh)).toEqual({ ok: false, reason: 'context "remote" "ssh://me@host" uses ssh://, which is not supported (use unix:// or tcp://)' });
  });

  it('DOCKER_CONTEXT=default wins over a currentContext', () => {
    const files = filesOf({ '/home/u/.docker/config.json': '{"currentContext":"a"}', [metaPath('/home/u/.docker', 'a')]: meta('a', 'unix:///a.sock') });
    expect(urls(selectDaemonEndpoints({ HOME: '/home/u', DOCKER_CONTEXT: 'default' }, files))).toEqual(['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock']);
  });

  it("a TCP context uses its TLS files, and SkipTLSVerify turns verification off", () => {
    const dir = tlsDir('/home/u/.docker', 'secure');
    const files = filesOf({
      '/home/u/.docker/config.json': '{"currentContext":"secure"}',
      [metaPath('/home/u/.docker', 'secure')]: meta('secure', 'tcp://secure:2376', true),
      [`${dir}/ca.pem`]: 'CA',
      [`${dir}/cert.pem`]: 'CERT',
      [`${dir}/key.pem`]: 'KEY',
    });
    const sel = selectDaemonEndpoints({ HOME: '/home/u' }, files);
    expect(sel.ok && sel.endpoints[0]).toMatchObject({ kind: 'tcp', port: 2376, tls: { verify: false, caFile: `${dir}/ca.pem`, keyFile: `${dir}/key.pem` } });
  });

  it('a broken config.json is ignored', () => {
    const files = filesOf({ '/home/u/.docker/config.json': '{not json' });
    expect(urls(selectDaemonEndpoints({ HOME: '/home/u' }, files))[0]).toBe('unix:///var/run/docker.sock');
  });
});

describe('selectDaemonEndpoints: default sockets', () => {
  it("Docker's socket first, then rootless and rootful Podman", () => {
    expect(urls(selectDaemonEndpoints({ XDG_RUNTIME_DIR: '/run/user/1000' }, noFiles))).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///run/user/1000/podman/podman.sock',
      'unix:///run/podman/podman.sock',
    ]);
  });

  it("Podman's sockets first when Podman is preferred", () => {
    expect(urls(selectDaemonEndpoints({ XDG_RUNTIME_DIR: '/run/user/1000' }, noFiles, 'podman'))).toEqual([
      'unix:///run/user/1000/podman/podman.sock',
      'unix:///run/podman/podman.sock',
      'unix:///var/run/docker.sock',
    ]);
  });

  it('no rootless Podman socket without XDG_RUNTIME_DIR', () => {
    expect(urls(selectDaemonEndpoints({}, noFiles))).toEqual(['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock']);
  });
});

describe('what the user is told when no daemon is usable', () => {
  const sock = { kind: 'unix', socketPath: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock', origin: 'default' } as const;
  const podman = { kind: 'unix', socketPath: '/run/podman/podman.sock', url: 'unix:///run/podman/podman.sock', origin: 'default' } as const;

  it('classifies socket errors', () => {
    expect(describeConnectError(Object.assign(new Error('x'), { code: 'ENOENT' })).kind).toBe('absent');
    expect(describeConnectError(Object.assign(new Error('x'), { code: 'EACCES' })).kind).toBe('permission');
    expect(describeConnectError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).text).toBe('connection refused');
    expect(describeConnectError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).kind).toBe('tls');
  });

  it('permission denied says how to fix it, on one line', () => {
    const err = explainNoDaemon(
      'docker-daemon:app:1',
      [{ endpoint: sock, problem: describeConnectError(Object.assign(new Error('x'), { code: 'EACCES' })) }, { endpoint: podman, problem: { kind: 'absent', text: 'no such socket' } }],
      { XDG_RUNTIME_DIR: '/run/user/1000' },
    );
    expect(err.kind).toBe('permission-denied');
    expect(err.message).toMatch(/^docker-daemon:app:1: permission denied on unix:\/\/\/var\/run\/docker\.sock; add your user to the docker group/);
    expect(err.message).toContain('DOCKER_HOST=unix:///run/user/1000/podman/podman.sock');
    expect(err.message).not.toContain('\n');
  });

  it('lists every endpoint tried when none answered', () => {
    const err = explainNoDaemon(
      'app:1',
      [
        { endpoint: sock, problem: { kind: 'absent', text: 'no such socket' } },
        { endpoint: podman, problem: { kind: 'refused', text: 'connection refused' } },
      ],
      {},
    );
    expect(err.message).toBe(
      'app:1: no Docker or Podman daemon is running (tried unix:///var/run/docker.sock: no such socket; unix:///run/podman/podman.sock: connection refused); start one or set DOCKER_HOST, or pull from a registry with docker://NAME',
    );
    expect(err.where).toBe('a daemon');
    expect(err.why).toMatch(/^none answered; tried unix:\/\/\/var\/run\/docker\.sock: no such socket/);
  });
});
