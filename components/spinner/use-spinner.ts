import { useEffect, useReducer } from 'react';

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
const FRAME_MS = 80;

/** The current frame of a spinner that animates while mounted (its own timer, its own re-renders). */
export function useSpinner(): string {
  const [frame, next] = useReducer((n: number) => (n + 1) % SPINNER_FRAMES.length, 0);
  useEffect(() => {
    const timer = setInterval(next, FRAME_MS);
    return () => clearInterval(timer);
  }, []);
  return SPINNER_FRAMES[frame]!;
}
