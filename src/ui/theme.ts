import type { Style } from '../viewmodel/segments.js';

/** Ink `<Text>` props for one semantic style. */
export type TextStyle = { color?: string; bold?: boolean; dimColor?: boolean; inverse?: boolean; underline?: boolean };

/** Colours keyed by meaning. dive's diff colours: added green, removed red, modified yellow. */
export type Theme = { readonly color: boolean; style(s: Style | undefined): TextStyle };

const COLORS: Partial<Record<Style, TextStyle>> = {
  added: { color: 'green' },
  removed: { color: 'red' },
  modified: { color: 'yellow' },
  hidden: { color: 'magenta', dimColor: true },
  title: { bold: true },
  'title-focused': { bold: true, color: 'cyan' },
  dim: { dimColor: true },
  key: { bold: true, color: 'cyan' },
  label: {},
  'label-off': { dimColor: true, underline: false },
  error: { color: 'red', bold: true },
  marker: { color: 'cyan' },
  header: { bold: true },
  'code-keyword': { color: 'magenta' },
  'code-string': { color: 'green' },
  'code-comment': { color: 'gray' },
  'code-number': { color: 'yellow' },
  'code-name': { color: 'blue' },
  'code-meta': { color: 'cyan' },
  gutter: { dimColor: true },
};

/** Without colour only weight and dimness remain; diff kinds then rely on their symbols. */
const MONO: Partial<Record<Style, TextStyle>> = {
  title: { bold: true },
  'title-focused': { bold: true },
  key: { bold: true },
  error: { bold: true },
  header: { bold: true },
};

export function createTheme(color: boolean): Theme {
  const table = color ? COLORS : MONO;
  return { color, style: (s) => (s ? (table[s] ?? {}) : {}) };
}

/**
 * Whether to colour: NO_COLOR (any non-empty value, no-color.org) turns colour off unless
 * FORCE_COLOR asks for it.
 */
export function wantsColor(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
