import { describe, expect, it } from 'vitest';
import { cellWidth, plural, truncateMiddle } from '../../src/format/text.js';

describe('truncateMiddle', () => {
  it('keeps a path whole when it fits', () => {
    expect(truncateMiddle('/etc/passwd', 11)).toBe('/etc/passwd');
    expect(truncateMiddle('/etc/passwd', 40)).toBe('/etc/passwd');
  });

  it('takes out the middle so the file name at the end stays', () => {
    const p = '/usr/lib/python3.12/site-packages/requests/adapters.py';
    const t = truncateMiddle(p, 30);
    expect(cellWidth(t)).toBe(30);
    expect(t).toContain('…');
    expect(t.startsWith('/usr/lib/')).toBe(true);
    expect(t.endsWith('requests/adapters.py')).toBe(true);
  });

  it('counts wide characters as two cells and never splits one', () => {
    const p = '/データ/とても長いディレクトリ名/ファイル.txt';
    for (const w of [5, 10, 11, 17, 20]) {
      const t = truncateMiddle(p, w);
      expect(cellWidth(t)).toBeLessThanOrEqual(w);
      expect(cellWidth(t)).toBeGreaterThanOrEqual(w - 1);
      expect([...t].every((ch) => p.includes(ch) || ch === '…')).toBe(true);
    }
    expect(truncateMiddle(p, 17).endsWith('.txt')).toBe(true);
  });

  it('handles the smallest widths', () => {
    expect(truncateMiddle('abcdef', 0)).toBe('');
    expect(truncateMiddle('abcdef', 1)).toBe('…');
    expect(truncateMiddle('abcdef', 2)).toBe('…f');
  });
});

describe('plural', () => {
  it('says one entry and two entries', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(0, 'entry', 'entries')).toBe('0 entries');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(14, 'layer')).toBe('14 layers');
  });
});
