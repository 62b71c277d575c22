import { createHash } from 'node:crypto';
import { formatBytes } from '../format/bytes.js';
import { escapeControl, stringifyJson } from '../format/escape.js';
import { RULES } from '../core/index.js';
import { formatFigure, imageLocation, layerCommand, referenceOf, type CiOutcome } from './ci-result.js';
import { OFFENDERS_SHOWN, reportPath, reportText } from './limits.js';

/**
 * SARIF 2.1.0 (`--report sarif=FILE`): one run of inspect-tui over every image, one result per
 * failing rule and one per offending path (the first `OFFENDERS_SHOWN` of each rule), each
 * naming the image, the layer and its command. Offending paths are located in the image's
 * filesystem (`uriBaseId` IMAGE_ROOT); image-wide results at the image reference. Paths and
 * commands from the image are cut to their limits (`src/report/limits.ts`); fingerprints hash
 * the whole path.
 */

const PATH_RULES: Readonly<Record<string, string>> = {
  'paths.block': 'fail when a path matching paths.block is present in the final filesystem',
  'paths.denyWaste': 'fail when wasted bytes fall under paths matching paths.denyWaste',
  'paths.maxFileSize': 'fail when a file of the final filesystem is larger than paths.maxFileSize',
  'paths.maxLayerCount': 'fail when the image has more layers than paths.maxLayerCount',
};

const RULE_TEXT: Readonly<Record<string, string>> = {
  ...Object.fromEntries(RULES.map((r) => [r.name, r.describe])),
  ...PATH_RULES,
  unreadable: 'the image could not be read',
};

type Result = {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: unknown[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
};

/** A URI reference for a path or name, every character outside the unreserved set and `/` percent-encoded. */
function uriOf(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~/]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const fingerprint = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

export function formatSarif(outcomes: readonly CiOutcome[], tool: { version: string }): string {
  const ruleIds: string[] = [];
  const indexOf = (id: string) => {
    let i = ruleIds.indexOf(id);
    if (i < 0) i = ruleIds.push(id) - 1;
    return i;
  };
  const results: Result[] = [];
  const notifications: unknown[] = [];
  for (const o of outcomes) {
    const ref = referenceOf(o);
    // A relative reference, or a file: URI for an absolute path: code scanning refuses any
    // other scheme (a `docker-archive:` URI would fail the upload), so ':' is percent-encoded.
    const where = imageLocation(ref);
    const imageLoc = { physicalLocation: { artifactLocation: { uri: where.startsWith('/') ? `file://${uriOf(where)}` : uriOf(where) } }, logicalLocations: [{ name: ref, kind: 'module' }] };
    if (o.kind === 'unreadable') {
      const text = `${ref}: could not be read: ${reportText(o.message)}`;
      notifications.push({ level: 'error', message: { text } });
      results.push({ ruleId: 'unreadable', ruleIndex: indexOf('unreadable'), level: 'error', message: { text }, locations: [imageLoc], partialFingerprints: { 'inspectTui/v1': fingerprint(ref, 'unreadable') }, properties: { image: ref } });
      continue;
    }
    const s = o.summary;
    for (const r of o.rules ?? []) {
      if (r.status !== 'fail') continue;
      const ruleIndex = indexOf(r.name);
      results.push({
        ruleId: r.name,
        ruleIndex,
        level: 'error',
        message: { text: `${ref}: ${r.name}: ${escapeControl(r.message)} (actual ${formatFigure(r.actual)}, threshold ${formatFigure(r.threshold)})` },
        locations: [imageLoc],
        partialFingerprints: { 'inspectTui/v1': fingerprint(ref, r.name) },
        properties: { image: ref, actual: r.actual, threshold: r.threshold },
      });
      for (const x of (r.offenders ?? []).slice(0, OFFENDERS_SHOWN)) {
        const path = reportPath(x.path);
        const command = layerCommand(s, x.layer);
        results.push({
          ruleId: r.name,
          ruleIndex,
          level: 'error',
          message: { text: `${ref}: ${path} (${formatBytes(x.sizeBytes)}) breaks ${r.name}, from layer ${x.layer}: ${command}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: uriOf(path.replace(/^\/+/, '')), uriBaseId: 'IMAGE_ROOT' } },
              logicalLocations: [{ name: path, fullyQualifiedName: `${ref}/${x.layer}${path}`, kind: 'resource' }],
            },
          ],
          partialFingerprints: { 'inspectTui/v1': fingerprint(ref, r.name, x.path) },
          properties: { image: ref, layer: x.layer, command, sizeBytes: x.sizeBytes },
        });
      }
      const more = (r.offenders?.length ?? 0) - OFFENDERS_SHOWN;
      if (more > 0) notifications.push({ level: 'warning', message: { text: `${ref}: ${r.name}: ${more} more offending paths not listed` } });
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'inspect-tui',
            version: tool.version,
            rules: ruleIds.map((id) => ({
              id,
              name: id.replace(/^paths\./, 'paths-'),
              shortDescription: { text: RULE_TEXT[id] ?? id },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        originalUriBaseIds: { IMAGE_ROOT: { uri: 'file:///', description: { text: "the image's root filesystem" } } },
        invocations: [{ executionSuccessful: outcomes.every((o) => o.kind === 'analysed'), toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
  return `${stringifyJson(log)}\n`;
}
