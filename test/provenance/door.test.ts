import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';

/** Every import of every module under `dir`, as written, by file (relative to src/). */
function imports(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name)) out.set(path.relative(path.join(ROOT, 'src'), p).split(path.sep).join('/'), ts.preProcessFile(readFileSync(p, 'utf8'), true, true).importedFiles.map((f) => f.fileName));
    }
  };
  walk(dir);
  return out;
}

describe('src/provenance', () => {
  it('is pure: it reads no file and no network, and leans only on the core, the errors and its parser', () => {
    const own = imports(path.join(ROOT, 'src', 'provenance'));
    expect(own.size).toBeGreaterThan(4);
    for (const [file, targets] of own) {
      for (const t of targets) {
        const ok = t === 'dockerfile-ast' || /^\.\/[a-z-]+\.js$/.test(t) || t === '../core/index.js' || t === '../errors/index.js';
        expect(ok, `${file} imports ${t}`).toBe(true);
      }
    }
  });

  it('is entered by its index only', () => {
    const all = imports(path.join(ROOT, 'src'));
    expect(all.size).toBeGreaterThan(80);
    for (const [file, targets] of all) {
      if (file.startsWith('provenance/')) continue;
      for (const t of targets) {
        const to = path.posix.normalize(path.posix.join(path.posix.dirname(file), t));
        if (to.startsWith('provenance/')) expect(to, `${file} imports ${t}`).toBe('provenance/index.js');
      }
    }
  });
});
