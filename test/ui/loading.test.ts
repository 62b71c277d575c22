import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressStore } from '../../src/ui/Loading.js';

describe('the loading screen progress store', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns thousands of progress events into at most ten redraws a second, each with the latest figures', () => {
    vi.useFakeTimers();
    const store = createProgressStore('docker-archive:x.tar');
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.get().layers[0]!.done));
    for (let i = 1; i <= 5000; i++) store.update((p) => ({ ...p, layers: [{ done: i, total: 5000 }] }));
    expect(seen).toEqual([]); // nothing redrawn synchronously
    vi.advanceTimersByTime(99);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([5000]);
    // Events spread over one second: one redraw per 100 ms at most.
    for (let t = 0; t < 1000; t += 5) {
      store.update((p) => ({ ...p, layers: [{ done: t, total: 5000 }] }));
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(100);
    expect(seen.length - 1).toBeLessThanOrEqual(11);
    expect(seen.length - 1).toBeGreaterThanOrEqual(9);
    expect(seen.at(-1)).toBe(995);
  });
});
