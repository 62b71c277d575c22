import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTempFiles, writeFileAtomic } from '../../src/cli/output-file.js';
import { UsageError } from '../../src/errors/index.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { BIN, runCli } from '../helpers/run-cli.js';

/**
 * Files the user asked for, and nothing else: --json and every --report file are written to a
 * temporary file and renamed, a failed or killed run leaves no stale report that looks current,
 * and no temporary file is left behind.
 */

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const OUTPUTS = ['--json', 'out.json', '--report', 'junit=r.xml', '--report', 'sarif=r.sarif'];

function stale(dir: string): void {
  for (const f of ['out.json', 'r.xml', 'r.sarif']) writeFileSync(path.join(dir, f), 'from an earlier run\n');
}

describe('report files', () => {
  it('are replaced whole, with no temporary file left', () => {
    const dir = tmpDir();
    stale(dir);
    const r = runCli(['--ci', '--quiet', ...OUTPUTS, EXAMPLE], { cwd: dir });
    expect(r.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['out.json', 'r.sarif', 'r.xml']);
    expect(JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')).schemaVersion).toBe(1);
    expect(readFileSync(path.join(dir, 'r.xml'), 'utf8')).toMatch(/^<\?xml/);
  });

  it('from an earlier run are removed when this run fails (exit 2): none is left looking current', () => {
    const dir = tmpDir();
    stale(dir);
    const r = runCli(['--ci', '--quiet', ...OUTPUTS, path.join(dir, 'no-such-image.tar')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('from an earlier run are removed, and none is half-written, when a signal ends the run', async () => {
    const dir = tmpDir();
    stale(dir);
    // The image comes on stdin and never ends: the run is stuck reading it when the signal comes.
    const child = spawn(process.execPath, [BIN, '--ci', '--quiet', ...OUTPUTS, '-'], { cwd: dir, env: { ...process.env, XDG_CACHE_HOME: tmpDir() }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(readFileSync(EXAMPLE).subarray(0, 20_000));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // the old files go when the run starts; wait for that (polling, not sleeping a guess)
    for (let i = 0; i < 200 && existsSync(path.join(dir, 'out.json')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(path.join(dir, 'out.json'))).toBe(false);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('that cannot be written are one line naming the option, exit 2', () => {
    const dir = tmpDir();
    mkdirSync(path.join(dir, 'taken'));
    writeFileSync(path.join(dir, 'taken', 'x'), '');
    const isDir = runCli(['--ci', '--quiet', '--report', 'junit=taken', EXAMPLE], { cwd: dir });
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toMatch(/^inspect-tui: --report junit=taken: cannot (replace|write) the file \((is a directory|permission denied)\)\n$/);
    const noDir = runCli(['--ci', '--quiet', '--report', 'sarif=nowhere/r.sarif', EXAMPLE], { cwd: dir });
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toBe('inspect-tui: --report sarif=nowhere/r.sarif: cannot write the file (no such directory)\n');
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

describe('writeFileAtomic', () => {
  it('leaves the old file whole and no temporary file when the rename fails', async () => {
    const dir = tmpDir();
    // a non-empty directory at the name: the write succeeds, the rename over it cannot
    mkdirSync(path.join(dir, 'report.json'));
    writeFileSync(path.join(dir, 'report.json', 'keep'), 'kept');
    const err = await writeFileAtomic(path.join(dir, 'report.json'), '{"a":1}\n', '--json report.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--json report\.json: cannot write the file \(/);
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(readFileSync(path.join(dir, 'report.json', 'keep'), 'utf8')).toBe('kept');
  });

  it('writes the whole text under the name', async () => {
    const dir = tmpDir();
    const text = `${'x'.repeat(1 << 20)}\n`;
    await writeFileAtomic(path.join(dir, 'big.txt'), text, '--json big.txt');
    expect(readFileSync(path.join(dir, 'big.txt'), 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['big.txt']);
    removeTempFiles(); // nothing in flight: a no-op
    expect(readdirSync(dir)).toEqual(['big.txt']);
  });
});
