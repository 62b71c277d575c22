/** Colours of the map, for the light and the dark scheme. */

const dark = () => typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;

/** A distinct colour per layer: hues a golden angle apart, so neighbours never look alike. */
export function layerColour(layer: number): string {
  if (layer < 0) return dark() ? '#4b5259' : '#b8bec5';
  const hue = (layer * 137.508 + 200) % 360;
  // three lightness steps as well: hues that come round close again differ in lightness
  const step = layer % 3;
  return dark() ? `hsl(${hue.toFixed(1)} 55% ${[48, 38, 58][step]}%)` : `hsl(${hue.toFixed(1)} 62% ${[66, 54, 76][step]}%)`;
}

/** What a layer did to a path, by `CHANGE_CODE` (0: nothing). */
export const CHANGE_NAMES = ['none', 'added', 'modified', 'unmodified', 'removed'] as const;
export type ChangeName = (typeof CHANGE_NAMES)[number];

/** The colour of a change, from the page's style sheet (its custom properties follow the scheme). */
export function changeColour(name: ChangeName | 'grow' | 'shrink'): string {
  return getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim() || '#888';
}

/** Calls `fn` when the colour scheme changes. */
export function onSchemeChange(fn: () => void): void {
  if (typeof matchMedia !== 'function') return;
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', fn);
}
