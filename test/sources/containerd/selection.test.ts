import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/index.js';
import { resolveNamespace } from '../../../src/sources/containerd/index.js';
import { nameCandidates, nearNames, repositoryOf } from '../../../src/sources/containerd/names.js';
import { containerdSocketCandidates, selectContainerdSocket, type SocketFs, type SocketState } from '../../../src/sources/containerd/socket.js';

/** A file system that knows a few paths' states and the group names. */
function fakeFs(states: Record<string, SocketState>, groups: Record<number, string> = {}): SocketFs {
  return { stat: (p) => states[p] ?? { kind: 'missing' }, groupName: (gid) => groups[gid] };
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('which containerd socket', () => {
  it.each<[string, Record<string, string>, string[]]>([
    // CONTAINERD_ADDRESS alone, as a path or a unix:// URL.
    ['CONTAINERD_ADDRESS as a path', { CONTAINERD_ADDRESS: '/srv/c.sock', XDG_RUNTIME_DIR: '/run/user/1000' }, ['/srv/c.sock']],
    ['CONTAINERD_ADDRESS as a URL', { CONTAINERD_ADDRESS: 'unix:///run/k3s/containerd/containerd.sock' }, ['/run/k3s/containerd/containerd.sock']],
    // The default socket, then the rootless one.
    ['the defaults', { XDG_RUNTIME_DIR: '/run/user/1000' }, ['/run/containerd/containerd.sock', '/run/user/1000/containerd/containerd.sock']],
    ['no XDG_RUNTIME_DIR', {}, ['/run/containerd/containerd.sock']],
  ])('%s', (_name, env, expected) => {
    expect(containerdSocketCandidates(env).map((c) => c.path)).toEqual(expected);
  });

  it('refuses a TCP address with a usage error', () => {
    const e = thrown(() => containerdSocketCandidates({ CONTAINERD_ADDRESS: 'tcp://10.0.0.1:1234' }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('CONTAINERD_ADDRESS "tcp://10.0.0.1:1234" is not a unix socket (give a path or unix:///path)');
  });

  it('takes the first socket that exists', () => {
    const fs = fakeFs({ '/run/user/1000/containerd/containerd.sock': { kind: 'socket' } });
    expect(selectContainerdSocket({ XDG_RUNTIME_DIR: '/run/user/1000' }, 'containerd:a', fs)).toEqual({ path: '/run/user/1000/containerd/containerd.sock', origin: 'rootless' });
  });

  it('lists what it tried when there is no socket', () => {
    const fs = fakeFs({ '/run/containerd/containerd.sock': { kind: 'not-socket' } });
    const e = thrown(() => selectContainerdSocket({ XDG_RUNTIME_DIR: '/run/user/1000' }, 'containerd:a', fs));
    expect(e).toMatchObject({ kind: 'daemon-unavailable' });
    expect(e.message).toBe(
      'containerd:a: no containerd socket (tried unix:///run/containerd/containerd.sock: not a socket; unix:///run/user/1000/containerd/containerd.sock: no such socket); start containerd, or set CONTAINERD_ADDRESS to its socket',
    );
  });

  it.each<[string, SocketState, string]>([
    // A socket open to a group: name the group to join.
    ['a group socket', { kind: 'denied', gid: 998, mode: 0o660, dirDenied: false }, 'it is open to the group containerd: add your user to it (then log in again), or run with sudo'],
    // A group without a name in /etc/group: its number.
    ['an unnamed group', { kind: 'denied', gid: 4242, mode: 0o660, dirDenied: false }, 'it is open to the group gid 4242: add your user to it (then log in again), or run with sudo'],
    // containerd's default: root:root 0660.
    ['a root-only socket', { kind: 'denied', gid: 0, mode: 0o660, dirDenied: false }, "only root may use it: run with sudo, or set a group you are in as [grpc] gid in containerd's config"],
    ['a closed directory', { kind: 'denied', dirDenied: true }, 'its directory is not open to you; run with sudo'],
  ])('permission denied on %s says which group, or sudo', (_name, state, advice) => {
    const fs = fakeFs({ '/run/containerd/containerd.sock': state }, { 998: 'containerd' });
    const e = thrown(() => selectContainerdSocket({}, 'containerd:a', fs));
    expect(e).toMatchObject({ kind: 'permission-denied' });
    expect(e.message).toBe(`containerd:a: permission denied on unix:///run/containerd/containerd.sock: ${advice}`);
  });
});

describe('which namespace', () => {
  it.each<[string, { namespace?: string; env: Record<string, string> }, string]>([
    ['--namespace first', { namespace: 'k8s.io', env: { CONTAINERD_NAMESPACE: 'moby' } }, 'k8s.io'],
    ['then CONTAINERD_NAMESPACE', { env: { CONTAINERD_NAMESPACE: 'moby' } }, 'moby'],
    ['else default', { env: {} }, 'default'],
    ['an empty CONTAINERD_NAMESPACE is unset', { env: { CONTAINERD_NAMESPACE: '' } }, 'default'],
  ])('%s', (_name, settings, expected) => {
    expect(resolveNamespace(settings)).toBe(expected);
  });

  it.each([['a/b'], ['-x'], ['x\u001b[2J'], ['a'.repeat(77)]])('refuses %j, naming where it came from', (bad) => {
    const e = thrown(() => resolveNamespace({ env: { CONTAINERD_NAMESPACE: bad } }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/^CONTAINERD_NAMESPACE: ".*" is not a containerd namespace name/);
    expect(e.message).not.toContain('\u001b');
  });
});

describe('names', () => {
  it.each<[string, string[]]>([
    // ctr's names as typed, nerdctl's and Kubernetes' normalized.
    ['alpine:3', ['alpine:3', 'docker.io/library/alpine:3']],
    ['alpine', ['alpine', 'alpine:latest', 'docker.io/library/alpine:latest']],
    ['fx/multi:1', ['fx/multi:1', 'docker.io/fx/multi:1']],
    ['docker.io/library/alpine:3', ['docker.io/library/alpine:3']],
    ['localhost:5000/app', ['localhost:5000/app', 'localhost:5000/app:latest']],
    // Not a valid reference (upper case): only as typed and with :latest.
    ['My/Image', ['My/Image', 'My/Image:latest']],
  ])('%s is looked up as %j', (typed, expected) => {
    expect(nameCandidates(typed).map((c) => c.name)).toEqual(expected);
  });

  it('gives the repository of a name', () => {
    expect(repositoryOf('alpine:3')).toBe('docker.io/library/alpine');
    expect(repositoryOf(`fx/multi@sha256:${'a'.repeat(64)}`)).toBe('docker.io/fx/multi');
    expect(repositoryOf('registry.k8s.io/pause:3.9')).toBe('registry.k8s.io/pause');
  });

  it('suggests other tags first, then names sharing the last component, then near spellings', () => {
    const stored = ['docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.27', 'ghcr.io/acme/nginx-proxy:2', 'docker.io/library/ngnix:1', 'docker.io/library/redis:7', 'sha256:abcdef'];
    expect(nearNames('nginx:1.26', stored)).toEqual(['docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.27', 'ghcr.io/acme/nginx-proxy:2', 'docker.io/library/ngnix:1']);
    expect(nearNames('postgres:16', stored)).toEqual([]);
  });

  it('makes names from containerd safe to print', () => {
    expect(nearNames('evil:1', ['docker.io/library/evil:2\u001b[31m'])).toEqual(['docker.io/library/evil:2?[31m']);
  });
});
