import { createHash } from 'node:crypto';
import type { Location, Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding } from '../core/index.js';
import { formatBytes, escapeControl, stringifyJson } from '../format/index.js';
import { formatFigure, layerCommand, referenceOf, type CiOutcome, type ImageResult } from './ci-result.js';
import { findingTitle, ownersText } from './findings-report.js';
import { FINDINGS_LOCATED, OFFENDERS_SHOWN, reportPath, reportText } from './limits.js';
import { findingLocation, imageLocation, layerLocation, locationText, wholeImageLocation, type ResultLocation } from './locations.js';
import { DOCS_URL, FINDING_DOCS, RULE_DOCS, type RuleDoc } from './rule-docs.js';

/**
 * SARIF 2.1.0 (`--report sarif=FILE`) as GitHub code scanning reads it: one run of inspect-tui
 * over every image, one result per failing rule, one per offending path (the first
 * `OFFENDERS_SHOWN` of each rule) and, when the Dockerfile is known, one per finding (the first
 * `FINDINGS_LOCATED`) on its line. Each result is located where a developer can act: the
 * Dockerfile lines of the instruction to change (`region.startLine`/`endLine`), a whole-image
 * result at the final stage's `FROM`; without a Dockerfile, the image argument relative to the
 * working directory; for an image from a registry or a daemon, only its reference, as a logical
 * location. Every rule carries its name, descriptions, help with the fix, and a link into the
 * documentation. Paths and commands from the image are cut to their limits
 * (`src/report/limits.ts`); fingerprints hash the whole path.
 */

