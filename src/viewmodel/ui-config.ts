import { isThemeName, THEME_NAMES, type ThemeName } from '../format/index.js';

export { isThemeName, THEME_NAMES, type ThemeName };

/**
 * The inspector's display settings beside the key bindings in the YAML config:
 *
 * ```yaml
 * theme: light        # dark (default), light, high-contrast
 * mouse: false        # no mouse reporting (clicks and the wheel)
 * ```
 */

export type UiSettings = { readonly theme?: ThemeName; readonly mouse?: boolean };

/** Reads `theme:` and `mouse:` of a parsed config; a bad value is a problem reported, never thrown. */
export function readUiSettings(doc: Readonly<Record<string, unknown>>, problems: string[]): UiSettings {
  const out: { theme?: ThemeName; mouse?: boolean } = {};
  const { theme, mouse } = doc;
  if (theme !== undefined && theme !== null) {
    if (isThemeName(theme)) out.theme = theme;
    else problems.push(`unknown theme ${JSON.stringify(theme)} (one of ${THEME_NAMES.join(', ')})`);
  }
  if (mouse !== undefined && mouse !== null) {
    if (typeof mouse === 'boolean') out.mouse = mouse;
    else problems.push(`mouse must be true or false, not ${JSON.stringify(mouse)}`);
  }
  return out;
}
