import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { isTooSmall, MIN_COLUMNS, MIN_ROWS, type Viewport } from '../../src/app/layout.js';
import { KEYMAP, keysLabel } from '../keymap.js';
import { useTheme } from '../theme.js';

const QUIT_KEYS = KEYMAP.filter((b) => b.command === 'quit' || b.command === 'quitNow').map(keysLabel).join(' or ');

/**
 * The whole screen: `rows - 1` lines (Ink keeps the cursor on the line below the frame, and
 * a frame as tall as the terminal would scroll it). Below 80×24 it shows only a notice.
 */
export function FullScreen({ viewport, children }: { viewport: Viewport; children: ReactNode }) {
  const theme = useTheme();
  const height = Math.max(1, viewport.rows - 1);
  if (isTooSmall(viewport)) {
    return (
      <Box height={height} width={viewport.columns} flexDirection="column">
        <Text {...theme.text['status.error']} wrap="wrap">
          {`terminal too small: need ${MIN_COLUMNS}×${MIN_ROWS}, have ${viewport.columns}×${viewport.rows}`}
        </Text>
        <Text {...theme.text['text.muted']}>{`${QUIT_KEYS} quits`}</Text>
      </Box>
    );
  }
  return (
    <Box height={height} width={viewport.columns} flexDirection="column">
      {children}
    </Box>
  );
}
