import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tmpDir } from '../helpers/image-files.js';
import { startPodmanService, type PodmanService } from '../helpers/podman-harness.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Docker contexts, as the docker CLI resolves them, with a real `podman system service` socket
 * as the context's endpoint: `currentContext` in `config.json`, `DOCKER_CONTEXT` over it,
 * `DOCKER_HOST` over both, and a context that is not there refused rather than replaced by
 * another daemon. The config directory is written the way `docker context create` writes it
 * (`contexts/meta/<sha256 of the name>/meta.json`, `Endpoints.docker.Host`).
 */

const ARCHIVE = FIXTURES && path.join(FIXTURES, 'images', 'edge.docker-archive.tar');
const NAME = 'localhost/fx/edge:1';

function writeContext(configDir: string, name: string, host: string): void {
  const dir = path.join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: { Description: 'test' }, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
}

type Export = { image: { source: string }; summary: { layerCount: number; sizeBytes: number; wastedBytes: number } };

describe('docker contexts with a real Podman socket', () => {
  let service: PodmanService | undefined;
  let skip = '';
  let config = '';
  const env = (more: Record<string, string | undefined>) => ({ DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_CONFIG: config, XDG_RUNTIME_DIR: undefined, CONTAINERD_ADDRESS: '/nonexistent/containerd.sock', ...more });

  beforeAll(async () => {
    if (!ARCHIVE || !existsSync(ARCHIVE)) {
      skip = 'skipped: ../shared/fixtures is absent beside the checkout';
      return;
    }
    const started = await startPodmanService([{ archive: ARCHIVE, name: NAME }]);
    if (!started.ok) {
      skip = started.reason;
      return;
    }
    service = started.service;
    config = tmpDir('inspect-tui-docker-config-');
    writeContext(config, 'pod', service.dockerHost);
    writeContext(config, 'dead', `unix://${path.join(config, 'nobody-listens.sock')}`);
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
  });

  const read = (arg: string, e: Record<string, string | undefined>) => runCli(['--ci', '--quiet', '--no-cache', '--json', '-', arg], { env: env(e) });

  it("config.json's currentContext names the daemon", (ctx) => {
    if (!service) return ctx.skip(skip);
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'pod' }));
    const fromContext = read(`docker-daemon:${NAME}`, {});
    expect(fromContext.stderr).not.toContain('inspect-tui:'); // the human report goes to stderr with --json -
    expect([0, 1]).toContain(fromContext.code);
    const viaContext = JSON.parse(fromContext.stdout) as Export;
    expect(viaContext.image.source).toBe('docker-daemon');
    // the same image as the file it was loaded from
    const fromFile = JSON.parse(read(ARCHIVE!, {}).stdout) as Export;
    expect(viaContext.summary).toEqual(fromFile.summary);
    expect(viaContext.summary.layerCount).toBeGreaterThan(5);
  });

  it('DOCKER_CONTEXT wins over currentContext, and DOCKER_HOST over both', (ctx) => {
    if (!service) return ctx.skip(skip);
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'dead' }));
    // the configured context has no daemon: the run says so and names it, trying no other
    const dead = read(`docker-daemon:${NAME}`, {});
    expect(dead.code).toBe(2);
    expect(dead.stderr).toMatch(/^inspect-tui: docker-daemon:localhost\/fx\/edge:1: no Docker or Podman daemon is running \(tried unix:\/\/\S+nobody-listens\.sock \(context "dead"\): no such socket\)/);
    expect(dead.stderr.trimEnd().split('\n')).toHaveLength(1);

    expect(read(`docker-daemon:${NAME}`, { DOCKER_CONTEXT: 'pod' }).code).not.toBe(2);

    const host = read(`docker-daemon:${NAME}`, { DOCKER_CONTEXT: 'pod', DOCKER_HOST: `unix://${path.join(config, 'elsewhere.sock')}` });
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(/elsewhere\.sock \(DOCKER_HOST\): no such socket/);
    expect(read(`docker-daemon:${NAME}`, { DOCKER_CONTEXT: 'dead', DOCKER_HOST: service.dockerHost }).code).not.toBe(2);
  });

  it('the default context is the default sockets; a context that does not exist is one line, exit 2', (ctx) => {
    if (!service) return ctx.skip(skip);
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'pod' }));
    const byDefault = read(`docker-daemon:${NAME}`, { DOCKER_CONTEXT: 'default' });
    expect(byDefault.code).toBe(2);
    expect(byDefault.stderr).toMatch(/tried unix:\/\/\/var\/run\/docker\.sock: /);
    expect(byDefault.stderr).not.toContain('context');

    const gone = read(`docker-daemon:${NAME}`, { DOCKER_CONTEXT: 'gone' });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^inspect-tui: docker-daemon:localhost\/fx\/edge:1: context "gone" \(DOCKER_CONTEXT\) does not exist: no \S+meta\.json\n$/);
  });
});
