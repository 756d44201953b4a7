// Row cursor and scroll offset of a table that shows only a window of its rows.

export interface TableView {
  cursor: number;
  /** Index of the first row in the window. */
  scroll: number;
}

export type CursorMove = 'up' | 'down' | 'top' | 'bottom' | 'pageUp' | 'pageDown';

export const TOP: TableView = { cursor: 0, scroll: 0 };

/** Keeps the cursor on a row and the cursor row inside the window. */
export function fitView(view: TableView, rowCount: number, height: number): TableView {
  const window = Math.max(1, height);
  const cursor = Math.min(Math.max(0, view.cursor), Math.max(0, rowCount - 1));
  let scroll = Math.min(view.scroll, cursor);
  if (cursor >= scroll + window) scroll = cursor - window + 1;
  scroll = Math.max(0, Math.min(scroll, rowCount - window));
  return cursor === view.cursor && scroll === view.scroll ? view : { cursor, scroll };
}

export function moveCursor(view: TableView, move: CursorMove, rowCount: number, height: number): TableView {
  const page = Math.max(1, height - 1);
  const target = {
    up: view.cursor - 1,
    down: view.cursor + 1,
    top: 0,
    bottom: rowCount - 1,
    pageUp: view.cursor - page,
    pageDown: view.cursor + page,
  }[move];
  const next = fitView({ cursor: target, scroll: view.scroll }, rowCount, height);
  return next.cursor === view.cursor && next.scroll === view.scroll ? view : next;
}
