import { plural } from '../format/text.js';
import { existsSync, openSync } from 'node:fs';
import tty from 'node:tty';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink';
import { useSyncExternalStore } from 'react';
import { createBodyReader } from '../extract/body-reader.js';
import { createExtractor } from '../extract/extract.js';
import type { Platform } from '../reference/platform.js';
import { formatReference, parseReference, type ImageReference } from '../reference/reference.js';
import { UsageError } from '../errors/index.js';
import { loadComparison, loadImage, type LoadedImage, type LoadEvent } from '../load/index.js';
import { createCaches, defaultCacheDir } from '../cache/index.js';
import type { TuiOptions } from './tui-options.js';
import { App } from '../ui/App.js';
import { createProgressStore, Loading, type ProgressStore } from '../ui/Loading.js';
import { useViewport } from '../ui/hooks/use-viewport.js';
import { createTheme, wantsColor, type Theme } from '../ui/theme.js';
import { createKeymap, parseKeyConfig, type Keymap } from '../viewmodel/keymap.js';
import { MOUSE_OFF, MOUSE_ON } from '../viewmodel/mouse.js';
import type { UiSettings } from '../viewmodel/ui-config.js';
import type { Verification } from '../viewmodel/rows.js';
import { comparisonView, imageView, type ViewData } from '../viewmodel/view-data.js';
import { selectPackagesNotice } from '../viewmodel/packages-view.js';
import { describePackageWarning } from '../packages/index.js';

export type { TuiOptions };

const ENTER_ALT = '\x1b[?1049h\x1b[?25l';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

/** Loads the key config; a missing default file is fine, problems become a notice. */
async function loadKeymap(opts: TuiOptions, env: Readonly<Record<string, string | undefined>>): Promise<{ keymap: Keymap; notice?: string; settings?: UiSettings }> {
  const path = opts.keyConfigPath ?? join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'inspect-tui', 'config.yaml');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (opts.keyConfigPath === undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') return { keymap: createKeymap() };
    return { keymap: createKeymap(), notice: `cannot read ${path}: ${(e as Error).message}` };
  }
  const { overrides, problems, settings } = parseKeyConfig(text);
  return { keymap: createKeymap(overrides), notice: problems.length ? `${path}: ${problems.join('; ')}` : undefined, settings };
}

type Screen = {
  /** What the inspector shows: one image, or a comparison; absent while loading. */
  view?: ViewData;
  extractor?: ReturnType<typeof createExtractor>;
  reader?: ReturnType<typeof createBodyReader>;
  verification?: Verification;
  /** Bumped when the screen shows another image, so the view state starts afresh. */
  generation?: number;
  /** Said in the status bar when the screen appears. */
  notice?: string;
};

