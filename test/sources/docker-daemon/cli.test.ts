import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPodmanService, type PodmanService } from '../../helpers/podman-harness.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const cli = path.join(repoRoot, 'dist/cli.js');
const fixture = path.resolve(repoRoot, '../shared/fixtures/images/edge.docker-archive.tar');
const NAME = 'localhost/fx/edge:1';

type Export = { image: { reference: string; source: string }; summary: Record<string, unknown> };

/** Runs the built CLI in CI mode with the JSON export on stdout; exit 0 or 1 (a rule failed) both carry the export. */
async function exportOf(arg: string, env: Record<string, string>): Promise<Export> {
  try {
    const { stdout } = await run(process.execPath, [cli, '--ci', '--no-cache', '--json', '-', arg], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 120_000 });
    return JSON.parse(stdout) as Export;
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (err.code === 1 && err.stdout) return JSON.parse(err.stdout) as Export;
    throw new Error(`inspect-tui ${arg} exited ${err.code}: ${err.stderr?.trim()}`);
  }
}

describe('CLI: the daemon, the bare name and the archive give the same analysis', () => {
  let service: PodmanService | undefined;
  let skipReason = '';

  beforeAll(async () => {
    if (!existsSync(cli)) {
      skipReason = `${path.relative(repoRoot, cli)} is missing (run npm run build)`;
      return;
    }
    if (!existsSync(fixture)) {
      skipReason = `fixture ${fixture} is missing`;
      return;
    }
    const started = await startPodmanService([{ archive: fixture, name: NAME }]);
    if (started.ok) service = started.service;
    else skipReason = started.reason;
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('docker-daemon:NAME and the bare NAME match the docker-archive file', async (ctx) => {
    if (!service) {
      console.warn(`skipping the CLI daemon test: ${skipReason}`);
      ctx.skip(skipReason);
      return;
    }
    // DOCKER_HOST points at the test's own service; HOME is the repo so no user Docker config is read.
    const env = { DOCKER_HOST: service.dockerHost, HOME: repoRoot, CI: 'true' };
    const fromFile = await exportOf(path.relative(repoRoot, fixture), env);
    const fromDaemon = await exportOf(`docker-daemon:${NAME}`, env);
    const fromBare = await exportOf(NAME, env);

    expect(fromFile.image.source).toBe('docker-archive');
    expect(fromDaemon.image).toMatchObject({ source: 'docker-daemon', reference: `docker-daemon:${NAME}` });
    expect(fromBare.image.source).toBe('docker-daemon');
    expect(fromFile.summary.layerCount).toBeGreaterThan(5);
    expect(fromDaemon.summary).toEqual(fromFile.summary);
    expect(fromBare.summary).toEqual(fromFile.summary);
  });
});
