// Preloaded into benchmarked processes (NODE_OPTIONS=--require): at exit, writes the peak
// resident set size (VmHWM, KiB) to the file named by INSPECT_TUI_BENCH_RSS_FILE.
const fs = require('node:fs');
process.on('exit', () => {
  const out = process.env.INSPECT_TUI_BENCH_RSS_FILE;
  if (!out) return;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) fs.writeFileSync(out, m[1]);
  } catch {
    // not Linux: no figure
  }
});
