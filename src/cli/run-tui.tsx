import { plural, escapeControl } from '../format/index.js';
import { existsSync, openSync } from 'node:fs';
import tty from 'node:tty';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createBodyReader, createExtractor } from '../extract/index.js';
import { formatReference, parseReference, type ImageReference } from '../reference/index.js';
import { UsageError } from '../errors/index.js';
import { loadComparison, loadImage, type LoadedImage, type LoadEvent } from '../load/index.js';
import { readConfigFile } from './config-file.js';
import { withPlatform } from './settings.js';
import type { TuiOptions } from './tui-options.js';
// Types only from ui/: its door loads Ink and React, which tui-root.tsx imports while the image loads.
import type { Completer, LoadProgress, ProgressStore } from '../ui/index.js';
import { imageNames, type SourceSettings } from '../sources/index.js';
import {
  createKeymap,
  createTheme,
  parseKeyConfig,
  type Keymap,
  KITTY_KEYS_OFF,
  KITTY_KEYS_ON,
  KITTY_KEYS_QUERY,
  type KeyboardProtocol,
  MOUSE_OFF,
  MOUSE_ON,
  type UiSettings,
  type Verification,
  comparisonView,
  imageView,
  withPackages,
  type ImageView,
  type ViewData,
  selectPackagesNotice,
  wantsColor,
} from '../viewmodel/index.js';
import { describePackageWarning } from '../packages/index.js';

export type { TuiOptions };

const ENTER_ALT = '\x1b[?1049h\x1b[?25l';
/**
 * How long after the inspector's first commit the package databases start being read, so that
 * the frame marking them pending is written first. Ink writes at most one frame per 34 ms, but
 * its first frame of the inspector (layout and the first tree) can take longer than that to go
 * out on a busy machine: at 40 ms the packages of a cached image replaced the pending mark
 * before it was ever written. Only the package figures wait for it.
 */
const PACKAGES_AFTER_MS = 150;
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

/**
 * Loads the key config before the terminal is taken over. A missing default file is fine and a
 * problem inside it becomes a notice; a file that is no regular file or holds more than 1 MiB
 * is a UsageError naming it (`readConfigFile`).
 */
async function loadKeymap(configPath: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<{ keymap: Keymap; notice?: string; settings?: UiSettings }> {
  const path = configPath ?? join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'inspect-tui', 'config.yaml');
  let text: string | undefined;
  try {
    text = await readConfigFile(path, path, configPath === undefined);
  } catch (e) {
    const bounds = e instanceof UsageError && (e.reason === 'not a regular file' || e.reason === 'too large');
    if (bounds) throw e;
    return { keymap: createKeymap(), notice: (e as Error).message };
  }
  if (text === undefined) return { keymap: createKeymap() };
  const { overrides, problems, settings } = parseKeyConfig(text);
  return { keymap: createKeymap(overrides), notice: problems.length ? `${path}: ${problems.join('; ')}` : undefined, settings };
}

/** How long Tab waits for a daemon's image names: one that answers slower is left out of completion. */
const DAEMON_NAMES_WAIT_MS = 300;
/** Candidates a completion offers at most (a directory of thousands lists its first, sorted). */
const MAX_CANDIDATES = 200;

/**
 * Completes an image argument typed at the `c` prompt: a path (after `docker-archive:`,
 * `oci-archive:`, `oci:` or bare) from the files and directories there, relative to `cwd`; a
 * name (after `docker-daemon:`, or bare) from the daemon's tagged images, through the sources'
 * table, only if a daemon answers within `DAEMON_NAMES_WAIT_MS` (its list is then kept).
 */
