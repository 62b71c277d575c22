import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli/args.js';
import { parseReportSpecs } from '../../src/cli/ci-config.js';
import { commandNamed, COMMANDS, dispatch, helpOf } from '../../src/cli/commands.js';
import { parseDiffCli } from '../../src/cli/diff-args.js';
import { parseOptions, type OptionSpec, type ValueKind } from '../../src/cli/options.js';
import { REPORT_FORMATS } from '../../src/report/formats.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * One table of commands: dispatch, parsing, `--help`, `help COMMAND` and `COMMAND --help` all come
 * from it, and its option tables say enough (name, alias, value and its kind, description) for a
 * shell completion to be made from them.
 */

const listed = (c: (typeof COMMANDS)[number]) => c.options.filter((o) => !o.hidden);

/** A valid value for an option of each kind, to feed every row of a table to its parser. */
const SAMPLE: Readonly<Record<ValueKind, string>> = {
  file: 'f.json',
  directory: 'd',
  image: 'img.tar',
  report: 'junit=r.xml',
  choice: '',
  platform: 'linux/amd64',
  size: '20MB',
  number: '1',
  limit: '0.05',
  command: 'diff',
  text: 'x',
};
const sample = (o: OptionSpec) => (o.value ? [`--${o.name}`, o.value.choices ? o.value.choices[0]! : SAMPLE[o.value.kind]] : [`--${o.name}`]);

describe('the command table', () => {
  it('has inspect first (the default), then diff, build, init, cache, completion and help', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(['inspect', 'diff', 'build', 'init', 'cache', 'completion', 'help']);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: options are data a completion can use', (_, c) => {
    const names = c.options.map((o) => o.name);
    expect(new Set(names).size, 'unique names').toBe(names.length);
    const aliases = c.options.flatMap((o) => (o.alias ? [o.alias] : []));
    expect(new Set(aliases).size, 'unique aliases').toBe(aliases.length);
    for (const o of c.options) {
      expect(o.description, o.name).not.toBe('');
      if (o.value) {
        expect(o.value.label, o.name).toMatch(/^[A-Z]/);
        expect(o.value.kind === 'choice', `${o.name}: choices go with the kind choice`).toBe(o.value.choices !== undefined);
      }
    }
    expect(names).toContain('help');
    for (const op of c.operands) {
      expect(Object.keys(SAMPLE)).toContain(op.kind);
      expect(op.kind === 'choice', `${c.name} ${op.label}: choices go with the kind choice`).toBe(op.choices !== undefined);
    }
  });

  it.each([
    [['img.tar'], 'inspect', ['img.tar']],
    [['--ci', 'img.tar'], 'inspect', ['--ci', 'img.tar']],
    [['inspect', '--ci', 'img.tar'], 'inspect', ['--ci', 'img.tar']],
    [['diff', 'a', 'b'], 'diff', ['a', 'b']],
    [['init', '--force'], 'init', ['--force']],
    [['help', 'diff'], 'help', ['diff']],
    [[], 'inspect', []],
  ])('dispatches %j to %s', (argv, name, rest) => {
    const d = dispatch(argv);
    expect(d.command.name).toBe(name);
    expect(d.argv).toEqual(rest);
  });

  it('every option of a table is accepted by its own parser, and nothing else is', () => {
    for (const c of COMMANDS) {
      for (const o of c.options) expect(() => parseOptions(sample(o), c.options, '', 'see --help'), `${c.name} --${o.name}`).not.toThrow();
    }
    // the inspector's and the diff's parsers run on their tables
    expect(() => parseCli(['--report', 'junit=r.xml', '--json-format', 'dive', '--base-layers', '2', 'img.tar'], {})).not.toThrow();
    expect(() => parseDiffCli(['--old-platform', 'linux/arm64', '--highestSizeIncrease', '1MB', 'a.tar', 'b.tar'], {})).not.toThrow();
  });

  it('diff parses its own options, not the inspector\'s: --json-format is no option of diff, and --report takes only the comparison\'s html', () => {
    expect(() => parseDiffCli(['--report', 'junit=r.xml', 'a.tar', 'b.tar'], {})).toThrow(/^diff: --report junit=r\.xml: diff writes only the html report/);
    expect(parseDiffCli(['--report', 'html=r.html', 'a.tar', 'b.tar'], {}).reports).toEqual([{ format: 'html', file: 'r.html' }]);
    // a report asks for a verdict, as for one image
    expect(parseDiffCli(['--report', 'html=r.html', 'a.tar', 'b.tar'], {}).ci).toBe(true);
    expect(() => parseDiffCli(['--json-format', 'dive', 'a.tar', 'b.tar'], {})).toThrow(/^diff: unknown option --json-format \(/);
    // and --ci is what the user said, not a flag the parser was handed to accept two images
    expect(parseDiffCli(['a.tar', 'b.tar'], {}).ci).toBe(false);
    expect(parseDiffCli(['--ci', 'a.tar', 'b.tar'], {}).ci).toBe(true);
    expect(parseDiffCli(['a.tar', 'b.tar'], { CI: 'true' }).ci).toBe(true);
    expect(() => parseDiffCli(['docker-archive:-', 'b.tar'], {})).toThrow(/cannot read an image from stdin/);
  });
});

