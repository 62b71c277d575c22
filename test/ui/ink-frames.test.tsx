import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Ink as patches/ink+*.patch leaves it: a full-screen frame rewrites only the rows that changed,
// and rows whose writes did not change are kept from the frame before. Ink decides at import
// whether it runs in CI (then it writes no frames at all), so it is imported here with CI unset.

type InkModule = typeof import('ink');
let ink: InkModule;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const k of Object.keys(process.env)) {
    if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_')) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  }
  ink = await import('ink');
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) process.env[k] = v;
});

const ESC = '\x1b[';
const SYNC_ON = '\x1b[?2026h';
const SYNC_OFF = '\x1b[?2026l';
const CLEAR = '\x1b[2J\x1b[3J\x1b[H';

/** A terminal stand-in: a TTY of a size, recording every write. */
function terminal(columns: number, rows: number) {
  const out = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns,
    rows,
    writes: [] as string[],
    write(s: string) {
      out.writes.push(s);
      return true;
    },
  });
  return out;
}

function keyboard() {
  return Object.assign(new EventEmitter(), { isTTY: false, setEncoding() {}, setRawMode() {}, read: () => null, ref() {}, unref() {}, resume() {}, pause() {} });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What was written for the last frame, without the synchronized-output brackets. */
async function nextWrites(out: ReturnType<typeof terminal>, act: () => void): Promise<string> {
  out.writes.length = 0;
  act();
  await sleep(80); // past Ink's 30 fps throttle
  return out.writes.join('').split(SYNC_ON).join('').split(SYNC_OFF).join('');
}

function Screen({ lines, width }: { lines: string[]; width: number }) {
  const { Box, Text } = ink;
  return createElement(
    Box,
    { flexDirection: 'column', width, height: lines.length },
    lines.map((l, i) => createElement(Text, { key: i, wrap: 'truncate' }, l)),
  );
}

describe('full-screen frames', () => {
  it('rewrite only the changed row, addressed absolutely and erased to its end', async () => {
    const out = terminal(20, 3);
    const stdin = keyboard();
    const view = (lines: string[]) => createElement(Screen, { lines, width: 20 });
    let app!: ReturnType<InkModule['render']>;
    await nextWrites(out, () => {
      app = ink.render(view(['alpha', 'beta', 'gamma']), { stdout: out as never, stdin: stdin as never, exitOnCtrlC: false, patchConsole: false });
    });
    // The second frame of a terminal-filling output is drawn whole (nothing to diff against yet).
    const whole = await nextWrites(out, () => app.rerender(view(['alpha', 'beta', 'delta'])));
    expect(whole).toBe(`${CLEAR}alpha\nbeta\ndelta`);
    const patch = await nextWrites(out, () => app.rerender(view(['alpha', 'BETA', 'delta'])));
    expect(patch).toBe(`${ESC}2;1HBETA${ESC}K`);
    const two = await nextWrites(out, () => app.rerender(view(['one', 'BETA', 'three'])));
    expect(two).toBe(`${ESC}1;1Hone${ESC}K${ESC}3;1Hthree${ESC}K`);
    const same = await nextWrites(out, () => app.rerender(view(['one', 'BETA', 'three'])));
    expect(same).toBe('');
    app.unmount();
  });

  it('are drawn whole again after a resize', async () => {
    const out = terminal(20, 3);
    const stdin = keyboard();
    let app!: ReturnType<InkModule['render']>;
    const view = (lines: string[], width: number) => createElement(Screen, { lines, width });
    await nextWrites(out, () => {
      app = ink.render(view(['a', 'b', 'c'], 20), { stdout: out as never, stdin: stdin as never, exitOnCtrlC: false, patchConsole: false });
    });
    await nextWrites(out, () => app.rerender(view(['a', 'b', 'd'], 20)));
    expect(await nextWrites(out, () => app.rerender(view(['a', 'x', 'd'], 20)))).toBe(`${ESC}2;1Hx${ESC}K`);
    const resized = await nextWrites(out, () => {
      out.columns = 30;
      out.emit('resize');
      app.rerender(view(['a', 'x', 'e'], 30));
    });
    // The resize redraws the frame it has whole at once; the new content then patches it.
    expect(resized).toBe(`${CLEAR}a\nx\nd${ESC}3;1He${ESC}K`);
    // …and patched in place from then on.
    expect(await nextWrites(out, () => app.rerender(view(['a', 'y', 'e'], 30)))).toBe(`${ESC}2;1Hy${ESC}K`);
    app.unmount();
  });
});

describe("Ink's output stage", () => {
  // Output is internal to Ink (not exported): loaded from the file the patch changes.
  const inkDir = path.dirname(createRequire(import.meta.url).resolve('ink'));
  const load = async () => (await import(pathToFileURL(path.join(inkDir, 'output.js')).href)).default as new (o: { width: number; height: number }) => {
    write(x: number, y: number, text: string, o: { transformers: ((s: string, i: number) => string)[] }): void;
    get(): { output: string; height: number };
  };

  it('is patched (the bundle is built from it)', () => {
    expect(readFileSync(path.join(inkDir, 'output.js'), 'utf8')).toContain('const rowCache');
    expect(readFileSync(path.join(inkDir, 'ink.js'), 'utf8')).toContain('fullscreenFrame');
  });

  it('gives the frame Ink built whole before: styles, overlapping writes, offsets', async () => {
    const Output = await load();
    const seen: string[] = [];
    const frame = (rows: string[], overlay?: string) => {
      const o = new Output({ width: 12, height: rows.length });
      rows.forEach((r, y) => o.write(0, y, `\x1b[31m${r}\x1b[39m`, { transformers: [] }));
      if (overlay) o.write(4, 1, overlay, { transformers: [] });
      return o.get();
    };
    const a = frame(['one', 'two', 'three']);
    expect(a.output).toBe('\x1b[31mone\x1b[39m\n\x1b[31mtwo\x1b[39m\n\x1b[31mthree\x1b[39m');
    const b = frame(['one', 'two', 'three'], 'XY');
    expect(b.output).toBe('\x1b[31mone\x1b[39m\n\x1b[31mtwo\x1b[39m XY\n\x1b[31mthree\x1b[39m');
    const c = frame(['one', 'TWO', 'three']);
    expect(c.output.split('\n')[1]).toBe('\x1b[31mTWO\x1b[39m');
    // A transformer sees each line once, as written.
    const o = new Output({ width: 3, height: 1 });
    o.write(1, 0, 'ab', { transformers: [(s) => (seen.push(s), s)] });
    expect(o.get().output).toBe(' ab');
    expect(seen).toEqual(['ab']);
  });

  it('reuses the string of an unchanged row from the frame before', async () => {
    const Output = await load();
    const frame = (rows: string[]) => {
      const o = new Output({ width: 40, height: rows.length });
      rows.forEach((r, y) => o.write(0, y, r, { transformers: [] }));
      return o;
    };
    const rows = Array.from({ length: 45 }, (_, i) => `\x1b[2m${'row '.repeat(8)}${i}\x1b[22m`);
    frame(rows).get();
    // Counted: the rows the styled-character stage builds.
    const built: number[] = [];
    const count = (o: ReturnType<typeof frame>) => {
      const proto = Object.getPrototypeOf(o) as { buildRow: (w: unknown[]) => string };
      const orig = proto.buildRow;
      let n = 0;
      proto.buildRow = function (this: unknown, w: unknown[]) {
        n++;
        return orig.call(this, w);
      };
      try {
        o.get();
      } finally {
        proto.buildRow = orig;
      }
      built.push(n);
    };
    count(frame(rows));
    const moved = rows.slice();
    moved[3] = 'changed';
    moved[4] = 'changed too';
    count(frame(moved));
    expect(built).toEqual([0, 2]);
  });
});
