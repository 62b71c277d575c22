/**
 * Registry pull benchmark: inspect-tui reading docker://… versus `skopeo copy` of the same
 * image into an OCI layout. Starts Debian's docker-registry on a free loopback port (storage in
 * a temp dir), pushes the given gzip OCI archive with skopeo, then times both commands,
 * alternating, `runs` times each. Needs docker-registry, skopeo and a built dist/.
 *
 *   node scripts/bench-registry.mjs path/to/big.oci-archive.tar [runs]
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`docker-registry exited with ${child.exitCode}`));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`docker-registry did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function startRegistry(dir) {
  const port = await freePort();
  const cfg = path.join(dir, 'registry.yml');
  writeFileSync(
    cfg,
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${JSON.stringify(path.join(dir, 'storage'))}}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  await waitForPort(port, child, 20_000);
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Times `node dist/cli.js --ci --no-cache docker://127.0.0.1:PORT/bench/big:1` against
 * `skopeo copy docker://… oci:TMPDIR`, alternating, `runs` times each.
 *
 * @param {{ image: string, log?: (line: string) => void, runs?: number }} opts
 *   image: a gzip OCI archive (oci-archive tar) holding one image.
 * @returns {Promise<{ ours: number[], skopeo: number[], oursMedianMs: number, skopeoMedianMs: number, ratio: number }>}
 *   times in milliseconds; ratio = our median / skopeo's median (below 1: we are faster).
 */
export async function benchRegistry({ image, log = (line) => console.log(line), runs = 3 }) {
  const cli = path.join(repo, 'dist/cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  if (!existsSync(image)) throw new Error(`${image}: no such file`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'inspect-tui-bench-registry-'));
  const policy = path.join(tmp, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const authFile = path.join(tmp, 'auth.json');
  writeFileSync(authFile, '{}');
  const skopeoEnv = { ...process.env, TMPDIR: tmp };
  let registry;
  try {
    registry = await startRegistry(tmp);
    const ref = `docker://${registry.host}/bench/big:1`;
    log(`registry on ${registry.host}; pushing ${image}`);
    await run('skopeo', ['--policy', policy, 'copy', '--quiet', '--dest-tls-verify=false', '--dest-authfile', authFile, `oci-archive:${image}`, ref], { env: skopeoEnv, maxBuffer: 16 << 20 });
    const ours = [];
    const skopeo = [];
    for (let i = 0; i < runs; i++) {
      const a = await timed(async () => {
        try {
          await run(process.execPath, [cli, '--ci', '--no-cache', ref], { cwd: repo, env: { ...process.env, CI: 'true', NO_COLOR: '1' }, maxBuffer: 64 << 20 });
        } catch (e) {
          // Exit 1 means a CI rule failed: the image was read, which is what is timed.
          if (e.code !== 1) throw new Error(`inspect-tui failed (exit ${e.code}): ${String(e.stderr).trim().split('\n').pop()}`);
        }
      });
      ours.push(a);
      const out = path.join(tmp, `oci-${i}`);
      const b = await timed(() =>
        run('skopeo', ['--policy', policy, 'copy', '--quiet', '--src-tls-verify=false', '--src-authfile', authFile, ref, `oci:${out}`], { env: skopeoEnv, maxBuffer: 16 << 20 }),
      );
      rmSync(out, { recursive: true, force: true });
      skopeo.push(b);
      log(`run ${i + 1}/${runs}: inspect-tui ${a.toFixed(0)} ms, skopeo copy ${b.toFixed(0)} ms`);
    }
    const oursMedianMs = median(ours);
    const skopeoMedianMs = median(skopeo);
    const ratio = oursMedianMs / skopeoMedianMs;
    log(`median: inspect-tui ${oursMedianMs.toFixed(0)} ms, skopeo copy ${skopeoMedianMs.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    return { ours, skopeo, oursMedianMs, skopeoMedianMs, ratio };
  } finally {
    await registry?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [image, runs] = process.argv.slice(2);
  if (!image) {
    console.error('usage: node scripts/bench-registry.mjs IMAGE.oci-archive.tar [runs]');
    process.exit(2);
  }
  benchRegistry({ image, runs: runs ? Number(runs) : 3 }).then(
    () => process.exit(0),
    (e) => {
      console.error(`bench-registry: ${e.message}`);
      process.exit(2);
    },
  );
}
