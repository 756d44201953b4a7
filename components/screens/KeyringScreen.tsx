import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { bodyHeight, visibleSystems } from '../../src/app/state.js';
import { connectedText, keyText, type SystemView } from '../../src/app/systems.js';
import { useAppState } from '../app-context.js';
import { columnWidths } from '../table/columns.js';
import { Table, type Column } from '../table/Table.js';
import { useTheme } from '../theme.js';
import { connectedTone, systemRow, type SystemRow } from './system-row.js';

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
  const systems = useAppState((s) => visibleSystems(s, 'keyring'));
  const statuses = useAppState((s) => s.statuses);
  const view = useAppState((s) => s.views.keyring);
  const focused = useAppState((s) => s.focus === 'table');
  const height = useAppState((s) => bodyHeight(s, 'keyring'));
  const columns = useAppState((s) => s.viewport.columns);
  const tableColumns = useMemo(() => keyringColumns(columns), [columns]);
  return (
    <Box flexDirection="column" flexGrow={1}>
      <Text {...theme.text['text.muted']} wrap="truncate">
        API keys of your TrueNAS systems, encrypted with the keyring passphrase.
      </Text>
      <Table
        items={systems}
        rowOf={(system: SystemView) => systemRow(system, statuses.get(system.id))}
        rowKey={(system) => system.id}
        columns={tableColumns}
        cursor={view.cursor}
        scroll={view.scroll}
        height={height}
        focused={focused}
        empty="No systems yet"
      />
    </Box>
  );
}
