import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bcryptHtpasswdLine,
  cleanupTemps,
  fixture,
  registrySkipReason,
  skopeoPush,
  startRegistry,
  tempDir,
  type RunningRegistry,
} from '../../helpers/registry-harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(repo, 'dist/cli.js');
const skip = registrySkipReason() ?? (existsSync(cli) ? undefined : 'registry CLI tests skipped: dist/cli.js is absent (run npm run build)');
if (skip) console.warn(skip);

function runCli(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, CI: 'true', NO_COLOR: '1' };
    delete env.DOCKER_CONFIG;
    env.HOME = tempDir('cli-home');
    const child = spawn(process.execPath, [cli, '--no-cache', ...args], { cwd: repo, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe.skipIf(skip !== undefined)('inspect-tui CLI pulling from docker-registry', () => {
  let storage: string;
  let reg: RunningRegistry;
  let locked: RunningRegistry;

  beforeAll(async () => {
    storage = tempDir('registry-cli-storage');
    reg = await startRegistry({ storageDir: storage });
    await skopeoPush(`oci-archive:${fixture('edge.oci-archive.tar')}`, `docker://${reg.host}/fx/edge:1`);
    const htpasswd = path.join(tempDir('cli-htpasswd'), 'htpasswd');
    writeFileSync(htpasswd, `${bcryptHtpasswdLine('alice', 'cli-right-password-81')}\n`);
    locked = await startRegistry({ storageDir: storage, auth: { kind: 'htpasswd', file: htpasswd } });
  });
  afterAll(async () => {
    await reg?.stop();
    await locked?.stop();
    cleanupTemps();
  });

  it('gives the same summary for docker://… as for the OCI archive it was pushed from', async () => {
    const remote = await runCli(['--ci', '--json', '-', `docker://${reg.host}/fx/edge:1`]);
    const local = await runCli(['--ci', '--json', '-', 'oci-archive:../shared/fixtures/images/edge.oci-archive.tar']);
    expect(remote.stderr).toContain(`pulling docker://${reg.host}/fx/edge:1 from ${reg.host}`);
    expect(remote.code).toBe(local.code);
    const r = JSON.parse(remote.stdout) as { summary: unknown; image: { reference: string; digest: string } };
    const l = JSON.parse(local.stdout) as { summary: unknown; image: { digest: string } };
    expect(r.summary).toEqual(l.summary);
    expect(r.image.reference).toBe(`docker://${reg.host}/fx/edge:1`);
    expect(r.image.digest).toBe(l.image.digest);
  });

  it('reads the password from stdin, and never shows a wrong one, not even with --debug', async () => {
    const ok = await runCli(['--ci', '--json', '-', '--username', 'alice', '--password-stdin', `docker://${locked.host}/fx/edge:1`], 'cli-right-password-81\n');
    expect(ok.code === 0 || ok.code === 1).toBe(true);
    expect(JSON.parse(ok.stdout).image.reference).toBe(`docker://${locked.host}/fx/edge:1`);

    const secret = 'cli-wrong-password-37';
    const bad = await runCli(['--ci', '--debug', '--username', 'alice', '--password-stdin', `docker://${locked.host}/fx/edge:1`], `${secret}\n`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`inspect-tui: docker://${locked.host}/fx/edge:1: ${locked.host} refused the credentials from --username`);
    expect(bad.stderr + bad.stdout).not.toContain(secret);
    expect(bad.stderr + bad.stdout).not.toContain(Buffer.from(`alice:${secret}`).toString('base64'));
  });
});
