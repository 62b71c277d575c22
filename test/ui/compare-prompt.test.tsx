import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceCompleter } from '../../src/cli/run-tui.js';
import { compareImages } from '../../src/core/compare-images.js';
import type { Completer } from '../../src/ui/hooks/use-completion.js';
import { interpretKey } from '../../src/viewmodel/input.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { reduce } from '../../src/viewmodel/reducer.js';
import { selectStatusBar } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createComparisonState, createInitialState, type AppState } from '../../src/viewmodel/state.js';
import { comparisonView, imageView } from '../../src/viewmodel/view-data.js';
import { buildAnalysis, dir, file } from '../helpers/build-analysis.js';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { contentOfEntry } from '../helpers/layers.js';
import { startPodmanService, type PodmanService } from '../helpers/podman-harness.js';
import { mountApp, waitFor } from './harness.js';

afterEach(() => cleanup());

const keymap = createKeymap();
const a = buildAnalysis([{ entries: [dir('etc'), file('etc/os', 10, { content: 'a' })] }]);
const b = buildAnalysis([{ entries: [dir('etc'), file('etc/os', 12, { content: 'b' })] }]);
const one = imageView(a);
const press = (s: AppState, key: string, raw = key) => {
  const out = interpretKey(keymap, s, key, raw);
  return out.kind === 'action' ? reduce(one, s, out.action) : s;
};
const bar = (s: AppState) => lineText(selectStatusBar(keymap, s, 100));

describe('Tab at the compare prompt', () => {
  const typed = (text: string) => [...text].reduce((s, ch) => press(s, ch), press(createInitialState({ cols: 100, rows: 30 }), 'c'));

  it('asks the completer (the UI serves it) and takes a single candidate whole', () => {
    let s = press(typed('exa'), 'tab', '\t');
    expect(s.compare).toEqual({ text: 'exa', completing: true });
    s = reduce(one, s, { type: 'compare.completed', asked: 'exa', candidates: ['examples/'] });
    expect(s.compare).toEqual({ text: 'examples/' });
    expect(bar(s)).toContain('Compare with: examples/▏');
  });

  it('several candidates: the text grows to what they share and they are listed in the status line', () => {
    let s = press(typed('ed'), 'tab', '\t');
    s = reduce(one, s, { type: 'compare.completed', asked: 'ed', candidates: ['edge.oci-archive.tar', 'edge.docker-archive.tar', 'edge-oci-layout/'] });
    expect(s.compare?.text).toBe('edge');
    expect(bar(s)).toMatch(/Compare with: edge▏ +edge-oci-layout\/ +edge\.docker-archive\.tar +edge\.oci-archive\.tar/);
    // typing on drops the list
    expect(press(s, '.').compare).toEqual({ text: 'edge.' });
  });

  it('an answer for text typed on since is dropped; none says so', () => {
    let s = press(typed('x'), 'tab', '\t');
    s = press(s, 'y');
    expect(reduce(one, s, { type: 'compare.completed', asked: 'x', candidates: ['xy-long.tar'] }).compare).toEqual({ text: 'xy' });
    s = press(typed('zz'), 'tab', '\t');
    s = reduce(one, s, { type: 'compare.completed', asked: 'zz', candidates: [] });
    expect(s.compare).toEqual({ text: 'zz' });
    expect(s.message?.text).toBe('nothing to complete zz with');
  });
});

