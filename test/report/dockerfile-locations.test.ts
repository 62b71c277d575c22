import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/index.js';
import { summarize } from '../../src/core/index.js';
import type { ImageSources, InstructionRef, SourceLocation } from '../../src/provenance/index.js';
import type { ImageResult } from '../../src/report/ci-result.js';
import { formatGithubCommands } from '../../src/report/github.js';
import { formatSarif } from '../../src/report/sarif.js';
import { writeFileSync } from 'node:fs';
import { tmpDir } from '../helpers/image-files.js';
import { sarifMultitoolSkipReason, validateSarif } from '../helpers/validators.js';
import { toExportV1 } from '../../src/report/json-export.js';
import { findingLocation, imageLocation, layerLocation, wholeImageLocation } from '../../src/report/locations.js';
import { selectLayerDetails } from '../../src/viewmodel/rows.js';
import { lineText } from '../../src/viewmodel/segments.js';
import { createInitialState } from '../../src/viewmodel/state.js';
import { imageView } from '../../src/viewmodel/view-data.js';
import { sampleAnalysis } from '../helpers/build-analysis.js';

/**
 * Where results go for every kind of layer a Dockerfile's lines describe (the matching itself is
 * tested in test/provenance/, end to end in test/e2e/dockerfile-lines.test.ts): a layer with a
 * line, a base layer (the final stage's FROM), a layer several instructions were squashed into
 * (the file, no line: never a wrong one), and an image without a Dockerfile (the image argument,
 * relative; a registry image, no file).
 */

const a = sampleAnalysis(); // four layers
const FILE = 'build/app:v1,x.Dockerfile'; // a name with the characters workflow properties must escape
const loc = (line: number, endLine = line): SourceLocation => ({ file: FILE, line, endLine });
const ref = (line: number, endLine = line): InstructionRef => ({ location: loc(line, endLine), keyword: 'RUN', instruction: 'RUN x', stage: { index: 0 } });
const SOURCES: ImageSources = {
  via: 'dockerfile',
  file: FILE,
  from: loc(3),
  layers: [
    { layer: 0, base: true, source: null, instruction: null, stage: null, makers: [] },
    { layer: 1, base: false, source: loc(5, 7), instruction: 'RUN x', stage: { index: 0 }, makers: [ref(5, 7)] },
    { layer: 2, base: false, source: null, instruction: null, stage: null, makers: [ref(8), ref(9)] }, // squashed
    { layer: 3, base: false, source: loc(10), instruction: 'RUN x', stage: { index: 0 }, makers: [ref(10)] },
  ],
  steps: [],
};
const result = (sources: ImageSources | null, reference = a.identity.reference): ImageResult => ({ kind: 'analysed', summary: { ...summarize(a), identity: { ...a.identity, reference } }, sources });
const finding = (kind: Finding['kind'], layers: number[]): Finding => ({ kind, bytes: 10, survives: false, layers: layers.map((index) => ({ index, command: 'x' })), paths: [{ path: '/x', bytes: 10 }], pathCount: 1, advice: 'do it', owners: [], fromBase: false });

