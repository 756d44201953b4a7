// The System screen (SPEC §4): what the last check learned of one system, its key, its pools
// and its alerts, as lines scrolled by the row keys.
import { Box, Text } from 'ink';
import { detailHeight, selectedSystem } from '../../src/app/state.js';
import { detailLinesOf, type DetailTone } from '../../src/app/system-detail.js';
import { useAppState } from '../app-context.js';
import { useTheme, type TextToken } from '../theme.js';

const TONES: Record<DetailTone, TextToken> = {
  heading: 'detail.heading',
  label: 'detail.label',
  critical: 'health.critical',
  warning: 'health.warning',
  ok: 'connected.true',
  muted: 'text.muted',
};

export function SystemScreen() {
  const theme = useTheme();
  const system = useAppState(selectedSystem);
  const status = useAppState((s) => (system ? s.statuses.get(system.id) : undefined));
  const width = useAppState((s) => s.viewport.columns);
  const height = useAppState(detailHeight);
  const scroll = useAppState((s) => s.detail?.scroll ?? 0);
  if (!system) return <Text {...theme.text['text.muted']}>This system is no longer listed</Text>;
  const lines = detailLinesOf(system, status, width);
  const first = Math.min(scroll, Math.max(0, lines.length - height));
  return (
    <Box flexDirection="column" height={height} flexShrink={0}>
      {lines.slice(first, first + height).map((line, i) => (
        <Text key={first + i} wrap="truncate">
          {line.length === 0
            ? ' '
            : line.map((segment, j) => (
                <Text key={j} {...(segment.tone ? theme.text[TONES[segment.tone]] : {})}>
                  {segment.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