export function createReferenceCompleter(settings: SourceSettings, cwd: string): Completer {
  // Asked again on a later Tab until a daemon answers in time; then its list is kept.
  let daemon: readonly string[] | undefined;
  const daemonNames = async () => {
    if (daemon) return daemon;
    const names = await imageNames('docker-daemon', { ...settings, signal: AbortSignal.timeout(DAEMON_NAMES_WAIT_MS) });
    if (names.length > 0) daemon = names;
    return names;
  };
  const paths = async (prefix: string, typed: string, signal: AbortSignal): Promise<string[]> => {
    const cut = typed.lastIndexOf('/') + 1;
    const dir = typed.slice(0, cut);
    const base = typed.slice(cut);
    const full = dir.startsWith('~/') ? join(homedir(), dir.slice(2)) : resolve(cwd, dir || '.');
    const entries = await readdir(full, { withFileTypes: true }).catch(() => []);
    signal.throwIfAborted();
    const out: string[] = [];
    for (const e of entries.sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (!e.name.startsWith(base) || (e.name.startsWith('.') && !base.startsWith('.'))) continue;
      // A symlink to a directory completes as one (one stat, for links only).
      const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(join(full, e.name)).then((st) => st.isDirectory(), () => false)));
      out.push(`${prefix}${dir}${e.name}${isDir ? '/' : ''}`);
      if (out.length >= MAX_CANDIDATES) break;
    }
    return out;
  };
  return {
    async complete(text, signal) {
      const m = /^(docker-archive:|oci-archive:|oci:|docker-daemon:)?(.*)$/s.exec(text)!;
      const prefix = m[1] ?? '';
      const rest = m[2]!;
      const names = async () => (await daemonNames()).filter((n) => n.startsWith(rest)).map((n) => `${prefix}${n}`);
      if (prefix === 'docker-daemon:') return (await names()).slice(0, MAX_CANDIDATES);
      const files = await paths(prefix, rest, signal);
      // A bare word may be a file or a name the daemon has (`localhost/app` too).
      const looksLikePath = prefix !== '' || /^[./~]/.test(rest);
      return looksLikePath ? files : [...files, ...(await names())].slice(0, MAX_CANDIDATES);
    },
  };
}

/** What the inspector shows once an image is loaded (`tui-root.tsx` renders it). */
export type Screen = {
  /** What the inspector shows: one image, or a comparison; absent while loading. */
  view?: ViewData;
  extractor?: ReturnType<typeof createExtractor>;
  reader?: ReturnType<typeof createBodyReader>;
  verification?: Verification;
  /** Bumped when the screen shows another image, so the view state starts afresh. */
  generation?: number;
  /** Said in the status bar when the screen appears. */
  notice?: string;
  /** How the terminal reports keys (it answers the query while the image loads, as a rule). */
  keyboard?: KeyboardProtocol;
  /** Completes the image typed at the `c` prompt. */
  completer?: Completer;
  /** A comparison opened with `c`: the image it came from, and going back to it. */
  backTo?: string;
  onBack?: () => void;
};

/** The screen as a store the Ink root subscribes to. */
export type ScreenStore = ReturnType<typeof createScreenStore>;

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

/**
 * The interactive mode: takes over the terminal (alternate screen), shows loading progress
 * while the image is opened and read, then the inspector. The terminal is restored on every
 * way out: quit, Ctrl+C during loading, SIGINT/SIGTERM/SIGHUP, an error, an uncaught
 * exception. Resolves with the exit code (0 quit, 130 cancelled, 128+n on a signal); load
 * errors are rethrown after the terminal is restored, for the caller to report.
 */
