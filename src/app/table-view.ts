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

/** Where `move` takes `position` (of 0…`last`, `height` lines in view); the caller clamps it. */
export function moveTarget(position: number, move: CursorMove, last: number, height: number): number {
  const page = Math.max(1, height - 1);
  return { up: position - 1, down: position + 1, top: 0, bottom: last, pageUp: position - page, pageDown: position + page }[move];
}

export function moveCursor(view: TableView, move: CursorMove, rowCount: number, height: number): TableView {
  const target = moveTarget(view.cursor, move, rowCount - 1, height);
  const next = fitView({ cursor: target, scroll: view.scroll }, rowCount, height);
  return next.cursor === view.cursor && next.scroll === view.scroll ? view : next;
}
