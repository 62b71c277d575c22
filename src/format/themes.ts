/**
 * The names of the inspector's colour themes (their colours are the terminal front end's). Here,
 * below the view model, so the command line can offer `--theme` choices without loading the view
 * model: a bundle chunk holds whole modules, and the view model's chunk (with yaml and diff) costs
 * ~20 ms of CPU on every run that never opens the inspector.
 */
export const THEME_NAMES = ['dark', 'light', 'high-contrast'] as const;

export type ThemeName = (typeof THEME_NAMES)[number];

export function isThemeName(s: unknown): s is ThemeName {
  return typeof s === 'string' && (THEME_NAMES as readonly string[]).includes(s);
}