export async function runTui(opts: TuiOptions): Promise<number> {
  // Ink and React load while the key config is read and the image is opened: most of the time
  // before the first output was loading them, with the image not yet asked for.
  const ui = import('./tui-root.js');
  ui.catch(() => undefined); // awaited below
  const env = opts.env;
  const stdout = process.stdout;
  const color = wantsColor(env);
  // Diff kinds get a symbol column when colour cannot tell them apart.
  const symbols = !color;
  const { keymap, notice, settings } = await loadKeymap(opts.keyConfigPath, env);
  // Flags win over the config file.
  const theme = createTheme(color, opts.theme ?? settings?.theme ?? 'dark');
  const mouse = opts.mouse ?? settings?.mouse ?? true;

  let restored = false;
  // kitty's keyboard protocol is pushed on the alternate screen (a terminal keeps one stack per
  // screen) and popped before leaving it, on every way out; terminals without it ignore both.
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(KITTY_KEYS_OFF + (mouse ? MOUSE_OFF : '') + LEAVE_ALT);
  };
  stdout.write(ENTER_ALT + (mouse ? MOUSE_ON : '') + KITTY_KEYS_ON + KITTY_KEYS_QUERY);

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
  if (opts.load.settings.stdin) {
    try {
      keyboard = new tty.ReadStream(openSync('/dev/tty', 'r'));
    } catch (e) {
      restore();
      throw new UsageError('the image is read from stdin, so the inspector needs a terminal (/dev/tty) for the keyboard; use --ci for a report', { cause: e });
    }
  }
  // Progress that arrives before the loading screen exists is kept for it.
  let progress: ProgressStore | undefined;
  const queued: ((p: LoadProgress) => LoadProgress)[] = [];
  const updateProgress = (patch: (p: LoadProgress) => LoadProgress) => (progress ? progress.update(patch) : queued.push(patch));
  const screen = createScreenStore();
  const completer = createReferenceCompleter(opts.load.settings, process.cwd());
  /** What to do once a screen generation's inspector is drawn (the packages are read then). */
  const whenShown = new Map<number, () => void>();
  const onShown = (generation: number) => {
    const then = whenShown.get(generation);
    whenShown.delete(generation);
    // After Ink's throttled write of that frame, so the pending marks are on screen first.
    if (then) setTimeout(then, PACKAGES_AFTER_MS);
  };

  // Quitting while the image loads cancels the load.
  const cancel = new AbortController();
  const opened: Pick<LoadedImage, 'close'>[] = [];
  let verifyError: unknown;
  const onEvent = (e: LoadEvent) => {
    if (e.type === 'stage') updateProgress((p) => ({ ...p, stage: e.message }));
    else if (e.type === 'opened') {
      updateProgress((p) => ({ ...p, reference: opts.label ?? e.identity.reference, stage: `reading ${plural(e.layerCount, 'layer')} from ${e.identity.source}`, layers: new Array(e.layerCount).fill(undefined) }));
    } else if (e.type === 'packages') {
      updateProgress((p) => ({ ...p, notes: e.warnings.map((w) => `packages: not read: ${describePackageWarning(w)}`) }));
    } else if (e.type === 'layer-progress') {
      updateProgress((p) => {
        const layers = p.layers.slice();
        layers[e.layer] = { done: e.done, total: e.total };
        return { ...p, layers };
      });
    }
  };
  // `early`: the inspector shows the analysis while layers are verified, with a mark (below).
  const loadOptions = { ...opts.load, signal: cancel.signal, onEvent, early: true };
  /** The image's own screen, kept while a comparison opened with `c` is shown, for Esc to go back to. */
  let imageScreen: Screen | undefined;
  /** Loads the image (or, with `other`, its comparison with another) and shows it. */
  const show = async (other: ImageReference | undefined, generation: number) => {
    let shown: Screen;
    let loaded: Pick<LoadedImage, 'verified' | 'close'>;
    if (other) {
      // A comparison: both images and the merged tree of what changed.
      const c = await loadComparison(opts.reference, other, { old: withPlatform(loadOptions, opts.platforms?.old), new: withPlatform(loadOptions, opts.platforms?.new) });
      loaded = c;
      const packages = c.old.packages && c.new.packages && c.packages ? { old: c.old.packages, new: c.new.packages, diff: c.packages } : undefined;
      shown = { view: comparisonView(c.comparison, c.old.analysis, c.new.analysis, { symbols, packages }) };
      // Opened with `c` from the image: Esc goes back to it, and the comparison is let go.
      const from = imageScreen;
      if (from) {
        shown.backTo = formatReference(opts.reference);
        shown.onBack = () => {
          opened.splice(opened.indexOf(c), 1);
          void c.close().catch(() => undefined);
          screen.set({ ...imageScreen!, generation: generation + 1, notice: undefined, keyboard: screen.get().keyboard });
        };
      }
    } else {
      // The package databases are read once the tree is on screen; what depends on them says "pending" until then.
      const one = await loadImage(opts.reference, { ...loadOptions, deferPackages: true });
      loaded = one;
      const analysis = opts.label === undefined ? one.analysis : { ...one.analysis, identity: { ...one.analysis.identity, reference: opts.label } };
      const pending = opts.load.settings.packages !== false;
      if (pending) whenShown.set(generation, () => packagesRead(one, generation));
      shown = {
        view: imageView(analysis, { symbols, sources: one.lines.sources, packages: one.packages, packagesPending: pending }),
        extractor: createExtractor(analysis, one.layers, process.cwd()),
        reader: createBodyReader(analysis, one.layers),
        completer,
        // A --dockerfile that does not describe the image: said once, in the status bar.
        ...(one.lines.warnings.length > 0 ? { notice: `warning: ${escapeControl(one.lines.warnings.join('; '))}` } : {}),
      };
    }
    // A package database that could not be read is said once, as the inspector opens.
    const said = selectPackagesNotice(shown.view!);
    if (said && !notice && !shown.notice) shown = { ...shown, notice: said };
    opened.push(loaded);
    if (cancel.signal.aborted) return; // quit meanwhile: the finally below closes it
    // Shown at once, marked until every layer is verified; a mismatch is loud, and reported again on exit.
    const first: Screen = { ...shown, verification: 'verifying', generation, keyboard: screen.get().keyboard };
    if (!other) imageScreen = first;
    screen.set(first);
    const settle = (verification: Verification) => {
      if (!other && imageScreen) imageScreen = { ...imageScreen, verification };
      if (screen.get().generation === generation) screen.set({ ...screen.get(), verification });
    };
    loaded.verified.then(
      () => settle('verified'),
      (e: unknown) => {
        if (cancel.signal.aborted) return;
        verifyError = e;
        settle({ error: (e as Error).message });
      },
    );
  };
  /** The deferred packages of the image of `generation`, read now and put in its view (and said, when a database could not be read). */
  const packagesRead = (one: LoadedImage, generation: number) => {
    one.readPackages().then(
      (packages) => {
        if (cancel.signal.aborted) return;
        const update = (sc: Screen): Screen => {
          const view = withPackages(sc.view as ImageView, packages);
          const said = selectPackagesNotice(view);
          return { ...sc, view, ...(said && !notice && !sc.notice ? { notice: said } : {}) };
        };
        if (imageScreen?.generation === generation) imageScreen = update(imageScreen);
        if (screen.get().generation === generation && screen.get().view?.kind === 'image') screen.set(update(screen.get()));
      },
      (e: unknown) => {
        if (!cancel.signal.aborted) fail(e);
      },
    );
  };
  const load = show(opts.compareWith, 0);
  load.catch((e: unknown) => {
    if (!cancel.signal.aborted) fail(e);
  });
  /** `c` in the inspector: the comparison of this image with another; on failure, back to this image with the reason. */
  const compareWith = (arg: string) => {
    const before = imageScreen ?? screen.get();
    const generation = (screen.get().generation ?? 0) + 1;
    let other: ImageReference;
    try {
      other = parseReference(arg, existsSync);
    } catch (e) {
      screen.set({ ...before, generation, notice: (e as Error).message, keyboard: screen.get().keyboard });
      return;
    }
    updateProgress((p) => ({ ...p, reference: `${opts.label ?? formatReference(opts.reference)} → ${formatReference(other)}`, stage: 'comparing', layers: [] }));
    screen.set({ generation, keyboard: screen.get().keyboard });
    show(other, generation).catch((e: unknown) => {
      if (!cancel.signal.aborted) screen.set({ ...before, generation: generation + 1, notice: `cannot compare: ${(e as Error).message}`, keyboard: screen.get().keyboard });
    });
  };

  let instance: { unmount(): void } | undefined;
  try {
    const root = await Promise.race([ui, done]);
    if (typeof root === 'number') return root;
    progress = root.createProgressStore(opts.label ?? formatReference(opts.reference));
    for (const patch of queued.splice(0)) progress.update(patch);
    instance = root.mountRoot(
      { screen, progress, keymap, theme, notice, onQuit: () => finish(0), onCompare: (r) => compareWith(r), onShown },
      keyboard as unknown as NodeJS.ReadStream | undefined,
    );
    // Quit from the loading screen, a signal or a crash wins over a load still in flight.
    const early = await Promise.race([load.then(() => undefined), done]);
    if (early !== undefined) return early === 0 && !screen.get().view ? 130 : early;
    const code = await done;
    // Bytes that contradict their digests: the exit says so too (main prints it, exit 2).
    if (verifyError !== undefined) throw verifyError;
    return code;
  } finally {
    cancel.abort();
    instance?.unmount();
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
