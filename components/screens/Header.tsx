import { Box, Text } from 'ink';
import { headerButtons, selectedSystem, type Screen } from '../../src/app/state.js';
import { useAppState } from '../app-context.js';
import { ButtonRow } from '../button/ButtonRow.js';
import { useTheme } from '../theme.js';

function titleOf(screen: Screen, systemName: string | undefined): string {
  if (screen === 'keyring') return 'TrueNAS Connect · Keyring';
  if (screen === 'system') return `TrueNAS Connect · ${systemName ?? ''}`;
  return 'TrueNAS Connect';
}

function KeyringBadge() {
  const theme = useTheme();
  const { state, name } = useAppState((s) => s.keyring);
  if (state === 'none') return <Text {...theme.text['keyring.none']}>No keyring</Text>;
  if (state === 'locked') return <Text {...theme.text['keyring.locked']}>Locked</Text>;
  return <Text {...theme.text['keyring.unlocked']}>{`Unlocked: ${name ?? ''}`}</Text>;
}

/** Title and keyring state, then the screen's header buttons. */
export function Header({ screen }: { screen: Screen }) {
  const theme = useTheme();
  const keyring = useAppState((s) => s.keyring);
  const focus = useAppState((s) => s.focus);
  const dialogOpen = useAppState((s) => s.dialogs.length > 0);
  const systemName = useAppState((s) => (s.screen === 'system' ? selectedSystem(s)?.name : undefined));
  const buttons = headerButtons(screen, keyring.state);
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box justifyContent="space-between">
        <Text {...theme.text['text.title']} wrap="truncate">
          {titleOf(screen, systemName)}
        </Text>
        <KeyringBadge />
      </Box>
      <ButtonRow
        buttons={buttons.map((b) => ({ key: b.id, label: b.label, disabled: b.disabled }))}
        focused={!dialogOpen && focus !== 'table' ? focus : null}
      />
    </Box>
  );
}
