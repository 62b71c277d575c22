import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from '../helpers/image-files.js';
import { runLogged } from '../helpers/loaded-modules.js';
import { BIN } from '../helpers/run-cli.js';

const EXAMPLE = path.join(ROOT, 'examples', 'example-image.tar');
const UI = ['react', 'react-reconciler', 'ink', 'yoga-layout', 'lowlight', 'highlight.js'];

/** esbuild's account of the bundle (written by npm run build): which packages each file of dist/ holds. */
function packagesByFile(): Map<string, Set<string>> {
  const meta = JSON.parse(readFileSync(path.join(ROOT, 'build', 'bundle-meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const out = new Map<string, Set<string>>();
  for (const [file, o] of Object.entries(meta.outputs)) {
    const pkgs = new Set<string>();
    for (const input of Object.keys(o.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      if (m) pkgs.add(m[1]!);
    }
    out.set(path.basename(file), pkgs);
  }
  return out;
}

/** The packages inside the bundle files a run loaded, and those files. */
function loadedPackages(urls: readonly string[]) {
  const byFile = packagesByFile();
  const files = urls.filter((u) => u.startsWith(pathToDist())).map((u) => path.basename(new URL(u).pathname));
  return { files, packages: new Set(files.flatMap((f) => [...(byFile.get(f) ?? [])])) };
}
const pathToDist = () => new URL(`file://${path.join(ROOT, 'dist')}/`).href;

describe('the CI path', () => {
  it('never loads React, Ink or the highlighter, nor does the library: the inspector is in chunks of its own, loaded only when it is used', () => {
    const byFile = packagesByFile();
    // The bundle does carry them, in files of their own.
    const uiFiles = [...byFile].filter(([, p]) => UI.some((u) => p.has(u))).map(([f]) => f);
    expect(uiFiles.length).toBeGreaterThan(0);
    expect(uiFiles).not.toContain('cli.js');
    expect(uiFiles).not.toContain('index.js');

    const ci = runLogged([BIN, '--ci', '--no-cache', EXAMPLE]);
    expect(ci.code).toBe(1); // the example breaks dive's default rules
    const seen = loadedPackages(ci.urls);
    // the log does see what the run loads: its own chunks, loaded on demand (the CI runner)
    expect(seen.files).toContain('cli.js');
    expect(seen.files.some((f) => f.startsWith('run-ci-'))).toBe(true);
    for (const u of UI) expect(seen.packages.has(u), u).toBe(false);

    const script = path.join(tmpDir('inspect-tui-lib-'), 'lib.mjs');
    writeFileSync(script, `import { inspectImage } from ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))};\nawait inspectImage(${JSON.stringify(EXAMPLE)}, { cache: false });\n`);
    const lib = runLogged([script]);
    expect(lib.stderr).toBe('');
    const libSeen = loadedPackages(lib.urls);
    expect(libSeen.files).toContain('index.js');
    for (const u of UI) expect(libSeen.packages.has(u), u).toBe(false);
  });

  it("tsc's module-by-module build (build/) loads none of them either", () => {
    const ci = runLogged([path.join(ROOT, 'build', 'cli', 'main.js'), '--ci', '--no-cache', EXAMPLE]);
    expect(ci.code).toBe(1);
    const pkgs = ci.urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter(Boolean);
    expect(ci.urls.some((u) => u.endsWith('/build/cli/run-ci.js'))).toBe(true);
    for (const u of UI) expect(pkgs, u).not.toContain(u);
  });
});
