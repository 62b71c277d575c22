import { Box, Text } from 'ink';
import { useSyncExternalStore } from 'react';
import { formatBytes, fit, sanitize } from '../format/index.js';
import type { KeyboardProtocol, Viewport } from '../viewmodel/index.js';
import { useKeys } from './hooks/use-keys.js';
import type { Theme } from './theme.js';

/** What the loader reports while an image is opened and read. */
export type LoadProgress = {
  readonly reference: string;
  readonly stage: string;
  /** Bytes read and total per layer, by index (holes until a layer starts). */
  readonly layers: readonly ({ readonly done: number; readonly total?: number } | undefined)[];
  /** Warnings to show under the bars, one line each (a package database that could not be read). */
  readonly notes?: readonly string[];
};

/** A tiny external store the loader writes and the loading screen reads. */
export type ProgressStore = {
  get(): LoadProgress;
  update(patch: (p: LoadProgress) => LoadProgress): void;
  subscribe(fn: () => void): () => void;
};

/**
 * How often the loading screen may redraw: four times a second still reads as live. Each frame
 * is drawn on the thread that reads the image; at ten a second they took ~0.6 s of its CPU
 * before the first screen of a 200k-file image (`node --cpu-prof`, uncached).
 */
const NOTIFY_MS = 250;

export function createProgressStore(reference: string): ProgressStore {
  let value: LoadProgress = { reference, stage: 'opening', layers: [] };
  const subs = new Set<() => void>();
  let scheduled = false;
  return {
    get: () => value,
    update(patch) {
      value = patch(value);
      // Progress events arrive by the thousand, and every notice redraws the screen on the
      // thread that reads the image: at most one per NOTIFY_MS.
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        for (const s of subs) s();
      }, NOTIFY_MS);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

export type LoadingProps = {
  readonly store: ProgressStore;
  readonly viewport: Viewport;
  readonly theme: Theme;
  readonly onQuit: () => void;
  /** The terminal said it tells Enter from Ctrl+M (its answer arrives while loading, as a rule). */
  readonly onKeyboard?: (p: KeyboardProtocol) => void;
};

/** Whether a layer's bytes are all read. */
const finished = (l: LoadProgress['layers'][number]) => l !== undefined && l.total !== undefined && l.done >= l.total;

/**
 * Which layers' bars fit in `room` rows: from the first layer not yet read, so the layers being
 * read are on screen before those still waiting (the ones read are summed up above them). Every
 * layer read: the last ones.
 */
export function loadingWindow(layers: LoadProgress['layers'], room: number): { readonly start: number; readonly count: number } {
  const n = layers.length;
  if (n <= room) return { start: 0, count: n };
  const first = layers.findIndex((l) => !finished(l));
  const start = first < 0 ? n - room : Math.min(first, n - room);
  return { start, count: room };
}

/** The loading screen: source, stage, one progress bar per layer. q or Ctrl+C leaves. */
export function Loading({ store, viewport, theme, onQuit, onKeyboard }: LoadingProps) {
  const p = useSyncExternalStore(store.subscribe, store.get);
  useKeys(
    (key) => {
      if (key === 'ctrl+c' || key === 'q' || key === 'esc') onQuit();
    },
    undefined,
    onKeyboard,
  );
  const barWidth = Math.max(10, Math.min(40, viewport.cols - 40));
  const room = Math.max(1, viewport.rows - 6);
  const win = loadingWindow(p.layers, room);
  const shown = p.layers.slice(win.start, win.start + win.count);
  const offset = win.start;
  return (
    <Box flexDirection="column" width={viewport.cols} height={viewport.rows}>
      <Text {...theme.style('title-focused')} wrap="truncate">
        Loading {p.reference}
      </Text>
      <Text wrap="truncate" {...theme.style('dim')}>
        {p.stage}
      </Text>
      <Text {...theme.style('dim')} wrap="truncate">
        {win.start > 0 ? `L0–L${win.start - 1} read` : ' '}
      </Text>
      {shown.map((l, i) => {
        const frac = l?.total ? Math.min(1, l.done / l.total) : l && l.done > 0 ? 1 : 0;
        const filled = Math.round(frac * barWidth);
        return (
          <Text key={i + offset} wrap="truncate">
            {fit(`L${i + offset}`, 5)}
            <Text {...theme.style('added')}>{'█'.repeat(filled)}</Text>
            <Text {...theme.style('dim')}>{'░'.repeat(barWidth - filled)}</Text> {l ? `${formatBytes(l.done)}${l.total ? ` / ${formatBytes(l.total)}` : ''}` : 'waiting'}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      {(p.notes ?? []).slice(0, 3).map((n, i) => (
        <Text key={`note-${i}`} wrap="truncate" {...theme.style('error')}>
          {sanitize(n)}
        </Text>
      ))}
      <Text {...theme.style('dim')}>q or Ctrl+C to cancel</Text>
    </Box>
  );
}
