import { useMemo } from 'react';
import { bodyHeight, visibleSystems, type Screen } from '../../src/app/state.js';
import type { SystemView } from '../../src/app/systems.js';
import { useAppState } from '../app-context.js';
import { Table, type Column } from '../table/Table.js';
import { systemRow, type SystemRow } from './system-row.js';

/** The systems of one screen, as that screen's columns show them. */
export function SystemTable({ screen, columnsFor, empty }: { screen: Screen; columnsFor: (width: number) => Column<SystemRow>[]; empty: string }) {
  const systems = useAppState((s) => visibleSystems(s, screen));
  const statuses = useAppState((s) => s.statuses);
  const view = useAppState((s) => s.views[screen]);
  const focused = useAppState((s) => s.focus === 'table');
  const height = useAppState((s) => bodyHeight(s, screen));
  const width = useAppState((s) => s.viewport.columns);
  const columns = useMemo(() => columnsFor(width), [columnsFor, width]);
  return (
    <Table
      items={systems}
      rowOf={(system: SystemView) => systemRow(system, statuses.get(system.id))}
      rowKey={(system) => system.id}
      columns={columns}
      cursor={view.cursor}
      scroll={view.scroll}
      height={height}
      focused={focused}
      empty={empty}
    />
  );
}
