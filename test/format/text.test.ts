import { describe, expect, it } from 'vitest';
import { cellWidth, formatTimestamp, plural, truncate, truncateMiddle, wrap } from '../../src/format/text.js';

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

describe('formatTimestamp', () => {
  it('writes every RFC 3339 time as the same 19 cells, in UTC', () => {
    expect(formatTimestamp('2018-12-26T08:20:42.030424642Z')).toBe('2018-12-26 08:20:42');
    expect(formatTimestamp('2018-12-26T08:20:42+02:00')).toBe('2018-12-26 06:20:42');
    expect(formatTimestamp('2018-12-26T08:20:42-0130')).toBe('2018-12-26 09:50:42');
    expect(formatTimestamp('2018-12-26T08:20:42')).toBe('2018-12-26 08:20:42');
  });

  it('shows what is not a time as it is, sanitized', () => {
    expect(formatTimestamp(undefined)).toBe('');
    expect(formatTimestamp('yesterday\u001b[2J')).toBe('yesterday?[2J');
  });
});

describe('truncateMiddle on paths', () => {
  it('keeps the last path component whole when it fits', () => {
    const p = '/usr/lib/python3.12/site-packages/urllib3/contrib/fetch_response_handler.py';
    expect(truncateMiddle(p, 29)).toBe('/u…/fetch_response_handler.py');
    expect(truncateMiddle(p, 27).endsWith('fetch_response_handler.py')).toBe(true);
    expect(truncateMiddle(p, 20).endsWith('handler.py')).toBe(true);
  });

  it('cuts in the middle when the last component cannot be whole, never leaving a head of one cell', () => {
    expect(truncateMiddle('/var/cache/apt/pkgcache.bin', 13)).toBe('/var…ache.bin');
    expect(truncateMiddle('/usr/lib/libexample.so.1', 13)).toBe('/usr…ple.so.1');
  });
});

describe('wrap', () => {
  it('splits a word longer than a line starting where the line has room', () => {
    const digest = `file:${'0123456789abcdef'.repeat(4)}`;
    const lines = wrap(`ADD ${digest} in /`, 30);
    expect(lines[0]).toBe(`ADD ${digest.slice(0, 26)}`);
    expect(lines.join('').replace(/ /g, '')).toBe(`ADD${digest}in/`);
    expect(lines.every((l) => cellWidth(l) <= 30)).toBe(true);
  });

  it('never splits a wide character and keeps every line within the width', () => {
    const lines = wrap('echo 日本語のとても長いファイル名日本語のとても長いファイル名.txt', 11);
    expect(lines.every((l) => cellWidth(l) <= 11)).toBe(true);
    expect(lines.join('')).toBe('echo日本語のとても長いファイル名日本語のとても長いファイル名.txt');
  });
});

describe('truncate', () => {
  it('measures as cellWidth does: combining marks take no cell and stay with their letter', () => {
    const accented = 'ab\u0301cd'; // a, b + combining acute, c, d: 4 cells
    expect(cellWidth(accented)).toBe(4);
    expect(truncate(accented, 3)).toBe('ab\u0301…');
    expect(cellWidth(truncate(accented, 3))).toBe(3);
    // Four accented letters (8 code points) fit in four cells.
    expect(truncate('e\u0301'.repeat(4), 4)).toBe('e\u0301'.repeat(4));
    expect(truncate('e\u0301'.repeat(4), 3)).toBe('e\u0301e\u0301…');
  });

  it('counts wide characters as two cells and never splits one', () => {
    expect(truncate('日本語のファイル', 6)).toBe('日本…');
    expect(cellWidth(truncate('日本語のファイル', 6))).toBeLessThanOrEqual(6);
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abc', 3)).toBe('abc');
  });
});
