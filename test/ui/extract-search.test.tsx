import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Extractor, ExtractRequest } from '../../src/extract/types.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';
import { mountApp, waitFor } from './harness.js';

const a = sampleAnalysis();
afterEach(() => cleanup());

const mount = (extractor?: Extractor, rows = 24, cols = 100) => mountApp({ analysis: a, extractor, viewport: { cols, rows } });

describe('extraction in the inspector', () => {
  it('shows progress, refuses a second one with a reason, and Esc cancels it', async () => {
    const calls: { req: ExtractRequest; signal?: AbortSignal }[] = [];
    const extractor: Extractor = {
      extract(req, opts) {
        calls.push({ req, signal: opts?.signal });
        opts?.onProgress?.({ entries: 1, totalEntries: 10, bytes: 100, totalBytes: 1000 });
        return new Promise((resolve) => opts?.signal?.addEventListener('abort', () => resolve({ kind: 'cancelled', written: ['passwd'], bytes: 100 })));
      },
    };
    const { stdin, until, last } = mount(extractor);
    stdin.write('j\t'); // layer 1, tree pane
    stdin.write('jj'); // /etc/passwd
    await until((s) => s.includes('3/12'));
    stdin.write('\x05');
    await until(() => last().includes('extracting /etc/passwd: 1/10 entries, 100 B of 1.0 kB (10 %)  Esc Cancel'));
    stdin.write('\x05');
    await until(() => last().includes('an extraction is running (Esc cancels) · extracting /etc/passwd'));
    expect(calls).toHaveLength(1);
    stdin.write('\x1b');
    await until(() => last().includes('extraction cancelled: 1 of 10 entries (100 B) were written whole; no partly written file was left'));
    expect(calls[0]!.signal?.aborted).toBe(true);
    // and a new one may start
    stdin.write('\x05');
    await waitFor(() => expect(calls).toHaveLength(2));
  });

  it('leaving the inspector stops the running extraction', async () => {
    let signal: AbortSignal | undefined;
    const extractor: Extractor = {
      extract(_req, opts) {
        signal = opts?.signal;
        return new Promise((resolve) => opts?.signal?.addEventListener('abort', () => resolve({ kind: 'cancelled', written: [], bytes: 0 })));
      },
    };
    const { stdin, until, last, unmount } = mount(extractor);
    stdin.write('\t');
    stdin.write('\x05');
    await until(() => last().includes('extracting /'));
    await waitFor(() => expect(signal?.aborted).toBe(false)); // the UI has started it
    unmount();
    expect(signal?.aborted).toBe(true);
  });

  it('without an extractor, Ctrl+E says extraction is not available', async () => {
    const { stdin, until, last } = mount();
    stdin.write('\t');
    stdin.write('\x05');
    await until(() => last().includes('extraction is not available for this source'));
  });

  it('n at the overwrite prompt says nothing was extracted', async () => {
    const extractor: Extractor = { extract: async () => ({ kind: 'conflict', existing: ['passwd', 'hosts'] }) };
    const { stdin, until, last } = mount(extractor);
    stdin.write('\t');
    stdin.write('\x05');
    await until(() => last().includes('Overwrite 2 existing files (passwd, hosts)? y/n'));
    stdin.write('n');
    await until(() => last().includes('nothing extracted: 2 existing files left as they were'));
  });

  it('summarises every skip reason, and X lists them all', async () => {
    const extractor: Extractor = {
      extract: async () => ({
        kind: 'done',
        written: ['etc/'],
        bytes: 5,
        skipped: [
          { path: 'etc/null', reason: 'char-device', kind: 'device' },
          { path: 'etc/sda', reason: 'block-device', kind: 'device' },
          { path: 'etc/..', reason: 'unsafe name', kind: 'unsafe name' },
        ],
      }),
    };
    const { stdin, until, last } = mount(extractor, 24, 120);
    stdin.write('\t');
    stdin.write('\x05');
    await until(() => last().includes('skipped 3: 2 device files, 1 unsafe name (X: list)'));
    stdin.write('X');
    const s = await until((x) => x.includes('Skipped by the last extraction'));
    expect(s).toContain('etc/null  char-device');
    expect(s).toContain('etc/sda  block-device');
    expect(s).toContain('etc/..  unsafe name');
    stdin.write('\x1b');
    await until((x) => x.includes('Files'));
  });

  it('Ctrl+E in the layers pane asks, then extracts the whole filesystem into a directory named after the image', async () => {
    const calls: ExtractRequest[] = [];
    const extractor: Extractor = {
      async extract(req) {
        calls.push(req);
        return { kind: 'done', written: ['test-L1/'], skipped: [], bytes: 0 };
      },
    };
    const { stdin, until, last } = mount(extractor);
    stdin.write('j');
    await until((s) => s.includes('L1: changes of L1'));
    stdin.write('\x05');
    await until(() => last().includes('Extract the whole filesystem of L1 (') && last().includes('into ./test-L1/? y/n'));
    expect(calls).toHaveLength(0);
    stdin.write('y');
    await until(() => last().includes('extracted / from L1 into ./test-L1/: 1 entry, 0 B'));
    expect(calls).toEqual([{ layer: 1, pathId: 0, overwrite: false, into: 'test-L1' }]);
  });
});

describe('search and the wasted-files list in the inspector', () => {
  it('the search prompt and its match count are in the status line; the tree does not move', async () => {
    const { stdin, until, screen, last } = mount();
    stdin.write('\t');
    const before = await until((s) => s.includes('▌Files'));
    // The column headers and the first rows (the path line above them follows the cursor).
    const treeTop = (s: string) => s.split('\n').slice(2, 6).map((l) => l.slice(50)).join('\n');
    stdin.write('/');
    await until(() => last().includes('Search: ▏'));
    stdin.write('a');
    await until(() => /Search: a▏ +match 1\/\d+/.test(last()));
    expect(treeTop(screen())).toBe(treeTop(before));
    expect(screen()).not.toContain('\nSearch:');
  });

  it('W browses the wasted files and Enter shows the path in the tree at the last layer that wrote it', async () => {
    const { stdin, until, last } = mount(undefined, 30);
    await until((s) => s.includes('Count  Total Space  Path'));
    stdin.write('W');
    await until((s) => s.includes('▌Image details') && s.includes('1/5 wasted files'));
    stdin.write('jj');
    await until((s) => s.includes('3/5 wasted files'));
    stdin.write('\r');
    const s = await until(() => last().includes('/etc/passwd: L2 is the last layer that wrote it'));
    expect(s).toContain('▌Files');
    expect(s).toContain('L2: changes of L2');
  });
});
