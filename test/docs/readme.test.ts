import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/image-files.js';
import { runCli } from '../helpers/run-cli.js';
import { anchorOf, parseMarkdown } from './markdown.js';

/**
 * The README's promises about itself: its two commands for a fresh machine still do what it
 * says, and every link between the documents leads somewhere.
 */

const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const README = read('README.md');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** The shell commands of the README's "Try it" section, one string per code block. */
const tryIt = parseMarkdown(README)
  .blocks.filter((b) => b.heading === 'Try it' && b.lang === 'sh')
  .map((b) => b.text.trim());

describe('the README\'s "Try it" commands', () => {
  it('are two: the main job on the bundled example image, and the whole test suite', () => {
    expect(tryIt).toEqual(['npm install && npm start -- examples/example-image.tar', 'npm install && npm test']);
  });

  it('the first names a script and an image that exist, and its --ci run exits 1 as the README says', () => {
    const [, script, image] = /^npm install && npm (\S+) -- (\S+)$/.exec(tryIt[0]!)!;
    expect(scripts[script!]).toBeDefined();
    expect(existsSync(path.join(ROOT, image!))).toBe(true);
    // "with --ci (or CI=true) it prints the report and exits 1 because the example breaks dive's default rules"
    for (const run of [runCli(['--ci', image!]), runCli([image!], { env: { CI: 'true' } })]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^ {2}FAIL: lowestEfficiency: /m);
      expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^FAIL \[pass:\d+ fail:[1-9]\d* skip:\d+\]$/);
    }
  });

  it('the second is what CI runs: .ci/run runs each of its commands, in order', () => {
    const ci = read('.ci/run').split('\n').map((l) => l.trim());
    let from = 0;
    for (const cmd of tryIt[1]!.split('&&').map((c) => c.trim())) {
      // `npm install --no-audit --no-fund` is `npm install`, quieter
      const at = ci.findIndex((l, i) => i >= from && (l === cmd || l.startsWith(`${cmd} --`)));
      expect(at, `.ci/run runs "${cmd}"`).toBeGreaterThanOrEqual(0);
      from = at + 1;
    }
    expect(scripts.test).toContain('vitest run');
  });
});

describe('links between the documents', () => {
  const DOCS = ['README.md', 'CONTRIBUTING.md', 'docs/performance.md', 'docs/sources.md', 'docs/ci.md', 'docs/inspector.md', 'docs/figures.md'];

  it('stays a user\'s guide: under 450 lines, the detail in the documents it links', () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThan(450);
  });

  it('the README links every document it moved its detail to', () => {
    const targets = new Set([...README.matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)].map((m) => m[1]));
    expect(DOCS.slice(1).filter((d) => !targets.has(d))).toEqual([]);
  });

  it.each(DOCS)('%s: every relative link names a file that exists, and a heading in it', (doc) => {
    const text = read(doc);
    const bad: string[] = [];
    // Links outside code blocks: [text](target), targets without a scheme
    const prose = text.replace(/```[\s\S]*?```/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const rel = file === '' ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), file));
      if (!existsSync(path.join(ROOT, rel))) {
        bad.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && rel.endsWith('.md')) {
        const anchors = parseMarkdown(read(rel)).sections.map((s) => anchorOf(s.heading));
        if (!anchors.includes(anchor)) bad.push(`${target}: no such heading in ${rel}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
