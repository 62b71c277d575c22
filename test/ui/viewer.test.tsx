import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { BodyReader, WindowRequest } from '../../src/extract/types.js';
import { buildAnalysis, dir, file } from '../helpers/build-analysis.js';
import { mountApp, waitFor } from './harness.js';

afterEach(() => cleanup());

const v1 = Buffer.from('PORT=80\nMODE=dev\n');
const v2 = Buffer.from('PORT=8080\nMODE=dev\n');
const a = buildAnalysis([
  { entries: [dir('etc'), file('etc/app.conf', v1.length, { content: 'v1' })] },
  { entries: [file('etc/app.conf', v2.length, { content: 'v2' })] },
]);

/** A reader over in-memory bodies that records what it was asked. */
function fakeReader(asked: WindowRequest[]): BodyReader {
  return {
    async read(req) {
      asked.push(req);
      const body = req.layer === 0 ? v1 : v2;
      const bytes = body.subarray(req.offset, req.offset + req.length);
      return { offset: req.offset, bytes, size: body.length, linesBefore: 0 };
    },
    async find() {
      return -1;
    },
    async count() {
      return { starts: [], total: 0 };
    },
  };
}

describe('the viewer and the file diff in the App', () => {
  it('v reads the first window through the reader and shows it; q goes back; d in the history diffs the versions', async () => {
    const asked: WindowRequest[] = [];
    const r = mountApp({ analysis: a, reader: fakeReader(asked), verification: 'verified' });
    const { screen } = r;
    await waitFor(() => expect(screen()).toContain('Layers'));
    r.stdin.write('j'); // L1
    r.stdin.write('\t');
    r.stdin.write('j');
    r.stdin.write('j');
    await waitFor(() => expect(screen()).toMatch(/2\/2/));
    r.stdin.write('v');
    await waitFor(() => expect(screen()).toMatch(/1 │ PORT=8080/));
    expect(screen()).toContain('View /etc/app.conf');
    expect(asked[0]).toMatchObject({ layer: 1, offset: 0, countLines: true });
    r.stdin.write('q');
    await waitFor(() => expect(screen()).toContain('Layers'));
    r.stdin.write('f');
    r.stdin.write('\t');
    await waitFor(() => expect(screen()).toContain('▌File history'));
    r.stdin.write('d');
    await waitFor(() => expect(screen()).toContain('+PORT=8080'));
    expect(screen()).toContain('-PORT=80');
    expect(screen()).toContain('Diff /etc/app.conf');
    // The diff asked for both versions.
    expect(asked.slice(1).map((x) => x.layer).sort()).toEqual([0, 1]);
  });

  it('without a reader the viewer says so in one line; a failed verification still shows over it', async () => {
    const r = mountApp({ analysis: a, verification: { error: 'layer 1: the bytes do not match' } });
    const { screen } = r;
    await waitFor(() => expect(screen()).toContain('Layers'));
    r.stdin.write('\t');
    r.stdin.write('j');
    r.stdin.write('j');
    await waitFor(() => expect(screen()).toMatch(/2\/2/));
    r.stdin.write('v');
    await waitFor(() => expect(screen()).toContain('file contents are not available here'));
    expect(screen().split('\n').at(-1)).toMatch(/NOT VERIFIED: layer 1: the bytes do not match/);
  });
});
