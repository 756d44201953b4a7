// Fixed column widths from the terminal width: every row pads its cells to them, so rows
// line up without measuring the data (which, with 1,000 systems, would cost every frame).

export interface ColumnSpec {
  min: number;
  /** Share of the width left over after every column has its minimum. */
  grow: number;
  max?: number;
}

export const CURSOR_WIDTH = 2;
export const COLUMN_GAP = 1;

export function columnWidths(total: number, specs: readonly ColumnSpec[]): number[] {
  const widths = specs.map((spec) => spec.min);
  let spare = total - CURSOR_WIDTH - COLUMN_GAP * (specs.length - 1) - widths.reduce((a, b) => a + b, 0);
  // Hand out the spare width by weight, re-spreading whatever a capped column cannot take.
  while (spare > 0) {
    const open = specs.map((spec, i) => (spec.grow > 0 && widths[i]! < (spec.max ?? Infinity) ? i : -1)).filter((i) => i >= 0);
    const weight = open.reduce((sum, i) => sum + specs[i]!.grow, 0);
    if (weight === 0) break;
    let given = 0;
    for (const i of open) {
      const share = Math.max(1, Math.floor((spare * specs[i]!.grow) / weight));
      const room = (specs[i]!.max ?? Infinity) - widths[i]!;
      const add = Math.min(share, room, spare - given);
      widths[i]! += add;
      given += add;
      if (given >= spare) break;
    }
    if (given === 0) break;
    spare -= given;
  }
  return widths;
}