describe('help', () => {
  it('--help names every command and lists every option of the default command', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(helpOf(COMMANDS[0]!));
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    for (const o of listed(COMMANDS[0]!)) expect(r.stdout, o.name).toMatch(new RegExp(`^  (-${o.alias}, )?--${o.name}\\b`, 'm'));
    // the image transports and the report formats, from their tables
    for (const f of REPORT_FORMATS) expect(r.stdout).toMatch(new RegExp(`^  ${f.name}\\b`, 'm'));
    expect(r.stdout).toMatch(/^ {2}oci:DIR\[:REF\] /m);
  });

  it.each(['diff', 'build', 'init', 'cache', 'completion'])('inspect-tui help %s is inspect-tui %s --help: the command\'s usage and every option of its table', (name) => {
    const viaHelp = runCli(['help', name]);
    const viaFlag = runCli([name, '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    const c = commandNamed(name)!;
    expect(viaHelp.stdout).toBe(helpOf(c));
    expect(viaHelp.stdout.startsWith(`Usage: inspect-tui ${name} [options]`)).toBe(true);
    for (const o of listed(c)) expect(viaHelp.stdout, o.name).toMatch(new RegExp(`^  (-${o.alias}, )?--${o.name}\\b`, 'm'));
    for (const o of c.options.filter((x) => x.hidden)) expect(viaHelp.stdout).not.toContain(`--${o.name} `);
  });

  it('help inspect is the tool\'s help; an unknown command is one line, exit 2', () => {
    expect(runCli(['help', 'inspect']).stdout).toBe(runCli(['--help']).stdout);
    const r = runCli(['help', 'frob']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('inspect-tui: help: no command "frob" (commands: inspect, diff, build, init, cache, completion, help)\n');
  });
});

describe('the table of report formats', () => {
  it.each(REPORT_FORMATS.map((f) => [f.name, f] as const))('%s: the parser takes it where its row says it goes', (name, f) => {
    const withFile = () => parseReportSpecs([`${name}=out`], {});
    const bare = () => parseReportSpecs([name], {});
    if (f.destination === 'stdout') {
      expect(bare()).toEqual([{ format: name }]);
      expect(withFile).toThrow(/takes no file/);
    } else {
      expect(withFile()).toEqual([{ format: name, file: 'out' }]);
      if (f.destination === 'file') expect(bare).toThrow(/needs a file/);
      else {
        expect(bare).toThrow(/needs a file/); // without $GITHUB_STEP_SUMMARY
        expect(parseReportSpecs([name], { GITHUB_STEP_SUMMARY: '/tmp/s' })).toEqual([{ format: name }]);
      }
    }
  });
});
