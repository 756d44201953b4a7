import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../theme.js';

/** The bordered box every dialog sits in, centred in the body of the screen; `compact` drops the blank lines. */
export function DialogFrame({ title, width, compact, children }: { title: string; width: number; compact: boolean; children: ReactNode }) {
  const theme = useTheme();
  return (
    <Box flexGrow={1} justifyContent="center" alignItems="center">
      <Box {...theme.border['border.dialog']} flexDirection="column" width={width} paddingX={1} rowGap={compact ? 0 : 1}>
        <Text {...theme.text['text.title']}>{title}</Text>
        {children}
      </Box>
    </Box>
  );
}
