#!/usr/bin/env node
// Part of `npm run build` (scripts/build.mjs): bundles the HTML report's page script
// (src/report/html/client, with d3-hierarchy) into one minified file, `page-client.js`, which the
// renderer inlines into every report. Nothing of it is committed: a fresh clone builds it.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the page script and writes it to every path of `outFiles` (the renderer reads it
 * beside its own module: in tsc's build and beside the bundle). Returns the esbuild metafile (its
 * inputs name the packages the script carries) and the text.
 */
export async function buildPageClient(outFiles) {
  const license = readFileSync(path.join(root, 'node_modules', 'd3-hierarchy', 'LICENSE'), 'utf8').trim();
  const result = await build({
    entryPoints: [path.join(root, 'src', 'report', 'html', 'client', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    charset: 'ascii',
    legalComments: 'none',
    // d3-hierarchy's licence asks for its notice in every copy: the page carries it.
    banner: { js: `/* d3-hierarchy, https://github.com/d3/d3-hierarchy\n${license.replace(/\*\//g, '* /')}\n*/` },
    logLevel: 'warning',
    metafile: true,
    write: false,
    absWorkingDir: root,
  });
  const text = result.outputFiles[0].text;
  // The renderer inlines the file in a <script> element: it must not be able to end it.
  if (/<\/script|<!--/i.test(text)) throw new Error('the page script contains "</script" or "<!--"');
  for (const f of outFiles) {
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  return { metafile: result.metafile, text };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? path.join(root, 'build', 'report', 'html', 'page-client.js');
  const { text } = await buildPageClient([out]);
  process.stderr.write(`${path.relative(root, out)}: ${Buffer.byteLength(text)} bytes\n`);
}
