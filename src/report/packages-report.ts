import { formatBytes, formatSignedBytes } from '../format/index.js';
import { describePackageWarning, PACKAGE_MANAGERS, type LayerPackages, type PackageDiff, type PackageRef, type PackageSummary } from '../packages/index.js';
import { listed, reportText } from './limits.js';

/**
 * What the package databases say, in each report: the JSON of the export and of `diff --json`,
 * the lines of the CI report and of the diff summary, the Markdown table. Names, versions and
 * paths come from the image: in every text report cut to their limits (`reportText`) and
 * escaped; the JSON keeps them whole, escaped as every JSON output is.
 */

/** A package in the JSON export. */
export type PackageJson = { manager: string; name: string; version: string; path: string | null; layer: number; files: number; sizeBytes: number };
/** A package as a layer's change lists name it. */
export type PackageRefJson = { manager: string; name: string; version: string; path: string | null };
/** A layer's package changes in the JSON export. */
export type LayerPackagesJson = { added: PackageRefJson[]; removed: PackageRefJson[]; changed: { manager: string; name: string; path: string | null; before: string; after: string }[] };
/** A database that was not read, in the JSON export. */
export type PackageWarningJson = { manager: string; layer: number; path: string; reason: string };
/** A package that differs between two images, in `diff --json`. */
export type PackageDiffJson = { manager: string; name: string; change: PackageDiff['change']; old: string | null; new: string | null; path: string | null; sizeDeltaBytes: number };

const ref = (r: PackageRef): PackageRefJson => ({ manager: r.manager, name: r.name, version: r.version, path: r.path });

/** The final filesystem's packages for the export, in the reader's order. */
export function packagesToJson(p: PackageSummary): PackageJson[] {
  return p.packages.map((x) => ({ manager: x.manager, name: x.name, version: x.version, path: x.path, layer: x.layer, files: x.files, sizeBytes: x.sizeBytes }));
}

/** One layer's changes for the export. */
export function layerPackagesToJson(l: LayerPackages): LayerPackagesJson {
  return {
    added: l.added.map(ref),
    removed: l.removed.map(ref),
    changed: l.changed.map((c) => ({ manager: c.after.manager, name: c.after.name, path: c.after.path, before: c.before.version, after: c.after.version })),
  };
}

export function packageWarningsToJson(p: PackageSummary): PackageWarningJson[] {
  return p.warnings.map((w) => ({ manager: w.manager, layer: w.layer, path: w.path, reason: w.reason }));
}

/** `1380 (dpkg 120, npm 1260)`: how many packages, by manager. */
export function packageCounts(p: PackageSummary): string {
  const by = PACKAGE_MANAGERS.map((m) => [m, p.packages.filter((x) => x.manager === m).length] as const).filter(([, n]) => n > 0);
  return `${p.packages.length}${by.length > 0 ? ` (${by.map(([m, n]) => `${m} ${n}`).join(', ')})` : ''}`;
}

/** The CI report's lines: the count, then one line per database not read. */
export function packageReportLines(p: PackageSummary): string[] {
  return [`Packages: ${packageCounts(p)}`, ...p.warnings.map((w) => `  warning: ${reportText(describePackageWarning(w))}`)];
}

/** How many packages the Markdown report's table lists. */
export const LARGEST_PACKAGES = 10;

/**
 * The Markdown report's "Largest packages" section: the top `LARGEST_PACKAGES` by bytes, and a
 * line per database not read (one per manager at most). `text` cuts a string from the image to
 * its limit and escapes it for Markdown.
 */
export function largestPackagesMarkdown(p: PackageSummary, text: (s: string) => string): string[] {
  const out = ['<details><summary>Largest packages</summary>', ''];
  if (p.packages.length === 0) out.push('No package found in the package databases.', '');
  else {
    out.push(`${packageCounts(p)} packages.`, '', '| size | files | manager | package | version | layer |', '|---|---|---|---|---|---|');
    const bySize = [...p.packages].sort((a, b) => b.sizeBytes - a.sizeBytes || (a.name < b.name ? -1 : 1));
    for (const l of listed(bySize, LARGEST_PACKAGES, (x) => `| ${formatBytes(x.sizeBytes)} | ${x.files} | ${x.manager} | ${text(x.name)} | ${text(x.version)} | ${x.layer} |`)) out.push(l.startsWith('|') ? l : `| | | | ${l} | | |`);
    out.push('');
  }
  for (const w of p.warnings) out.push(`- not read: ${text(describePackageWarning(w))}`);
  if (p.warnings.length > 0) out.push('');
  out.push('</details>', '');
  return out;
}

/** The packages that differ, for `diff --json`: versions as strings, the path of a language package. */
export function packageDiffToJson(list: readonly PackageDiff[]): PackageDiffJson[] {
  return list.map((d) => ({ manager: d.manager, name: d.name, change: d.change, old: d.old?.version ?? null, new: d.new?.version ?? null, path: (d.new ?? d.old)!.path, sizeDeltaBytes: d.sizeDeltaBytes }));
}

/** What a change is called in the diff summary. */
const CHANGE_WORD: Record<PackageDiff['change'], string> = { added: 'added', removed: 'removed', upgraded: 'upgraded', downgraded: 'downgraded', 'version-changed': 'version changed', changed: 'changed content' };

/**
 * The diff summary's package lines: counts by kind of change, then the `top` largest changes by
 * absolute size delta (`+ 1.2 MB  upgraded  dpkg libc6 2.36 → 2.37`), names and versions cut
 * to their limits and escaped.
 */
export function packageDiffLines(list: readonly PackageDiff[], top = 10): string[] {
  const counts = new Map<PackageDiff['change'], number>();
  for (const d of list) counts.set(d.change, (counts.get(d.change) ?? 0) + 1);
  const kinds = (Object.keys(CHANGE_WORD) as PackageDiff['change'][]).filter((k) => counts.has(k));
  const lines = [`Packages: ${list.length === 0 ? 'none differ' : kinds.map((k) => `${counts.get(k)} ${CHANGE_WORD[k]}`).join(', ')}`];
  const largest = [...list].sort((a, b) => Math.abs(b.sizeDeltaBytes) - Math.abs(a.sizeDeltaBytes) || (a.name < b.name ? -1 : 1));
  const line = (d: PackageDiff) => {
    const versions = d.old && d.new ? (d.old.version === d.new.version ? reportText(d.new.version) : `${reportText(d.old.version)} → ${reportText(d.new.version)}`) : reportText((d.new ?? d.old)!.version);
    return `${formatSignedBytes(d.sizeDeltaBytes).padStart(10)}  ${CHANGE_WORD[d.change].padEnd(15)}  ${d.manager} ${reportText(d.name)} ${versions}`;
  };
  for (const l of listed(largest, top, line)) lines.push(`  ${l}`);
  return lines;
}
