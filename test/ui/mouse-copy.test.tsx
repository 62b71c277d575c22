import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleAnalysis } from '../helpers/build-analysis.js';
import { mountApp } from './harness.js';

const a = sampleAnalysis();
afterEach(() => cleanup());

const mount = (clipboard?: (text: string) => void) => mountApp({ analysis: a, clipboard });

describe('the mouse in the App', () => {
  it('a click on a layer row selects it; a click on a tree row moves the cursor there', async () => {
    const { stdin, until } = mount();
    await until((s) => s.includes('changes of L0'));
    stdin.write('\x1b[<0;5;4M\x1b[<0;5;4m'); // press and release on the third layer row
    await until((s) => s.includes('L2: changes of L2'));
    stdin.write('\x1b[<0;60;1M'); // the Files title: focus the tree
    await until((s) => s.includes('▌Files'));
    stdin.write('\x1b[<0;60;5M'); // second tree row (below the title, the path line and the column headers)
    const s = await until((x) => /· 2\/\d+/.test(x));
    expect(s).not.toContain('▌Layers');
  });

  it('reports while the filter is typed insert nothing', async () => {
    const { stdin, until } = mount();
    await until((s) => s.includes('changes of L0'));
    stdin.write('\x06'); // Ctrl+F
    await until((s) => s.includes('Filter: ▏'));
    stdin.write('pa');
    stdin.write('\x1b[<0;5;4M\x1b[<64;60;5M');
    stdin.write('s\x1b[<65;60;5M');
    stdin.write('\x1b[M#!!s'); // a legacy report: Ink passes its three bytes on as text
    const s = await until((x) => x.includes('Filter: pass▏'));
    expect(s).toContain('changes of L0');
  });
});

describe('y in the App', () => {
  it('copies the selected path through the clipboard it is given, and says so', async () => {
    const copied: string[] = [];
    const { stdin, until } = mount((t) => copied.push(t));
    await until((s) => s.includes('changes of L0'));
    stdin.write('\t');
    stdin.write('j');
    stdin.write('j');
    await until((s) => /· 3\/\d+/.test(s));
    stdin.write('y');
    await until((s) => s.includes('copied /etc/passwd to the clipboard'));
    expect(copied).toEqual(['/etc/passwd']);
    stdin.write('\t');
    stdin.write('y');
    await until((s) => s.includes(`copied ${a.layers[0]!.digest} to the clipboard`));
    expect(copied).toEqual(['/etc/passwd', a.layers[0]!.digest]);
  });

  it('without a clipboard given, writes OSC 52 to the output', async () => {
    const { stdin, until, frames } = mount();
    await until((s) => s.includes('changes of L0'));
    stdin.write('\t');
    stdin.write('y');
    await until((s) => s.includes('copied /etc to the clipboard'));
    expect(frames.some((f) => f.includes(`\x1b]52;c;${Buffer.from('/etc').toString('base64')}\x07`))).toBe(true);
  });
});
