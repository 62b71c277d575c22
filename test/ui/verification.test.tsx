import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.js';
import { createTheme } from '../../src/ui/theme.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import type { Verification } from '../../src/viewmodel/rows.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';
import { screenText, waitFor } from './harness.js';

const a = sampleAnalysis();
afterEach(() => cleanup());

describe('the verifying mark', () => {
  it('shows "verifying…" while the bytes are checked, nothing once verified, and a loud line on a mismatch', async () => {
    const app = (v: Verification) => <App analysis={a} keymap={createKeymap()} theme={createTheme(false)} symbols viewport={{ cols: 100, rows: 24 }} onQuit={() => undefined} verification={v} />;
    const r = render(app('verifying'));
    const statusBar = () => screenText(r.lastFrame()).split('\n').at(-1)!;
    await waitFor(() => expect(statusBar()).toMatch(/^ verifying… /));
    // The keys of the focused pane still follow the mark.
    const withMark = statusBar();
    r.rerender(app('verified'));
    await waitFor(() => expect(statusBar()).not.toContain('verifying'));
    expect(withMark.replace(/^ verifying…/, '').trim().slice(0, 20)).toBe(statusBar().trim().slice(0, 20));


    r.rerender(app({ error: 'img.tar: layer 1 (sha256:ab12): the layer\'s bytes do not match its diffID' }));
    await waitFor(() => expect(statusBar()).toMatch(/^ ✗ NOT VERIFIED: img\.tar: layer 1 \(sha256:ab12\): the layer's bytes do not match/));
    expect(screenText(r.lastFrame()).split('\n')).toHaveLength(24);
  });
});
