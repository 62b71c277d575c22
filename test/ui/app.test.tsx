import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Extractor, ExtractRequest } from '../../src/extract/types.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';
import { expectGolden, mountApp, waitFor } from './harness.js';

const a = sampleAnalysis();
afterEach(() => cleanup());

const mount = (extractor?: Extractor, quit: () => void = () => undefined) => mountApp({ analysis: a, extractor, onQuit: quit });

describe('App', () => {
  it('renders the full layout at 100x24', async () => {
    const { until } = mount();
    const s = await until((x) => x.includes('Layers') && x.includes('Files'));
    expect(s.split('\n')).toHaveLength(24);
    expectGolden('app-100x24', s);
  });

  it('moves between layers, switches pane, toggles a diff kind and filters by keys', async () => {
    const { stdin, until } = mount();
    await until((s) => s.includes('changes of L0'));
    stdin.write('j');
    await until((s) => s.includes('L1: changes of L1'));
    stdin.write('\t');
    stdin.write('\x15'); // Ctrl+U: hide unmodified
    await until((s) => s.includes('hiding unmodified') && !s.includes('└── var'));
    stdin.write('\x06'); // Ctrl+F
    stdin.write('curl');
    let s = await until((x) => x.includes('Filter: curl'));
    s = await until((x) => x.includes('└── curl') && !x.includes('── passwd'));
    stdin.write('\r');
    await until((x) => x.includes('Filter: curl') && !x.includes('curl▏'));
    stdin.write('?');
    s = await until((x) => x.includes('Everywhere'));
    expect(s).toContain('Quit');
    stdin.write('G'); // scrolls the help to its end
    s = await until((x) => x.includes('Esc or ? closes this help.'));
    expect(s).toContain('a hard link: the same file as that path'); // the symbols close the help
    stdin.write('\x1b');
    await until((x) => x.includes('Files'));
  });

  it('Ctrl+E extracts the selected path, asks before overwriting, and reports what it wrote', async () => {
    const calls: ExtractRequest[] = [];
    const extractor: Extractor = {
      async extract(req) {
        calls.push(req);
        return req.overwrite ? { kind: 'done', written: ['passwd'], skipped: [], bytes: 120 } : { kind: 'conflict', existing: ['passwd'] };
      },
    };
    const { stdin, until } = mount(extractor);
    stdin.write('j\t'); // layer 1, tree pane
    stdin.write('jj'); // /etc/passwd
    await until((s) => s.includes('3/12'));
    stdin.write('\x05');
    await until((s) => s.includes('Overwrite 1 existing file (passwd)? y/n'));
    stdin.write('y');
    await until((s) => s.includes('extracted /etc/passwd from L1 to ./passwd: 1 entry, 120 B'));
    expect(calls).toEqual([
      { layer: 1, pathId: a.tree.find('etc/passwd'), overwrite: false },
      { layer: 1, pathId: a.tree.find('etc/passwd'), overwrite: true },
    ]);
  });

  it('q quits, and so does Ctrl+C from inside the filter line', async () => {
    let quits = 0;
    const { stdin, until } = mount(undefined, () => quits++);
    await until((s) => s.includes('Layers'));
    stdin.write('q');
    await waitFor(() => expect(quits).toBe(1));
    stdin.write('\x06');
    await until((s) => s.includes('Filter:'));
    stdin.write('\x03');
    await waitFor(() => expect(quits).toBe(2));
  });

  it('a terminal below 60x15 shows one centred notice instead of overlapping panes, and q still quits', async () => {
    let quits = 0;
    const r = mountApp({ analysis: a, viewport: { cols: 30, rows: 8 }, onQuit: () => quits++ });
    const s = await r.until((t) => t.includes('too small'));
    expect(s.replace(/\s+/g, ' ')).toContain('terminal too small (need 60x15, have 30x8)');
    expect(s).not.toContain('Layers');
    expect(s).not.toContain('Files');
    const lines = s.split('\n');
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    // centred: blank rows above the notice, and it is indented
    expect(lines[0]!.trim()).toBe('');
    expect(lines.find((l) => l.includes('too small'))!).toMatch(/^ +terminal/);
    r.stdin.write('q');
    await waitFor(() => expect(quits).toBe(1));
  });
});
