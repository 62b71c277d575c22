import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../../src/sources/registry/retry.js';

const tuning = { baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelay', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('doubles per attempt and stops at maxDelayMs (no jitter at its top)', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(tuning, n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('takes at least half of the delay when jitter is at its bottom', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(tuning, n))).toEqual([50, 100, 200, 400, 500]);
  });

  it('keeps random jitter within [50%, 100%] of the capped delay', () => {
    const seen = new Set<number>();
    for (let attempt = 1; attempt <= 8; attempt++) {
      const full = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(tuning, attempt);
        expect(d).toBeGreaterThanOrEqual(full / 2);
        expect(d).toBeLessThanOrEqual(full);
        if (attempt === 8) seen.add(d);
      }
    }
    // Jitter really varies: 200 draws at the cap do not all land on one value.
    expect(seen.size).toBeGreaterThan(1);
  });
});
