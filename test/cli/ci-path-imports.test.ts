import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';

/** Every module specifier a built file imports, statically or with a literal dynamic import. */
function specifiers(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) out.push(m[1]!);
  for (const m of src.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  for (const m of src.matchAll(/createRequire\([^)]*\)\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out;
}

/** The packages reachable from a built module (following relative imports). */
function reachablePackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const s of specifiers(f)) {
      if (s.startsWith('.')) stack.push(path.resolve(path.dirname(f), s));
      else if (!s.startsWith('node:')) packages.add(s.split('/')[0]!.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    }
  }
  return packages;
}

describe('the CI path', () => {
  it('never loads React or Ink, nor does the library (the inspector is imported only by name at run time)', () => {
    const pkgs = reachablePackages(path.join(ROOT, 'dist', 'cli', 'main.js'));
    expect(pkgs.has('react')).toBe(false);
    expect(pkgs.has('ink')).toBe(false);
    // the walk does see the packages the CI path does use (loaded when a .dive-ci is read)
    expect(pkgs.has('picomatch')).toBe(true);
    expect(pkgs.has('yaml')).toBe(true);
    // while the inspector itself does reach them
    const lib = reachablePackages(path.join(ROOT, 'dist', 'index.js'));
    expect(lib.has('react') || lib.has('ink')).toBe(false);
    const tui = reachablePackages(path.join(ROOT, 'dist', 'cli', 'run-tui.js'));
    expect(tui.has('ink')).toBe(true);
    expect(tui.has('react')).toBe(true);
  });
});
