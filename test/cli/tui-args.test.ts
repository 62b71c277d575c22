import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli/args.js';
import { runCli } from '../helpers/run-cli.js';

describe('--theme and --no-mouse', () => {
  it('are parsed for the inspector', () => {
    expect(parseCli(['--theme', 'light', 'img'], {})).toMatchObject({ theme: 'light', noMouse: false });
    expect(parseCli(['--theme=high-contrast', '--no-mouse', 'img'], {})).toMatchObject({ theme: 'high-contrast', noMouse: true });
    expect(parseCli(['img'], {}).theme).toBeUndefined();
  });

  it('an unknown theme is a usage error', () => {
    expect(() => parseCli(['--theme', 'neon', 'img'], {})).toThrow('--theme "neon" is not one of dark, light, high-contrast');
  });

  it('on the command line: one line, exit 2', () => {
    const r = runCli(['--theme', 'neon', 'img']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('inspect-tui: --theme "neon" is not one of dark, light, high-contrast\n');
  });
});
