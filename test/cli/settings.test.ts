import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli/args.js';
import { parseDiffCli } from '../../src/cli/diff-args.js';
import { loadSettings, withPlatform } from '../../src/cli/settings.js';
import { tmpDir } from '../helpers/image-files.js';

/** One function turns options into what the load lifecycle takes, for the CI run, the inspector and a comparison alike. */
describe('loadSettings', () => {
  const env = { XDG_CACHE_HOME: tmpDir(), DOCKER_HOST: 'unix:///x.sock' };

  it('carries every image option into the source settings', () => {
    const opts = parseCli(['--platform', 'linux/arm64/v8', '--source', 'podman', '--namespace', 'k8s.io', '--username', 'u', '--ca-cert', 'a.pem', '--tls-verify=false', '--no-verify', 'img'], {});
    const stage = () => undefined;
    const l = loadSettings(opts, { env, password: 'pw', onStage: stage });
    expect(l.settings).toMatchObject({
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      forceSource: 'podman',
      namespace: 'k8s.io',
      registry: { username: 'u', password: 'pw', caCertFiles: ['a.pem'], insecure: true },
      env,
      verify: false,
      onStage: stage,
    });
    expect(l.caches?.layers).toBeDefined();
    expect(l.caches?.results).toBeDefined();
  });

  it('--no-cache gives no caches; without the result cache the layer cache stays', () => {
    expect(loadSettings(parseCli(['--no-cache', 'img'], {}), { env }).caches).toBeUndefined();
    const c = loadSettings(parseCli(['img'], {}), { env }, false).caches;
    expect(c?.layers).toBeDefined();
    expect(c?.results).toBeUndefined();
  });

  it('a comparison gives each side its own platform over the same settings', () => {
    const d = parseDiffCli(['--platform', 'linux/amd64', '--new-platform', 'linux/arm64', 'a.tar', 'b.tar'], {});
    const l = loadSettings(d.options, { env });
    expect(withPlatform(l, d.platforms.old)).toBe(l);
    const n = withPlatform(l, d.platforms.new);
    expect(n.settings.platform).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(n.caches).toBe(l.caches);
    expect(l.settings.platform).toEqual({ os: 'linux', architecture: 'amd64' });
  });
});
