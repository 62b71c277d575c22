import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { GLYPHS, selectHelpLines } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { ROOT } from '../helpers/image-files.js';

describe('the symbols on screen are explained', () => {
  const help = selectHelpLines(createKeymap(), 120).map(lineText).join('\n');

  it.each([
    ['⊕', /⊕ usr +a collapsed directory/],
    ['a trailing /', /tmp\/ +an empty directory/],
    ['⇒', /⇒ \/bin\/busybox +a hard link: the same file as that path/],
    ['→', /→ busybox +a symbolic link and its target/],
  ])('%s, in the help (?)', (_, line) => expect(help).toMatch(line));

  it('in the README too: collapsed, empty directory, symlink and hard link', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const colours = readme.slice(readme.indexOf('### Colours and symbols'));
    expect(colours).toMatch(/`⊕` marks a collapsed\s+directory/);
    expect(colours).toMatch(/a trailing `\/` an empty one/);
    expect(colours).toMatch(/`⇒` a hard link's/);
    expect(GLYPHS.length).toBeGreaterThanOrEqual(4);
  });
});
