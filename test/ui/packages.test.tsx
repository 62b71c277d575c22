import { existsSync } from 'node:fs';
import { cleanup } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadImage } from '../../src/load/index.js';
import { parseReference } from '../../src/reference/reference.js';
import { createTheme } from '../../src/ui/theme.js';
import { THEME_NAMES } from '../../src/viewmodel/ui-config.js';
import { imageView, type ImageView } from '../../src/viewmodel/view-data.js';
import { localSettings } from '../helpers/load.js';
import { NO_PACKAGE_TOOLS, packageImages } from '../helpers/package-images.js';
import { mountApp } from './harness.js';

afterEach(() => cleanup());

// The App draws the packages pane where the tree was, in the smallest terminal it supports and
// in every theme; a click on the pane's row and the keys reach it as in every other pane.
describe.skipIf(NO_PACKAGE_TOOLS !== undefined)('the packages pane in the App', () => {
  let view: ImageView;
  beforeAll(async () => {
    const im = await packageImages();
    const one = await loadImage(parseReference(im.new.plain, existsSync), { settings: localSettings() });
    await one.close();
    view = imageView(one.analysis, { symbols: true, packages: one.packages });
  }, 240_000);

  it.each(THEME_NAMES)('fits 60x15 in the %s theme: p opens it over the tree, Enter narrows the tree, Esc shows all files', async (name) => {
    const { stdin, until } = mountApp({ view, theme: createTheme(true, name), viewport: { cols: 60, rows: 15 } });
    await until((s) => s.includes('changes of L0'));
    stdin.write('G'); // the last layer
    await until((s) => s.includes('L4'));
    stdin.write('p');
    let s = await until((x) => x.includes('▌Packages'));
    expect(s.split('\n').every((l) => [...l].length <= 60)).toBe(true);
    expect(s.split('\n')).toHaveLength(15);
    expect(s).toContain('rpm r 2-1');
    expect(s).not.toContain('▌Files');
    stdin.write('\r');
    s = await until((x) => x.includes('▌Files') && x.includes('/usr/share/r/data'));
    expect(s).toContain('· only rpm r ·'); // the tree's title says what it shows
    stdin.write('\x1b');
    await until((x) => x.includes('all files again'));
  });

  it('a click on a row of the pane selects it; with room, the owner of the selected file follows its path', async () => {
    const { stdin, until } = mountApp({ view, viewport: { cols: 100, rows: 24 } });
    await until((s) => s.includes('changes of L0'));
    stdin.write('p');
    await until((s) => s.includes('▌Packages') && s.includes('· 1/5'));
    stdin.write('\x1b[<0;80;5M'); // the third row: below the title and the column headers
    await until((s) => s.includes('· 3/5'));
    stdin.write('\r');
    const s = await until((x) => x.includes('▌Files'));
    expect(s).toMatch(/\/usr\/bin\/tool +dpkg pkg-tool 2\.0/); // the third by size: pkg-base, pkg-lib, pkg-tool
  });
});
