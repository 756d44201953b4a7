import { Box, Text } from 'ink';
import { Fragment, memo, type ReactElement } from 'react';
import { useTheme, type TextToken } from '../theme.js';
import { cutCell, fitCell } from '../../src/app/cell-text.js';
import { COLUMN_GAP, CURSOR_WIDTH } from './columns.js';

export interface Column<Row> {
  title: string;
  width: number;
  text(row: Row): string;
  /** A cell's own look, e.g. the Connected column's True/False; the selected row overrides it. */
  tone?(row: Row): TextToken | undefined;
}

export interface TableProps<Item, Row> {
  items: readonly Item[];
  /**
   * The row model of an item (at `index` in `items`), called only for the visible window. It must return the same
   * object while nothing the row shows has changed: unchanged rows then skip rendering.
   */
  rowOf(item: Item, index: number): Row;
  rowKey(item: Item): string;
  columns: readonly Column<Row>[];
  cursor: number;
  /** Index of the first visible item. */
  scroll: number;
  height: number;
  /** The table has the focus (not a header button): the cursor row is drawn as selected. */
  focused: boolean;
  empty: string;
}

const GAP = ' '.repeat(COLUMN_GAP);

type RowState = 'plain' | 'selected' | 'blurred';

interface RowLineProps<Row> {
  row: Row;
  columns: readonly Column<Row>[];
  state: RowState;
}

function RowLineView<Row>({ row, columns, state }: RowLineProps<Row>) {
  const theme = useTheme();
  const rowStyle = state === 'selected' ? theme.text['row.selected'] : state === 'blurred' ? theme.text['row.selectedBlurred'] : {};
  // One Text per row, cells padded with spaces: Ink lays out and draws a node per Text and Box
  // on every frame, and a row of boxes would be a dozen of them. The selected row is padded to
  // its full width, so that its style fills the line.
  const last = columns.length - 1;
  return (
    <Text wrap="truncate" {...rowStyle}>
      {/* The marker shows the cursor row even where no style is rendered at all. */}
      {state === 'plain' ? ' '.repeat(CURSOR_WIDTH) : '› '.padEnd(CURSOR_WIDTH)}
      {columns.map((column, i) => {
        const text = i < last || state === 'selected' ? fitCell(column.text(row), column.width) : cutCell(column.text(row), column.width);
        const tone = state === 'plain' ? column.tone?.(row) : undefined;
        return (
          <Fragment key={column.title}>
            {tone ? <Text {...theme.text[tone]}>{text}</Text> : text}
            {i < last ? GAP : null}
          </Fragment>
        );
      })}
    </Text>
  );
}

const RowLine = memo(RowLineView) as <Row>(props: RowLineProps<Row>) => ReactElement;

/**
 * Renders only the window of rows from `scroll` to `scroll + height`, whatever the number
 * of items; the reducer keeps the cursor inside that window.
 */
export function Table<Item, Row>({ items, rowOf, rowKey, columns, cursor, scroll, height, focused, empty }: TableProps<Item, Row>) {
  const theme = useTheme();
  const heading = ' '.repeat(CURSOR_WIDTH) + columns.map((c) => fitCell(c.title, c.width)).join(GAP);
  return (
    <Box flexDirection="column" height={height + 1} flexShrink={0}>
      <Text wrap="truncate" {...theme.text['row.heading']}>
        {heading}
      </Text>
      {items.length === 0 ? <Text {...theme.text['text.muted']}>{`  ${empty}`}</Text> : null}
      {items.slice(scroll, scroll + height).map((item, i) => (
        <RowLine
          key={rowKey(item)}
          row={rowOf(item, scroll + i)}
          columns={columns}
          state={scroll + i !== cursor ? 'plain' : focused ? 'selected' : 'blurred'}
        />
      ))}
    </Box>
  );
}