describe('the completer of image arguments', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tmpDir();
    mkdirSync(join(cwd, 'images'));
    writeFileSync(join(cwd, 'images', 'app-1.tar'), '');
    writeFileSync(join(cwd, 'images', 'app-2.tar'), '');
    mkdirSync(join(cwd, 'images', 'app-layout'));
    writeFileSync(join(cwd, 'images', '.hidden.tar'), '');
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  // No daemon answers here: names never come, and the wait for them is bounded.
  const noDaemon = { registry: { caCertFiles: [], insecure: false }, env: { DOCKER_HOST: `unix://${join('/nonexistent', 'docker.sock')}` } };

  it('completes paths in the working directory (directories with a /), after a transport too; hidden files only when asked', async () => {
    const c = createReferenceCompleter(noDaemon, cwd);
    const signal = new AbortController().signal;
    expect(await c.complete('ima', signal)).toEqual(['images/']);
    expect(await c.complete('images/app', signal)).toEqual(['images/app-1.tar', 'images/app-2.tar', 'images/app-layout/']);
    expect(await c.complete('oci:images/app-l', signal)).toEqual(['oci:images/app-layout/']);
    expect(await c.complete('docker-archive:./images/app-2', signal)).toEqual(['docker-archive:./images/app-2.tar']);
    expect(await c.complete('images/.h', signal)).toEqual(['images/.hidden.tar']);
    expect(await c.complete('nowhere/x', signal)).toEqual([]);
  });

  it('a bare word asks the daemon for names only briefly when none answers', async () => {
    const c = createReferenceCompleter(noDaemon, cwd);
    const started = Date.now();
    expect(await c.complete('alp', new AbortController().signal)).toEqual([]);
    expect(await c.complete('docker-daemon:alp', new AbortController().signal)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('with a real daemon (podman)', () => {
    let service: PodmanService | undefined;
    let skipReason = '';
    beforeAll(async () => {
      const started = await startPodmanService([{ archive: join(ROOT, 'examples', 'example-image.tar'), name: 'localhost/example:1' }]);
      if (started.ok) service = started.service;
      else skipReason = started.reason;
    }, 180_000);
    afterAll(async () => service?.stop());

    it("completes a name from the daemon's tagged images", async (ctx) => {
      if (!service) {
        console.warn(`skipping the daemon names: ${skipReason}`);
        return ctx.skip(skipReason);
      }
      const c = createReferenceCompleter({ registry: { caCertFiles: [], insecure: false }, env: { DOCKER_HOST: service.dockerHost } }, cwd);
      // A daemon slower than the wait is asked again on the next Tab (a cold service may be).
      let got: readonly string[] = [];
      for (let i = 0; i < 5 && got.length === 0; i++) got = await c.complete('docker-daemon:localhost/ex', new AbortController().signal);
      expect(got).toEqual(['docker-daemon:localhost/example:1']);
      expect(await c.complete('localhost/e', new AbortController().signal)).toContain('localhost/example:1');
    }, 30_000);
  });
});

describe('a comparison opened with c', () => {
  const c = compareImages(a, b, { old: (g) => contentOfEntry(a.tree.entry(g)), new: (g) => contentOfEntry(b.tree.entry(g)) });
  const cmp = comparisonView(c, a, b);

  it('Esc goes back to the image it was opened from, and c says so; a comparison from `diff` has nothing to go back to', () => {
    const s: AppState = { ...createComparisonState({ cols: 100, rows: 30 }), backTo: 'a.tar' };
    expect(interpretKey(keymap, s, 'esc', '\x1b')).toEqual({ kind: 'back' });
    expect(reduce(cmp, s, { type: 'command', id: 'app.compare' }).message?.text).toBe('this is a comparison: Esc goes back to a.tar, where c compares it with another');
    expect(interpretKey(keymap, createComparisonState({ cols: 100, rows: 30 }), 'esc', '\x1b')).toEqual({ kind: 'none' });
    // Esc closes what is open first
    expect(interpretKey(keymap, { ...s, overlay: 'help' }, 'esc', '\x1b')).toEqual({ kind: 'action', action: { type: 'overlay.close' } });
  });

  it('in the App: the status bar says how to go back, and Esc does', async () => {
    let back = 0;
    const r = mountApp({ view: cmp, backTo: 'a.tar', onBack: () => back++ });
    await r.until((s) => s.includes('OLD → NEW'));
    expect(r.last()).toContain('Esc goes back to a.tar');
    r.stdin.write('\x1b');
    await waitFor(() => expect(back).toBe(1));
  });

  it('in the App, Tab at the prompt fills in what the completer found', async () => {
    const completer: Completer = { complete: async (text) => (text === 'ex' ? ['examples/'] : []) };
    const r = mountApp({ analysis: a, completer });
    await r.until((s) => s.includes('Layers'));
    r.stdin.write('c');
    r.stdin.write('ex');
    await r.until(() => r.last().includes('Compare with: ex▏'));
    r.stdin.write('\t');
    await r.until(() => r.last().includes('Compare with: examples/▏'));
  });
});