describe('where a result goes', () => {
  const o = result(SOURCES);
  it('a layer with a line: its lines; a base layer: the final FROM; a squashed layer: the file without a line', () => {
    expect(layerLocation(o, 1, '/')).toEqual({ kind: 'line', file: FILE, line: 5, endLine: 7 });
    expect(layerLocation(o, 0, '/')).toEqual({ kind: 'line', file: FILE, line: 3, endLine: 3 });
    expect(layerLocation(o, 2, '/')).toEqual({ kind: 'file', file: FILE });
    expect(wholeImageLocation(o, '/')).toEqual({ kind: 'line', file: FILE, line: 3, endLine: 3 });
  });

  it('a finding: its first layer with a line; inside the base image, the FROM line; only squashed layers: none', () => {
    expect(findingLocation(o, finding('deleted-later', [1, 3]))).toMatchObject({ line: 5, endLine: 7 });
    expect(findingLocation(o, finding('deleted-later', [2, 3]))).toMatchObject({ line: 10 }); // the writer was squashed: the next line that is known
    expect(findingLocation(o, finding('base-image', [0, 0]))).toMatchObject({ line: 3 });
    expect(findingLocation(o, finding('package-cache', [2]))).toBeUndefined();
    expect(findingLocation(result(null), finding('package-cache', [1]))).toBeUndefined();
  });

  it('without a Dockerfile: the image argument relative to the working directory; a registry or stdin: no file', () => {
    const cwd = path.resolve('/srv/app');
    expect(wholeImageLocation(result(null, 'docker-archive:/srv/app/dist/app.tar:app'), cwd)).toEqual({ kind: 'file', file: 'dist/app.tar' });
    expect(imageLocation('oci:/elsewhere/layout:1', cwd)).toEqual({ kind: 'file', file: '../../elsewhere/layout' });
    expect(imageLocation('docker://registry.example/app:1', cwd)).toEqual({ kind: 'none' });
    expect(imageLocation('docker-archive:-', cwd)).toEqual({ kind: 'none' });
    expect(layerLocation(result(null, 'docker://registry.example/app:1'), 1, cwd)).toEqual({ kind: 'none' });
  });

  it('GitHub: the file property escapes ":" and "," (a path cannot add a property); no file for a registry image', () => {
    const withFinding: ImageResult = { ...o, summary: { ...o.summary, findings: [finding('deleted-later', [1, 3])] }, rules: [{ name: 'lowestEfficiency', status: 'fail', threshold: 0.9, actual: 0.5, message: 'too low' }] };
    const out = formatGithubCommands([withFinding], '/');
    expect(out).toContain('::error file=build/app%3Av1%2Cx.Dockerfile,line=3,endLine=3,title=inspect-tui lowestEfficiency');
    expect(out).toContain('::warning file=build/app%3Av1%2Cx.Dockerfile,line=5,endLine=7,title=');
    expect(out).toContain(`layer 3 at ${FILE}:10: ${a.layers[3]!.command}`);
    const remote = formatGithubCommands([{ ...withFinding, sources: null, summary: { ...withFinding.summary, identity: { ...a.identity, reference: 'docker://registry.example/app:1' } } }], '/');
    expect(remote).toMatch(/^::error title=inspect-tui lowestEfficiency/m);
    expect(remote).not.toContain('::warning'); // a finding without a line is not annotated
  });

  it.skipIf(sarifMultitoolSkipReason() !== undefined)('SARIF for a registry image without a Dockerfile: the reference as a logical location only, accepted by the multitool (Gh, Ghas)', () => {
    const o = result(null, 'docker://registry.example/app:1');
    const failing: ImageResult = { ...o, rules: [{ name: 'paths.block', status: 'fail', threshold: null, actual: 1, message: 'x', offenders: [{ path: '/a', layer: 1, sizeBytes: 1 }] }] };
    const log = JSON.parse(formatSarif([failing, { kind: 'unreadable', reference: 'docker://registry.example/gone:1', message: 'not found' }], { version: '0', cwd: '/' })) as { runs: { results: { locations: { physicalLocation?: unknown; logicalLocations: { name: string }[] }[] }[] }[] };
    const results = log.runs[0]!.results;
    expect(results.map((x) => [x.locations[0]!.physicalLocation, x.locations[0]!.logicalLocations[0]!.name])).toEqual([
      [undefined, 'docker://registry.example/app:1'],
      [undefined, '/a'],
      [undefined, 'docker://registry.example/gone:1'],
    ]);
    const file = `${tmpDir('inspect-tui-remote-sarif-')}/r.sarif`;
    writeFileSync(file, JSON.stringify(log));
    for (const kind of ['Gh', 'Ghas'] as const) expect(validateSarif(file, kind)).toEqual({ errors: [], warnings: [] });
  });

  it('the JSON export: each layer’s source, the dockerfile, each finding’s source; null without lines', () => {
    const j = toExportV1({ ...summarize(a), findings: [finding('base-image', [0, 0])] }, undefined, { sources: SOURCES });
    expect(j.layers.map((l) => l.source?.line ?? null)).toEqual([null, 5, null, 10]);
    expect(j.dockerfile).toEqual({ file: FILE, via: 'dockerfile', from: loc(3) });
    expect(j.findings[0]!.source).toEqual(loc(3));
    const none = toExportV1(summarize(a));
    expect(none.dockerfile).toBeNull();
    expect(none.layers.every((l) => l.source === null)).toBe(true);
  });
});

describe('layer details in the inspector', () => {
  const details = (layer: number, sources: ImageSources | null) => {
    const s = { ...createInitialState({ cols: 160, rows: 40 }) };
    const state = { ...s, layers: { ...s.layers, cursor: layer } };
    return selectLayerDetails(imageView(a, { sources }), state).lines.map(lineText).join('\n');
  };
  it('shows the Dockerfile line of the selected layer, the FROM for a base layer, the lines of a squashed one', () => {
    expect(details(1, SOURCES)).toContain(`Line:   ${FILE}:5-7`);
    expect(details(3, SOURCES)).toContain(`Line:   ${FILE}:10`);
    expect(details(0, SOURCES)).toContain(`Line:   base image (FROM at ${FILE}:3)`);
    expect(details(2, SOURCES)).toContain(`Line:   squashed: ${FILE}:8, 9`);
  });
  it('says nothing of lines when no Dockerfile is known', () => {
    expect(details(1, null)).not.toContain('Line:');
  });
});
