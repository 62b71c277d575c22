#!/usr/bin/env node
// Part of `npm run build`: bundles the HTML report's page script (src/report/html/client, with
// d3-hierarchy) into one minified file, dist/report/html/page-client.js, which the renderer
// inlines into every report. Nothing of it is committed: a fresh clone builds it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const license = readFileSync(path.join(root, 'node_modules', 'd3-hierarchy', 'LICENSE'), 'utf8').trim();
const out = path.join(root, 'dist', 'report', 'html', 'page-client.js');

const result = await build({
  entryPoints: [path.join(root, 'src', 'report', 'html', 'client', 'main.ts')],
  outfile: out,
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
});
const text = readFileSync(out, 'utf8');
// The renderer inlines the file in a <script> element: it must not be able to end it.
if (/<\/script|<!--/i.test(text)) throw new Error(`${path.relative(root, out)} contains "</script" or "<!--"`);
const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? text.length;
if (process.env.npm_lifecycle_event !== 'build' || process.env.VERBOSE) process.stderr.write(`${path.relative(root, out)}: ${bytes} bytes\n`);
