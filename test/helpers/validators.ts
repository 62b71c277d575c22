/**
 * The validators the reports' consumers use, run for real: Microsoft's SARIF multitool (the
 * `@microsoft/sarif-multitool` package ships its .NET program for each platform) with GitHub's
 * rule kinds, and `xmllint` (Debian's libxml2-utils) against Jenkins xunit's JUnit schema.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, tmpDir } from './image-files.js';

/** What the multitool reported: `GH2012 runs[0]…` per finding, by level. */
export type SarifVerdict = { readonly errors: readonly string[]; readonly warnings: readonly string[] };

/** The multitool's program for this platform, or why it cannot run here. */
function multitool(): { bin: string } | { skip: string } {
  try {
    return { bin: createRequire(import.meta.url)('@microsoft/sarif-multitool') as string };
  } catch (e) {
    return { skip: `@microsoft/sarif-multitool has no program for ${process.platform} (${(e as Error).message})` };
  }
}

/** Why the SARIF multitool cannot run here, or undefined when it can. */
export function sarifMultitoolSkipReason(): string | undefined {
  const m = multitool();
  return 'skip' in m ? m.skip : undefined;
}

/**
 * `sarif-multitool validate` of a SARIF file with the given rule kinds (`Gh`, `Ghas`; none: the
 * SARIF rules). Its findings are read from the log it writes, not from its exit code, which is 0
 * whatever it found. Globalization-invariant mode: no ICU is needed.
 */
export function validateSarif(file: string, ruleKind?: 'Gh' | 'Ghas'): SarifVerdict {
  const m = multitool();
  if ('skip' in m) throw new Error(m.skip);
  const dir = tmpDir('inspect-tui-sarif-validate-');
  const out = path.join(dir, 'validation.sarif');
  try {
    const r = spawnSync(m.bin, ['validate', ...(ruleKind ? ['--rule-kind', ruleKind] : []), '-o', out, file], {
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
      timeout: 120_000,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`sarif-multitool exited ${r.status}: ${r.stdout}${r.stderr}`);
    const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: { ruleId: string; level?: string; message: { arguments?: string[] } }[] }[] };
    const results = log.runs[0]?.results ?? [];
    const line = (x: { ruleId: string; message: { arguments?: string[] } }) => `${x.ruleId} ${(x.message.arguments ?? []).join(' ')}`;
    return { errors: results.filter((x) => x.level === 'error').map(line), warnings: results.filter((x) => x.level === 'warning' || x.level === undefined).map(line) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The vendored JUnit schema of Jenkins xunit (test/golden/SOURCES.md). */
export const JUNIT_XSD = path.join(ROOT, 'test', 'golden', 'junit-10.xsd');

/** Why xmllint cannot run here, or undefined when it can. */
export function xmllintSkipReason(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v xmllint'], { stdio: 'ignore' }).status === 0 ? undefined : 'xmllint is not installed (apt-get install libxml2-utils)';
}

/** `xmllint --noout --schema junit-10.xsd FILE`: whether the file is valid, and what xmllint said. */
export function validateJUnit(file: string): { readonly valid: boolean; readonly output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8', timeout: 60_000 });
  return { valid: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
