import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { addressText, connectedText, lastCheckedText } from '../../src/app/systems.js';
import { useApp, useAppState } from '../app-context.js';
import { KEYMAP, keysLabel } from '../keymap.js';
import { columnWidths } from '../table/columns.js';
import type { Column } from '../table/Table.js';
import { useTheme } from '../theme.js';
import { connectedTone, type SystemRow } from './system-row.js';
import { SystemTable } from './SystemTable.js';

const keysOf = (command: string) => KEYMAP.filter((b) => b.command === command && b.scope !== 'filter').map(keysLabel).join('/');

function dashboardColumns(width: number): Column<SystemRow>[] {
  // Connected is wide enough at 80 columns for the longest reason, `False · certificate changed`.
  const [name, address, version, connected, checked] = columnWidths(width, [
    { min: 10, grow: 2 },
    { min: 14, grow: 3 },
    { min: 8, grow: 0 },
    { min: 27, grow: 0 },
    { min: 12, grow: 0 },
  ]);
  return [
    { title: 'Name', width: name!, text: (r) => r.system.name },
    { title: 'Address', width: address!, text: (r) => addressText(r.system) },
    { title: 'Version', width: version!, text: (r) => r.status?.health?.info?.version ?? '' },
    { title: 'Connected', width: connected!, text: (r) => connectedText(r.status, r.system), tone: connectedTone },
    { title: 'Last checked', width: checked!, text: (r) => lastCheckedText(r.status) },
  ];
}

function FilterLine({ inputEnabled }: { inputEnabled: boolean }) {
  const theme = useTheme();
  const { actions } = useApp();
  const filter = useAppState((s) => s.filter);
  if (filter.editing) {
    return (
      <Box>
        <Text {...theme.text['field.labelFocused']}>Filter: </Text>
        <TextInput value={filter.text} onChange={(text) => actions.changeFilter(text)} focus={inputEnabled} />
      </Box>
    );
  }
  if (filter.text !== '') {
    return (
      <Text wrap="truncate">
        <Text {...theme.text['field.label']}>{`Filter: ${filter.text}`}</Text>
        <Text {...theme.text['text.muted']}>{`  (${keysOf('filterClear')} clears)`}</Text>
      </Text>
    );
  }
  return <Text {...theme.text['text.muted']}>{`${keysOf('filter')} filter · ${keysOf('addSystem')} add a system`}</Text>;
}

export function Dashboard({ inputEnabled }: { inputEnabled: boolean }) {
  const theme = useTheme();
  const demoLines = useAppState((s) => s.demoLines);
  const filtered = useAppState((s) => s.filter.text.trim() !== '');
  return (
    <Box flexDirection="column" flexGrow={1}>
      <FilterLine inputEnabled={inputEnabled} />
      <SystemTable
        screen="dashboard"
        columnsFor={dashboardColumns}
        empty={filtered ? 'No system matches the filter' : `No systems yet: press ${keysOf('addSystem')} to add one`}
      />
      {demoLines.map((line) => (
        <Text key={line} wrap="truncate" {...theme.text['status.info']}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
