/**
 * Turning figures and strings into text: byte counts, percentages, file modes, terminal cell
 * widths, wrapping and truncation, and escaping of every string from an image before it is
 * printed. Pure. The only module other folders import from `format/` (the report page's script,
 * a browser bundle of its own, takes `bytes.ts` and `totals.ts` directly).
 */
export { formatBytes, formatPercent, parseBytes, shortDigest } from './bytes.js';
export { escapeControl, stringifyJson } from './escape.js';
export { formatMode } from './mode.js';
export { cellWidth, clip, fit, formatTimestamp, plural, sanitize, truncate, truncateMiddle, wrap } from './text.js';
export { isThemeName, THEME_NAMES, type ThemeName } from './themes.js';
export { formatSignedBytes, TOTAL_ROWS } from './totals.js';
