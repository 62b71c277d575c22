import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { Viewport } from '../../viewmodel/index.js';

/**
 * The terminal size, from Ink's stdout and its `resize` event (Ink 6 has no useWindowSize).
 * A fixed viewport (tests) wins over the terminal's.
 */
export function useViewport(fixed?: Viewport): Viewport {
  const { stdout } = useStdout();
  const read = (): Viewport => fixed ?? { cols: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState<Viewport>(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
