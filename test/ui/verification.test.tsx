import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleAnalysis } from '../helpers/build-analysis.js';
import { mountApp, waitFor } from './harness.js';

const a = sampleAnalysis();
afterEach(() => cleanup());

describe('the verifying mark', () => {
  it('shows "verifying…" while the bytes are checked, nothing once verified, and a loud line on a mismatch', async () => {
    const r = mountApp({ analysis: a, verification: 'verifying' });
    const statusBar = r.last;
    await waitFor(() => expect(statusBar()).toMatch(/^ verifying… /));
    // The keys of the focused pane still follow the mark.
    const withMark = statusBar();
    r.update({ verification: 'verified' });
    await waitFor(() => expect(statusBar()).not.toContain('verifying'));
    expect(withMark.replace(/^ verifying…/, '').trim().slice(0, 20)).toBe(statusBar().trim().slice(0, 20));


    r.update({ verification: { error: 'img.tar: layer 1 (sha256:ab12): the layer\'s bytes do not match its diffID' } });
    await waitFor(() => expect(statusBar()).toMatch(/^ ✗ NOT VERIFIED: img\.tar: layer 1 \(sha256:ab12\): the layer's bytes do not match/));
    expect(r.screen().split('\n')).toHaveLength(24);
  });
});
