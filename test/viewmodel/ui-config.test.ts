import { describe, expect, it } from 'vitest';
import { parseKeyConfig } from '../../src/viewmodel/keymap.js';

describe('theme: and mouse: in the config', () => {
  it('are read beside the key bindings', () => {
    const r = parseKeyConfig('theme: light\nmouse: false\nkeybindings:\n  app.quit: x\n');
    expect(r.problems).toEqual([]);
    expect(r.settings).toEqual({ theme: 'light', mouse: false });
    expect(r.overrides).toEqual({ 'app.quit': ['x'] });
  });

  it('without key bindings too', () => {
    expect(parseKeyConfig('theme: high-contrast\n').settings).toEqual({ theme: 'high-contrast' });
    expect(parseKeyConfig('mouse: true\n').settings).toEqual({ mouse: true });
  });

  it('a bad value is a problem reported, never a crash, and the rest still applies', () => {
    const r = parseKeyConfig('theme: solarized\nmouse: off-ish\nkeybindings:\n  app.quit: x\n');
    expect(r.settings).toEqual({});
    expect(r.problems).toEqual(['unknown theme "solarized" (one of dark, light, high-contrast)', 'mouse must be true or false, not "off-ish"']);
    expect(r.overrides).toEqual({ 'app.quit': ['x'] });
    expect(parseKeyConfig('theme: [1]\nkeybindings: 3\n').problems).toEqual(['unknown theme [1] (one of dark, light, high-contrast)', 'keybindings must be a mapping of command to keys']);
  });
});
