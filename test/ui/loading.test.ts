import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressStore } from '../../src/ui/Loading.js';

describe('the loading screen progress store', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns thousands of progress events into at most four redraws a second, each with the latest figures', () => {
    vi.useFakeTimers();
    const store = createProgressStore('docker-archive:x.tar');
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.get().layers[0]!.done));
    for (let i = 1; i <= 5000; i++) store.update((p) => ({ ...p, layers: [{ done: i, total: 5000 }] }));
    expect(seen).toEqual([]); // nothing redrawn synchronously
    vi.advanceTimersByTime(249);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([5000]);
    // Events spread over one second: one redraw per 250 ms at most.
    for (let t = 0; t < 1000; t += 5) {
      store.update((p) => ({ ...p, layers: [{ done: t, total: 5000 }] }));
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(250);
    expect(seen.length - 1).toBeLessThanOrEqual(5);
    expect(seen.length - 1).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(995);
  });
});

describe('the loading screen at 100x20', () => {
  it('shows the layers being read, not only those waiting: the first not yet read comes first, those read summed up', async () => {
    const { render, cleanup } = await import('ink-testing-library');
    const { createElement } = await import('react');
    const { Loading, createProgressStore: create } = await import('../../src/ui/Loading.js');
    const { createTheme } = await import('../../src/ui/theme.js');
    const store = create('docker-archive:big.tar');
    // 30 layers: 12 read, 2 being read, 16 waiting.
    const layers = Array.from({ length: 30 }, (_, i) => (i < 12 ? { done: 100, total: 100 } : i < 14 ? { done: 40, total: 100 } : undefined));
    store.update((p) => ({ ...p, stage: 'reading 30 layers', layers }));
    await new Promise((r) => setTimeout(r, 300));
    const r = render(createElement(Loading, { store, viewport: { cols: 100, rows: 20 }, theme: createTheme(false), onQuit: () => undefined }));
    const screen = r.lastFrame() ?? '';
    expect(screen).toContain('L0–L11 read');
    expect(screen).toMatch(/^L12 +█+░+ 40 B \/ 100 B/m);
    expect(screen).toMatch(/^L13 /m);
    expect(screen).toContain('waiting');
    expect(screen).not.toMatch(/^L29 /m);
    cleanup();
  });
});
