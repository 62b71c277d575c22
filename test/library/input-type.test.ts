import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');

describe('the library in a script given on the command line', () => {
  it('works under node --input-type=module -e: the worker threads do not inherit --input-type', () => {
    // The example's bodies are compared on the worker threads: each of them used to fail to start.
    const script = `import { inspectImage } from ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))};
const a = await inspectImage(${JSON.stringify(EXAMPLE)}, { cache: false });
console.log(JSON.stringify({ wasted: a.wastedBytes, efficiency: a.efficiency }));`;
    for (const flags of [['--input-type=module'], ['--input-type', 'module']]) {
      const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      const cli = JSON.parse(runCli(['--ci', '--json', '-', '--quiet', '--no-cache', EXAMPLE]).stdout) as { summary: { wastedBytes: number; efficiency: number } };
      expect(JSON.parse(r.stdout)).toEqual({ wasted: cli.summary.wastedBytes, efficiency: cli.summary.efficiency });
    }
  });
});
