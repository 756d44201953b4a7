import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../theme.js';

/** The bordered box every dialog sits in, centred in the body of the screen. */
export function DialogFrame({ title, width, children }: { title: string; width: number; children: ReactNode }) {
  const theme = useTheme();
  return (
    <Box flexGrow={1} justifyContent="center" alignItems="center">
      <Box {...theme.border['border.dialog']} flexDirection="column" width={width} paddingX={1} rowGap={1}>
        <Text {...theme.text['text.title']}>{title}</Text>
        {children}
      </Box>
    </Box>
  );
}
