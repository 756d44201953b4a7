// Cells of fixed width, for the table component and for the text tables of the System screen.

/** Pads or cuts a cell to exactly `width` characters (cut text ends in `…`). */
export function fitCell(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}

/** Cuts a cell to at most `width` characters (cut text ends in `…`), without padding. */
export function cutCell(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}
