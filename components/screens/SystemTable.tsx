import { useMemo } from 'react';
import { bodyHeight, visibleSystems, type TableScreen } from '../../src/app/state.js';
import type { SystemView } from '../../src/app/systems.js';
import { useAppState, useAppStateList } from '../app-context.js';
import { Table, type Column } from '../table/Table.js';
import { systemRow, type SystemRow } from './system-row.js';

/** The systems of one screen, as that screen's columns show them. */
export function SystemTable({ screen, columnsFor, empty }: { screen: TableScreen; columnsFor: (width: number) => Column<SystemRow>[]; empty: string }) {
  const systems = useAppState((s) => visibleSystems(s, screen));
  const view = useAppState((s) => s.views[screen]);
  const height = useAppState((s) => bodyHeight(s, screen));
  const statuses = useAppStateList((s) => {
    const { scroll } = s.views[screen];
    return visibleSystems(s, screen)
      .slice(scroll, scroll + bodyHeight(s, screen))
      .map((system) => s.statuses.get(system.id));
  });
  const focused = useAppState((s) => s.focus === 'table');
  const width = useAppState((s) => s.viewport.columns);
  const columns = useMemo(() => columnsFor(width), [columnsFor, width]);
  return (
    <Table
      items={systems}
      rowOf={(system: SystemView, i: number) => systemRow(system, statuses[i - view.scroll])}
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
