import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useApp, useAppState } from '../app-context.js';
import { KEYMAP, keysLabel } from '../keymap.js';
import { useTheme } from '../theme.js';
import { dashboardColumns } from './dashboard-columns.js';
import { SystemTable } from './SystemTable.js';

const keysOf = (command: string) => KEYMAP.filter((b) => b.command === command && b.scope !== 'filter').map(keysLabel).join('/');

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
  if (filter.text !== '' || filter.problems) {
    return (
      <Text wrap="truncate">
        {filter.problems ? <Text {...theme.text['field.label']}>{'Problems only'}</Text> : null}
        {filter.problems ? <Text {...theme.text['text.muted']}>{`  (${keysOf('problemsOnly')} shows all)  `}</Text> : null}
        {filter.text !== '' ? <Text {...theme.text['field.label']}>{`Filter: ${filter.text}`}</Text> : null}
        {filter.text !== '' ? <Text {...theme.text['text.muted']}>{`  (${keysOf('filterClear')} clears)`}</Text> : null}
      </Text>
    );
  }
  return (
    <Text {...theme.text['text.muted']} wrap="truncate">
      {`${keysOf('filter')} filter · ${keysOf('problemsOnly')} problems only · ${keysOf('openSystem')} details · ${keysOf('addSystem')} add a system`}
    </Text>
  );
}

export function Dashboard({ inputEnabled }: { inputEnabled: boolean }) {
  const theme = useTheme();
  const demoLines = useAppState((s) => s.demoLines);
  const filtered = useAppState((s) => s.filter.text.trim() !== '');
  const problemsOnly = useAppState((s) => s.filter.problems);
  return (
    <Box flexDirection="column" flexGrow={1}>
      <FilterLine inputEnabled={inputEnabled} />
      <SystemTable
        screen="dashboard"
        columnsFor={dashboardColumns}
        empty={
          filtered
            ? 'No system matches the filter'
            : problemsOnly
              ? 'No system has a problem'
              : `No systems yet: press ${keysOf('addSystem')} to add one`
        }
      />
      {demoLines.map((line) => (
        <Text key={line} wrap="truncate" {...theme.text['status.info']}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
