import { useStdout } from 'ink';
import { useEffect, useReducer } from 'react';
import type { Viewport } from '../../src/app/layout.js';

// A stream that is not a terminal has no size; these keep the layout sane until it has one.
const FALLBACK: Viewport = { columns: 80, rows: 24 };

function measure(stdout: NodeJS.WriteStream): Viewport {
  return { columns: stdout.columns || FALLBACK.columns, rows: stdout.rows || FALLBACK.rows };
}

/** The terminal's size, following resizes. */
export function useTerminalSize(): Viewport {
  const { stdout } = useStdout();
  const [size, remeasure] = useReducer(
    (current: Viewport) => {
      const next = measure(stdout);
      return next.columns === current.columns && next.rows === current.rows ? current : next;
    },
    stdout,
    measure,
  );
  useEffect(() => {
    stdout.on('resize', remeasure);
    return () => {
      stdout.off('resize', remeasure);
    };
  }, [stdout]);
  return size;
}
