import { describe, expect, it } from 'vitest';
import { createTheme, wantsColor } from '../../src/ui/theme.js';
import type { Style } from '../../src/viewmodel/segments.js';
import { THEME_NAMES } from '../../src/viewmodel/ui-config.js';

const STYLES: Style[] = ['normal', 'added', 'removed', 'modified', 'unmodified', 'hidden', 'title', 'title-focused', 'dim', 'key', 'label', 'label-off', 'error', 'marker', 'header'];

describe('themes', () => {
  it('dark is the default and keeps the colours it always had', () => {
    const dark = createTheme(true);
    expect(STYLES.map((s) => dark.style(s))).toEqual(STYLES.map((s) => createTheme(true, 'dark').style(s)));
    expect(dark.style('modified')).toEqual({ color: 'yellow' });
    expect(dark.style('key')).toEqual({ bold: true, color: 'cyan' });
    expect(dark.selection('focused')).toEqual({ inverse: true });
    expect(dark.selection('unfocused')).toEqual({ underline: true });
  });

  it('light maps styles differently: no yellow or cyan, which vanish on white', () => {
    const light = createTheme(true, 'light');
    const dark = createTheme(true, 'dark');
    for (const s of ['added', 'removed', 'modified', 'title-focused', 'key', 'marker'] as const) expect(light.style(s)).not.toEqual(dark.style(s));
    for (const s of STYLES) expect(['yellow', 'cyan', 'yellowBright', 'cyanBright', 'white', 'whiteBright']).not.toContain(light.style(s).color);
  });

  it('high-contrast is bold and bright, nothing dimmed, selections inverted in both panes', () => {
    const hc = createTheme(true, 'high-contrast');
    for (const s of ['added', 'removed', 'modified'] as const) {
      expect(hc.style(s).bold).toBe(true);
      expect(hc.style(s).color).toMatch(/Bright$/);
    }
    for (const s of STYLES) expect(hc.style(s).dimColor).toBeFalsy();
    expect(hc.selection('focused')).toMatchObject({ inverse: true, bold: true });
    expect(hc.selection('unfocused')).toMatchObject({ inverse: true });
  });

  it('a toggle that is off stays told apart from one that is on where dimming is not used: struck through', () => {
    expect(createTheme(false).style('label-off')).toEqual({ strikethrough: true });
    expect(createTheme(false).style('label')).toEqual({});
    expect(createTheme(true, 'high-contrast').style('label-off').strikethrough).toBe(true);
  });

  it('NO_COLOR wins over every theme: not one colour', () => {
    const color = wantsColor({ NO_COLOR: '1' });
    expect(color).toBe(false);
    for (const name of THEME_NAMES) {
      const t = createTheme(color, name);
      expect(t.color).toBe(false);
      for (const s of STYLES) expect(t.style(s).color).toBeUndefined();
      expect(t.style('added')).toEqual({});
      expect(t.selection('focused')).toEqual({ inverse: true });
    }
  });
});
