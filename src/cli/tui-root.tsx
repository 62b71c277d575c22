import { render } from 'ink';
import { useEffect, useSyncExternalStore } from 'react';
import { App, createProgressStore, Loading, type ProgressStore, type Theme, useViewport } from '../ui/index.js';
import type { Keymap, KeyboardProtocol } from '../viewmodel/index.js';
import type { ScreenStore } from './run-tui.js';

/**
 * The inspector's Ink root: the loading screen until the screen store has a view, then the
 * inspector. A module of its own so that `runTui` can start loading the image while Ink and
 * React are still being loaded (they are most of the time before the first output).
 */

export { createProgressStore };

export type RootProps = {
  readonly screen: ScreenStore;
  readonly progress: ProgressStore;
  readonly keymap: Keymap;
  readonly theme: Theme;
  readonly notice?: string;
  readonly onQuit: () => void;
  readonly onCompare?: (reference: string) => void;
  /** Told once the inspector of a screen generation has been committed (its first frame is on its way out). */
  readonly onShown?: (generation: number) => void;
};

function Root({ screen, progress, keymap, theme, notice, onQuit, onCompare, onShown }: RootProps) {
  const s = useSyncExternalStore(screen.subscribe, screen.get);
  const viewport = useViewport();
  const shown = s.view !== undefined;
  const generation = s.generation ?? 0;
  useEffect(() => {
    if (shown) onShown?.(generation);
  }, [shown, generation, onShown]);
  const onKeyboard = (keyboard: KeyboardProtocol) => {
    if (screen.get().keyboard !== keyboard) screen.set({ ...screen.get(), keyboard });
  };
  if (!s.view) return <Loading store={progress} viewport={viewport} theme={theme} onQuit={onQuit} onKeyboard={onKeyboard} />;
  return (
    <App
      // A new image (a comparison opened with `c`) starts a new session of the view state.
      key={generation}
      view={s.view}
      keymap={keymap}
      theme={theme}
      extractor={s.extractor}
      reader={s.reader}
      onQuit={onQuit}
      notice={s.notice ?? notice}
      verification={s.verification}
      onCompare={onCompare}
      keyboard={s.keyboard}
      onKeyboard={onKeyboard}
      completer={s.completer}
      backTo={s.backTo}
      onBack={s.onBack}
    />
  );
}

/** Renders the root into the terminal (stdin: where keys come from, when not process.stdin). */
export function mountRoot(props: RootProps, stdin: NodeJS.ReadStream | undefined): { unmount(): void } {
  return render(<Root {...props} />, { exitOnCtrlC: false, patchConsole: false, ...(stdin ? { stdin } : {}) });
}
