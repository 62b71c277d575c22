import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_PACKAGE_TOOLS, packageImages, type PackageImages } from '../helpers/package-images.js';
import { hasTmux, inspector, type Inspector } from '../helpers/tmux.js';

// The built inspector in tmux on images whose package databases dpkg, npm and rpm wrote: `p`
// on one image (a layer's packages, Enter narrowing the tree, Esc back), and the packages that
// differ in `inspect-tui diff`. Colour off (NO_COLOR): the change marks are then the only signal.

/** The packages pane's rows on a screen `cols` wide (the right column), blanks collapsed: `↑ 700 B 1 L2 dpkg pkg-tool 2.0 → 2.1`. */
function packageRows(screen: string, cols: number): string[] {
  const right = Math.max(24, Math.min(Math.floor(cols * 0.42), 90)) + 1;
  return screen
    .split('\n')
    .map((l) => [...l].slice(right).join('').replace(/\s+/g, ' ').trim())
    .filter((l) => /\b(dpkg|npm|rpm) \S+ \S/.test(l) && !l.startsWith('▌') && !l.includes('Package'));
}

let app: Inspector | undefined;
afterEach(() => {
  app?.stop();
  app = undefined;
});

describe.skipIf(!hasTmux || NO_PACKAGE_TOOLS !== undefined)('packages in the inspector, in tmux', () => {
  let im: PackageImages;
  beforeAll(async () => {
    im = await packageImages();
  }, 240_000);

  it('p lists the selected layer\'s packages, Enter shows one package\'s files with their owner, Esc all files, q quits', async () => {
    app = inspector({ name: 'packages', args: [im.new.gzip], cols: 120, rows: 32, env: { NO_COLOR: '1' } });
    app.start();
    const { keys, until, text } = app;
    await until((x) => x.includes('changes of L0'), 'the inspector');
    keys('j', 'j');
    // The packages are read once the tree is shown: pending until then.
    let s = await until((x) => x.includes('L2: changes of L2') && !x.includes('Pkgs:   pending'), 'layer 2 with its packages');
    expect(s).toMatch(/Pkgs: +\+1 −0 ~2 packages/);
    keys('p');
    s = await until((x) => x.includes('▌Packages') && x.includes('L2 +1 −0 ~4'), 'the packages pane');
    expect(packageRows(s, 120)).toEqual([
      '↓ 900 B 1 L2 dpkg pkg-lib 1.5 → 1.4',
      '↑ 700 B 1 L2 dpkg pkg-tool 2.0 → 2.1',
      '~ 80 B 1 L0 dpkg pkg-same 1.0',
      '~ 40 B 1 L0 dpkg pkg-edit 1.0',
      '+ 10 B 1 L2 dpkg pkg-new 0.1',
      '2.1 kB 2 L0 dpkg pkg-base 1.0',
      '334 B 2 L1 npm pkg-a 1.0.0',
      '134 B 2 L1 npm pkg-b 1.0.0',
    ]);
    // The filter: live, Esc clears it.
    keys('/');
    text('tool');
    s = await until((x) => x.includes('Filter: tool') && x.includes('· 1/1'), 'the filter');
    keys('Enter');
    await until((x) => !x.includes('tool▏'), 'the filter kept');
    keys('Enter');
    s = await until((x) => x.includes('only dpkg pkg-tool'), 'the narrowed tree');
    expect(s).toMatch(/\/usr\/bin\/tool +dpkg pkg-tool 2\.1/);
    expect(s.split('\n').filter((l) => /[├└]── /.test(l)).map((l) => l.replace(/^.*[├└]── /, '').trim())).toEqual(['usr', 'bin', 'tool']);
    keys('i');
    s = await until((x) => x.includes('Owner:'), 'the history view with the owner');
    expect(s).toMatch(/Owner: +dpkg pkg-tool 2\.1/);
    keys('Escape');
    await until((x) => x.includes('only dpkg pkg-tool') && !x.includes('Owner:'), 'back to the tree');
    keys('Escape');
    await until((x) => x.includes('all files again') && !x.includes('only dpkg'), 'all files');
    keys('q');
    await until((x) => x.includes('EXIT:0'), 'exit');
  });

  it('inspect-tui diff: p lists the packages that differ, by size change; Enter shows the changed files of one', async () => {
    app = inspector({ name: 'diff-packages', args: ['diff', im.old.plain, im.new.gzip], cols: 110, rows: 30, env: { NO_COLOR: '1' } });
    app.start();
    const { keys, until } = app;
    await until((x) => x.includes('OLD → NEW') && x.includes('2 shared'), 'the comparison');
    keys('p');
    let s = await until((x) => x.includes('▌Packages') && x.includes('OLD → NEW +'), 'the packages that differ');
    expect(packageRows(s, 110).slice(0, 5)).toEqual([
      '- -2.1 kB 2 dpkg pkg-base 1.0',
      `+ +${im.expected.new.find((p) => p.name === 'pkg-c')!.sizeBytes} B 2 npm pkg-c 3.0.0`,
      '↑ +200 B 1 dpkg pkg-tool 2.0 → 2.1',
      '↓ -100 B 1 dpkg pkg-lib 1.5 → 1.4',
      '~ +30 B 1 dpkg pkg-same 1.0',
    ]);
    keys('C-o');
    s = await until((x) => x.includes('by name'), 'sorted by name');
    keys('g', 'j', 'j', 'j', 'j', 'j'); // by name: pkg-base, pkg-c, pkg-edit, pkg-lib, pkg-new, pkg-same, …
    s = await until((x) => x.includes('· 6/'), 'the sixth package');
    keys('Enter');
    s = await until((x) => x.includes('only dpkg pkg-same'), 'its files');
    expect(s).toMatch(/\+30 B +└── file/);
    keys('q');
    await until((x) => x.includes('EXIT:0'), 'exit');
  });
});
