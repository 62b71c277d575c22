import type { LoadOptions } from '../load/index.js';
import type { Platform, ImageReference } from '../reference/index.js';
import type { ThemeName } from '../viewmodel/index.js';

/** What a command hands the interactive mode (`run-tui.tsx` exports `runTui(options): Promise<number>`). */
export type TuiOptions = {
  readonly reference: ImageReference;
  /** Source settings and caches, from the options (`loadSettings`); the inspector adds its own progress and cancellation. */
  readonly load: LoadOptions;
  /** `--config`: key bindings file; default `$XDG_CONFIG_HOME/inspect-tui/config.yaml`. */
  readonly keyConfigPath?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly debug: boolean;
  /** `inspect-tui diff OLD NEW`: `reference` is OLD, this is NEW, and the inspector shows the comparison. */
  readonly compareWith?: ImageReference;
  /** `--theme`; absent: the config's `theme:`, else dark. */
  readonly theme?: ThemeName;
  /** `--no-mouse` gives false; absent: the config's `mouse:`, else on. */
  readonly mouse?: boolean;
  /** How the inspector names the image instead of `reference` (`build` reads a temporary archive and names it by its tag or ID). */
  readonly label?: string;
  /** In a comparison, a platform for one side only. */
  readonly platforms?: { readonly old?: Platform; readonly new?: Platform };
};