/** A URI reference for a relative path, every character outside the unreserved set and `/` percent-encoded. */
function uriOf(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~/]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const fingerprint = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** A rule's SARIF descriptor from its documentation row. */
function descriptor(id: string, doc: Omit<RuleDoc, 'units' | 'anchor'> & { anchor?: string }, level: 'error' | 'warning'): ReportingDescriptor {
  const uri = `${DOCS_URL}${doc.anchor ?? '#findings-which-step-wasted-what-and-how-to-fix-it'}`;
  return {
    id,
    name: doc.name,
    shortDescription: { text: doc.short },
    fullDescription: { text: doc.full },
    help: { text: `${doc.full} Fix: ${doc.fix.replace(/`/g, '')}`, markdown: `${doc.full}\n\n**Fix:** ${doc.fix}\n\n[Documentation](${uri})` },
    helpUri: uri,
    defaultConfiguration: { level },
  };
}

/** A SARIF location: the file and lines, or the file alone, and the image (or a path in it) as a logical location. */
function locationOf(where: ResultLocation, logical: NonNullable<Location['logicalLocations']>): Location {
  switch (where.kind) {
    case 'line':
      return { physicalLocation: { artifactLocation: { uri: uriOf(where.file) }, region: { startLine: where.line, endLine: where.endLine } }, logicalLocations: logical };
    case 'file':
      return { physicalLocation: { artifactLocation: { uri: uriOf(where.file) } }, logicalLocations: logical };
    case 'none':
      return { logicalLocations: logical };
  }
}

export function formatSarif(outcomes: readonly CiOutcome[], tool: { version: string; cwd: string }): string {
  const rules: ReportingDescriptor[] = [];
  const indexOf = (id: string, make: () => ReportingDescriptor) => {
    let i = rules.findIndex((r) => r.id === id);
    if (i < 0) i = rules.push(make()) - 1;
    return i;
  };
  const results: Result[] = [];
  const notifications: NonNullable<NonNullable<Log['runs'][number]['invocations']>[number]['toolExecutionNotifications']> = [];
  for (const o of outcomes) {
    const ref = referenceOf(o);
    const module = [{ name: ref, kind: 'module' }];
    if (o.kind === 'unreadable') {
      const text = `${ref}: could not be read: ${reportText(o.message)}`;
      notifications.push({ level: 'error', message: { text } });
      results.push({
        ruleId: 'unreadable',
        ruleIndex: indexOf('unreadable', () => descriptor('unreadable', RULE_DOCS.unreadable, 'error')),
        level: 'error',
        message: { text },
        locations: [locationOf(imageLocation(o.reference, tool.cwd), module)],
        partialFingerprints: { 'inspectTui/v1': fingerprint(ref, 'unreadable') },
        properties: { image: ref },
      });
      continue;
    }
    const s = o.summary;
    for (const r of o.rules ?? []) {
      if (r.status !== 'fail') continue;
      const ruleIndex = indexOf(r.name, () => descriptor(r.name, RULE_DOCS[r.name], 'error'));
      const whole = wholeImageLocation(o, tool.cwd);
      results.push({
        ruleId: r.name,
        ruleIndex,
        level: 'error',
        message: { text: `${ref}: ${r.name}: ${escapeControl(r.message)} (actual ${formatFigure(r.actual)}, threshold ${formatFigure(r.threshold)})` },
        locations: [locationOf(whole, module)],
        partialFingerprints: { 'inspectTui/v1': fingerprint(ref, r.name) },
        properties: { image: ref, actual: r.actual, threshold: r.threshold },
      });
      for (const x of (r.offenders ?? []).slice(0, OFFENDERS_SHOWN)) {
        const path = reportPath(x.path);
        const command = layerCommand(s, x.layer);
        const where = layerLocation(o, x.layer, tool.cwd);
        const at = where.kind === 'line' ? ` (${escapeControl(locationText(where))})` : '';
        results.push({
          ruleId: r.name,
          ruleIndex,
          level: 'error',
          message: { text: `${ref}: ${path} (${formatBytes(x.sizeBytes)}) breaks ${r.name}, from layer ${x.layer}${at}: ${command}` },
          locations: [locationOf(where, [{ name: path, fullyQualifiedName: `${ref}/${x.layer}${path}`, kind: 'resource' }])],
          partialFingerprints: { 'inspectTui/v1': fingerprint(ref, r.name, x.path) },
          properties: { image: ref, layer: x.layer, command, sizeBytes: x.sizeBytes },
        });
      }
      const more = (r.offenders?.length ?? 0) - OFFENDERS_SHOWN;
      if (more > 0) notifications.push({ level: 'warning', message: { text: `${ref}: ${r.name}: ${more} more offending paths not listed` } });
    }
    results.push(...findingResults(o, ref, tool.cwd, (id, kind) => indexOf(id, () => descriptor(id, FINDING_DOCS[kind], 'warning'))));
  }
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'inspect-tui', version: tool.version, informationUri: DOCS_URL, rules } },
        invocations: [{ executionSuccessful: outcomes.every((o) => o.kind === 'analysed'), toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
  return `${stringifyJson(log)}\n`;
}

/** The findings that have a Dockerfile line, largest first (the first `FINDINGS_LOCATED`), as warnings on that line. */
function findingResults(o: ImageResult, ref: string, cwd: string, ruleIndex: (id: string, kind: Finding['kind']) => number): Result[] {
  const out: Result[] = [];
  for (const f of o.summary.findings) {
    if (out.length >= FINDINGS_LOCATED) break;
    const where = findingLocation(o, f);
    if (!where) continue;
    const id = `finding/${f.kind}`;
    const layers = f.layers.map((l) => {
      const at = layerLocation(o, l.index, cwd);
      return `layer ${l.index}${at.kind === 'line' ? ` (${escapeControl(locationText(at))})` : ''}`;
    });
    const paths = f.paths.slice(0, 3).map((p) => reportPath(p.path)).join(', ') + (f.pathCount > 3 ? ` and ${f.pathCount - 3} more` : '');
    const related = f.layers
      .map((l) => ({ l, at: layerLocation(o, l.index, cwd) }))
      .filter((x) => x.at.kind === 'line' && locationText(x.at) !== locationText(where))
      .map((x, i) => ({ id: i + 1, ...locationOf(x.at, [{ name: `layer ${x.l.index}`, kind: 'module' }]), message: { text: `layer ${x.l.index}: ${layerCommand(o.summary, x.l.index)}` } }));
    out.push({
      ruleId: id,
      ruleIndex: ruleIndex(id, f.kind),
      level: 'warning',
      message: { text: `${ref}: ${formatBytes(f.bytes)} ${findingTitle(f)}: ${layers.join(' → ')}: ${paths}${f.owners.length > 0 ? ` (owned by ${ownersText(f)})` : ''}. Fix: ${escapeControl(f.advice)}` },
      locations: [locationOf(where, [{ name: ref, kind: 'module' }])],
      ...(related.length > 0 ? { relatedLocations: related } : {}),
      partialFingerprints: { 'inspectTui/v1': fingerprint(ref, id, ...f.layers.map((l) => String(l.index)), f.paths[0]?.path ?? '') },
      properties: { image: ref, bytes: f.bytes, layers: f.layers.map((l) => l.index), fromBase: f.fromBase, ...(f.owners.length > 0 ? { owners: f.owners.map((o) => reportText(`${o.manager} ${o.name}`)) } : {}) },
    });
  }
  return out;
}