function createScreenStore() {
  let value: Screen = {};
  const subs = new Set<() => void>();
  return {
    get: () => value,
    set(v: Screen) {
      value = v;
      for (const s of subs) s();
    },
    subscribe(fn: () => void) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

type RootProps = {
  readonly screen: ReturnType<typeof createScreenStore>;
  readonly progress: ProgressStore;
  readonly keymap: Keymap;
  readonly theme: Theme;
  readonly notice?: string;
  readonly onQuit: () => void;
  readonly onCompare?: (reference: string) => void;
};

function Root({ screen, progress, keymap, theme, notice, onQuit, onCompare }: RootProps) {
  const s = useSyncExternalStore(screen.subscribe, screen.get);
  const viewport = useViewport();
  if (!s.view) return <Loading store={progress} viewport={viewport} theme={theme} onQuit={onQuit} />;
  return (
    <App
      // A new image (a comparison opened with `c`) starts a new session of the view state.
      key={s.generation ?? 0}
      view={s.view}
      keymap={keymap}
      theme={theme}
      extractor={s.extractor}
      reader={s.reader}
      onQuit={onQuit}
      notice={s.notice ?? notice}
      verification={s.verification}
      onCompare={onCompare}
    />
  );
}

/**
 * The interactive mode: takes over the terminal (alternate screen), shows loading progress
 * while the image is opened and read, then the inspector. The terminal is restored on every
 * way out: quit, Ctrl+C during loading, SIGINT/SIGTERM/SIGHUP, an error, an uncaught
 * exception. Resolves with the exit code (0 quit, 130 cancelled, 128+n on a signal); load
 * errors are rethrown after the terminal is restored, for the caller to report.
 */
export async function runTui(opts: TuiOptions): Promise<number> {
  const env = opts.env;
  const stdout = process.stdout;
  const color = wantsColor(env);
  // Diff kinds get a symbol column when colour cannot tell them apart.
  const symbols = !color;
  const { keymap, notice, settings } = await loadKeymap(opts, env);
  // Flags win over the config file.
  const theme = createTheme(color, opts.theme ?? settings?.theme ?? 'dark');
  const mouse = opts.mouse ?? settings?.mouse ?? true;

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(mouse ? MOUSE_OFF + LEAVE_ALT : LEAVE_ALT);
  };
  stdout.write(mouse ? ENTER_ALT + MOUSE_ON : ENTER_ALT);

  let finish!: (code: number) => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<number>((res, rej) => {
    finish = res;
    fail = rej;
  });
  const onSignal = (sig: NodeJS.Signals) => finish(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[sig]!);
  const onCrash = (e: unknown) => fail(e);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', restore);

  // When the image itself arrives on stdin (`-`), the keyboard is the controlling terminal.
  let keyboard: tty.ReadStream | undefined;
  if (opts.settings.stdin) {
    try {
      keyboard = new tty.ReadStream(openSync('/dev/tty', 'r'));
    } catch (e) {
      restore();
      throw new UsageError('the image is read from stdin, so the inspector needs a terminal (/dev/tty) for the keyboard; use --ci for a report', { cause: e });
    }
  }
  const progress = createProgressStore(formatReference(opts.reference));
  const screen = createScreenStore();
  const instance = render(<Root screen={screen} progress={progress} keymap={keymap} theme={theme} notice={notice} onQuit={() => finish(0)} onCompare={(r) => compareWith(r)} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    ...(keyboard ? { stdin: keyboard as unknown as NodeJS.ReadStream } : {}),
  });

  // Quitting while the image loads cancels the load.
  const cancel = new AbortController();
  const opened: Pick<LoadedImage, 'close'>[] = [];
  let verifyError: unknown;
  const onEvent = (e: LoadEvent) => {
    if (e.type === 'stage') progress.update((p) => ({ ...p, stage: e.message }));
    else if (e.type === 'opened') {
      progress.update((p) => ({ ...p, reference: e.identity.reference, stage: `reading ${plural(e.layerCount, 'layer')} from ${e.identity.source}`, layers: new Array(e.layerCount).fill(undefined) }));
    } else if (e.type === 'packages') {
      progress.update((p) => ({ ...p, notes: e.warnings.map((w) => `packages: not read: ${describePackageWarning(w)}`) }));
    } else if (e.type === 'layer-progress') {
      progress.update((p) => {
        const layers = p.layers.slice();
        layers[e.layer] = { done: e.done, total: e.total };
        return { ...p, layers };
      });
    }
  };
  // `early`: the inspector shows the analysis while layers are verified, with a mark (below).
  const loadOptions = { settings: opts.settings, caches: opts.noCache ? undefined : createCaches(defaultCacheDir(opts.env)), signal: cancel.signal, onEvent, early: true };
  /** Loads the image (or, with `other`, its comparison with another) and shows it. */
  const show = async (other: ImageReference | undefined, generation: number) => {
    let shown: Screen;
    let loaded: Pick<LoadedImage, 'verified' | 'close'>;
    if (other) {
      // A comparison: both images and the merged tree of what changed.
      const side = (p: Platform | undefined) => (p ? { ...loadOptions, settings: { ...loadOptions.settings, platform: p } } : loadOptions);
      const c = await loadComparison(opts.reference, other, { old: side(opts.platforms?.old), new: side(opts.platforms?.new) });
      loaded = c;
      const packages = c.old.packages && c.new.packages && c.packages ? { old: c.old.packages, new: c.new.packages, diff: c.packages } : undefined;
      shown = { view: comparisonView(c.comparison, c.old.analysis, c.new.analysis, { symbols, packages }) };
    } else {
      const one = await loadImage(opts.reference, loadOptions);
      loaded = one;
      shown = { view: imageView(one.analysis, { symbols, packages: one.packages }), extractor: createExtractor(one.analysis, one.layers, process.cwd()), reader: createBodyReader(one.analysis, one.layers) };
    }
    // A package database that could not be read is said once, as the inspector opens.
    const said = selectPackagesNotice(shown.view!);
    if (said && !notice) shown = { ...shown, notice: said };
    opened.push(loaded);
    if (cancel.signal.aborted) return; // quit meanwhile: the finally below closes it
    // Shown at once, marked until every layer is verified; a mismatch is loud, and reported again on exit.
    screen.set({ ...shown, verification: 'verifying', generation });
    loaded.verified.then(
      () => screen.set({ ...screen.get(), verification: 'verified' }),
      (e: unknown) => {
        if (cancel.signal.aborted) return;
        verifyError = e;
        screen.set({ ...screen.get(), verification: { error: (e as Error).message } });
      },
    );
  };
  const load = show(opts.compareWith, 0);
  load.catch((e: unknown) => {
    if (!cancel.signal.aborted) fail(e);
  });
  /** `c` in the inspector: the comparison of this image with another; on failure, back to this image with the reason. */
  const compareWith = (arg: string) => {
    const before = screen.get();
    const generation = (before.generation ?? 0) + 1;
    let other: ImageReference;
    try {
      other = parseReference(arg, existsSync);
    } catch (e) {
      screen.set({ ...before, generation, notice: (e as Error).message });
      return;
    }
    progress.update((p) => ({ ...p, reference: `${formatReference(opts.reference)} → ${formatReference(other)}`, stage: 'comparing', layers: [] }));
    screen.set({ generation });
    show(other, generation).catch((e: unknown) => {
      if (!cancel.signal.aborted) screen.set({ ...before, generation: generation + 1, notice: `cannot compare: ${(e as Error).message}` });
    });
  };

  try {
    // Quit from the loading screen, a signal or a crash wins over a load still in flight.
    const early = await Promise.race([load.then(() => undefined), done]);
    if (early !== undefined) return early === 0 && !screen.get().view ? 130 : early;
    const code = await done;
    // Bytes that contradict their digests: the exit says so too (main prints it, exit 2).
    if (verifyError !== undefined) throw verifyError;
    return code;
  } finally {
    cancel.abort();
    instance.unmount();
    keyboard?.destroy();
    restore();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', restore);
    await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
  }
}
