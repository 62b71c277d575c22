import type { DiffRuleSettings, GrowthLimit } from '../core/index.js';
import { UsageError } from '../errors/index.js';
import { parseBytes } from '../format/index.js';

const DIFF_KEYS = ['highestSizeIncrease', 'highestWastedIncrease', 'lowestEfficiency'] as const;

/** `20MB` (or a number of bytes above 1) → bytes; `0.05` (a number up to 1) → a fraction of OLD's figure. */
export function parseGrowthLimit(raw: unknown, where: string): GrowthLimit {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (/^(?:\d+\.?\d*|\.\d+)$/.test(text) && Number(text) <= 1) return { fraction: Number(text) };
  const bytes = parseBytes(text);
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    throw new UsageError(`${where} "${String(raw)}" is neither a size (20MB, 1.5GiB) nor a fraction (0.05)`, { subject: where, reason: 'not a size or fraction' });
  }
  return { bytes };
}

/**
 * The `diff:` block of a `.dive-ci` file: the gate of `inspect-tui diff --ci`. Unknown keys and
 * bad values are a UsageError naming the file and the key; `disabled` leaves a rule off.
 */
export function parseDiffSection(raw: unknown, file: string): DiffRuleSettings {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${file}: "diff" must be a mapping (${DIFF_KEYS.join(', ')})`);
  const out: { -readonly [K in keyof DiffRuleSettings]: DiffRuleSettings[K] } = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === 'disabled' || v === false) continue;
    switch (k) {
      case 'highestSizeIncrease':
      case 'highestWastedIncrease':
        out[k] = parseGrowthLimit(v, `${file}: diff.${k}`);
        break;
      case 'lowestEfficiency': {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
        if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${file}: diff.lowestEfficiency "${String(v)}" is not a number between 0 and 1`);
        out.lowestEfficiency = n;
        break;
      }
      default:
        throw new UsageError(`${file}: unknown key "diff.${k}" (known: ${DIFF_KEYS.join(', ')})`);
    }
  }
  return out;
}
