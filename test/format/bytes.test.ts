import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes } from '../../src/format/bytes.js';

describe('sizes as dive prints and reads them (go-humanize)', () => {
  it.each([
    [0, '0 B'], [9, '9 B'], [10, '10 B'], [999, '999 B'], [1000, '1.0 kB'], [32025, '32 kB'],
    [12810, '13 kB'], [6405, '6.4 kB'], [1220598, '1.2 MB'], [12_500, '12 kB'], [13_500, '14 kB'], [9_960, '10 kB'], [9_940, '9.9 kB'],
  ])('%d → %s', (n, s) => expect(formatBytes(n)).toBe(s));

  it.each([
    ['20MB', 20_000_000], ['20MiB', 20 * 1024 * 1024], ['20M', 20_000_000], ['1.5 GB', 1_500_000_000], ['42', 42], ['1,000 kB', 1_000_000], ['3kib', 3072],
  ])('%s → %d', (s, n) => expect(parseBytes(s)).toBe(n));

  it.each(['', 'lots', '20 parsecs', '-5MB'])('%j is not a size', (s) => expect(parseBytes(s)).toBeUndefined());
});
