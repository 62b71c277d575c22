import { describe, expect, it } from 'vitest';
import { openBare, registryDomainOf } from '../../../src/sources/bare/index.js';
import type { SourceSettings } from '../../../src/sources/settings.js';
import { rejection } from '../../helpers/rejection.js';

function settingsFor(extra: Partial<SourceSettings> = {}): SourceSettings & { stages: string[] } {
  const stages: string[] = [];
  // A socket that cannot exist: nothing here may reach a daemon or a registry.
  return { registry: { caCertFiles: [], insecure: false }, env: { DOCKER_HOST: 'unix:///nonexistent/inspect-tui.sock' }, onStage: (m) => stages.push(m), ...extra, stages };
}


describe('registryDomainOf', () => {
  it.each([
    // No host component: Docker Hub.
    ['alpine', 'docker.io'],
    ['library/alpine:3', 'docker.io'],
    ['fx/edge:1', 'docker.io'],
    // index.docker.io is the same registry, written docker.io.
    ['index.docker.io/fx/edge', 'docker.io'],
    // A first component with a dot, a port, or "localhost" is a host.
    ['ghcr.io/a/b:1', 'ghcr.io'],
    ['localhost/fx/edge:1', 'localhost'],
    ['localhost:5000/fx/edge', 'localhost:5000'],
    ['127.0.0.1:5000/fx/edge@sha256:' + 'a'.repeat(64), '127.0.0.1:5000'],
  ])('%s → %s', (name, domain) => {
    expect(registryDomainOf(name)).toBe(domain);
  });
});

describe('openBare without asking anyone', () => {
  it.each(['./missing.tar', '/nonexistent/img.tar', '~/img.tar', 'img file.tar'])('"%s" looks like a path and is "no such file or directory"', async (arg) => {
    const s = settingsFor();
    const err = await rejection(openBare(arg, s));
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe(`${arg}: no such file or directory`);
    expect(s.stages).toEqual([]);
  });

  it('a name that is no valid reference says why, without asking a daemon', async () => {
    const s = settingsFor();
    const err = await rejection(openBare('MyImage:1', s));
    expect(err.message).toBe('MyImage:1: no such file or directory, nor a valid image name (repository names must be lowercase)');
    expect(s.stages).toEqual([]);
  });

  it('--source docker-archive reads the argument as a file', async () => {
    const err = await rejection(openBare('missing.tar', settingsFor({ forceSource: 'docker-archive' })));
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe('missing.tar: no such file or directory');
  });

  it('--source docker with no daemon fails in the daemon and names the argument', async () => {
    const s = settingsFor({ forceSource: 'docker' });
    const err = await rejection(openBare('app:dev', s));
    expect(err.kind).toBe('daemon-unavailable');
    expect(err.message).toMatch(/^app:dev: no Docker or Podman daemon is running \(tried unix:\/\/\/nonexistent\/inspect-tui\.sock \(DOCKER_HOST\): no such socket\)/);
    expect(s.stages.some((m) => m.includes('registry'))).toBe(false);
  });
});
