// How many lines the screens give their table; the reducer needs it for paging and for
// keeping the cursor row visible, the components for drawing the same window.

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface Viewport {
  columns: number;
  rows: number;
}

/**
 * Lines around the table on both screens: title, header buttons, filter or hint line,
 * column headings, status line and footer, plus the line Ink keeps free below the frame.
 */
const CHROME_LINES = 7;

export function isTooSmall(viewport: Viewport): boolean {
  return viewport.columns < MIN_COLUMNS || viewport.rows < MIN_ROWS;
}

export function tableHeight(viewport: Viewport, extraLines: number): number {
  return Math.max(1, viewport.rows - CHROME_LINES - extraLines);
}
