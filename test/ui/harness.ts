import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { expect } from 'vitest';
import type { Analysis } from '../../src/core/analyze.js';
import { App, type AppProps } from '../../src/ui/App.js';
import { createTheme } from '../../src/ui/theme.js';
import { createKeymap } from '../../src/viewmodel/keymap.js';
import { imageView } from '../../src/viewmodel/view-data.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Removes ANSI escape sequences. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');
}

/** Trailing blanks cut per line: goldens compare what a user sees, not padding. */
export function screenText(frame: string | undefined): string {
  return stripAnsi(frame ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/**
 * Compares text with `test/golden/<name>.txt`. Goldens are written only when
 * UPDATE_GOLDEN=1 is set; a missing golden is a failure otherwise.
 */
export function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, `${text}\n`);
    return;
  }
  if (!existsSync(file)) throw new Error(`no golden ${name}.txt: run with UPDATE_GOLDEN=1 to create it`);
  expect(text).toBe(readFileSync(file, 'utf8').replace(/\n$/, ''));
}

/** Polls `check` until it returns without throwing, up to `timeoutMs`; then throws its last error. */
export async function waitFor<T>(check: () => T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/**
 * The props every App test starts from: default keys, no colours, a fixed 100x24 viewport and a
 * quit that does nothing; `analysis` stands for the view of that one image, with symbols.
 */
export type AppTestProps = Partial<AppProps> & ({ readonly analysis: Analysis } | Pick<AppProps, 'view'>);

/** The App's props: `props` over the shared defaults, an `analysis` made the view of that image (built once here). */
function appProps(props: AppTestProps): AppProps {
  const defaults = { keymap: createKeymap(), theme: createTheme(false), viewport: { cols: 100, rows: 24 }, onQuit: () => undefined };
  if (!('analysis' in props)) return { ...defaults, ...props };
  const { analysis, ...rest } = props;
  return { ...defaults, ...rest, view: imageView(analysis, { symbols: true }) };
}

/**
 * Renders the App (ink-testing-library) and adds: the screen as text, `until` a predicate
 * holds on it (polled, returning the screen), its last line (the status bar), and `update`
 * to render it again with some props changed.
 */
export function mountApp(props: AppTestProps) {
  const first = appProps(props);
  const r = render(createElement(App, first));
  const screen = () => screenText(r.lastFrame());
  const until = (pred: (s: string) => boolean) =>
    waitFor(() => {
      const s = screen();
      if (!pred(s)) throw new Error(`screen not as expected:\n${s}`);
      return s;
    });
  const last = () => screen().split('\n').at(-1)!;
  const update = (changed: Partial<AppProps>) => r.rerender(createElement(App, { ...first, ...changed }));
  return { ...r, screen, until, last, update };
}
