import { Box, Text } from 'ink';
import { connectedText, keyText } from '../../src/app/systems.js';
import { columnWidths } from '../table/columns.js';
import type { Column } from '../table/Table.js';
import { useTheme } from '../theme.js';
import { connectedTone, type SystemRow } from './system-row.js';
import { SystemTable } from './SystemTable.js';

/** Exactly the seed's columns: TrueNAS, Key, Connected. */
function keyringColumns(width: number): Column<SystemRow>[] {
  const [name, key, connected] = columnWidths(width, [
    { min: 20, grow: 2 },
    { min: 8, grow: 0 },
    { min: 20, grow: 1, max: 30 },
  ]);
  return [
    { title: 'TrueNAS', width: name!, text: (r) => r.system.name },
    { title: 'Key', width: key!, text: (r) => keyText(r.system) },
    { title: 'Connected', width: connected!, text: (r) => connectedText(r.status, r.system), tone: connectedTone },
  ];
}

export function KeyringScreen() {
  const theme = useTheme();
  return (
    <Box flexDirection="column" flexGrow={1}>
      <Text {...theme.text['text.muted']} wrap="truncate">
        API keys of your TrueNAS systems, encrypted with the keyring passphrase.
      </Text>
      <SystemTable screen="keyring" columnsFor={keyringColumns} empty="No systems yet" />
    </Box>
  );
}
