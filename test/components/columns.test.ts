import { describe, expect, it } from 'vitest';
import { cutCell, fitCell } from '../../src/app/cell-text.js';
import { columnWidths, COLUMN_GAP, CURSOR_WIDTH } from '../../components/table/columns.js';

const DASHBOARD = [
  { min: 12, grow: 2 },
  { min: 16, grow: 3 },
  { min: 8, grow: 0 },
  { min: 20, grow: 1, max: 28 },
  { min: 12, grow: 0 },
];

describe('column widths', () => {
  it.each([80, 100, 120, 200])('fill %i columns exactly, minimums kept and maximums respected', (total) => {
    const widths = columnWidths(total, DASHBOARD);
    expect(widths.reduce((a, b) => a + b, 0) + CURSOR_WIDTH + COLUMN_GAP * (widths.length - 1)).toBe(total);
    widths.forEach((width, i) => {
      expect(width).toBeGreaterThanOrEqual(DASHBOARD[i]!.min);
      expect(width).toBeLessThanOrEqual(DASHBOARD[i]!.max ?? Infinity);
    });
    expect(widths[2]).toBe(8);
    expect(widths[4]).toBe(12);
  });
});

describe('cells', () => {
  it('pads or cuts to the width, marking a cut with …', () => {
    expect(fitCell('nas', 6)).toBe('nas   ');
    expect(fitCell('False · certificate changed', 12)).toBe('False · cer…');
    expect(cutCell('nas', 6)).toBe('nas');
    expect(cutCell('truenas-primary', 8)).toBe('truenas…');
  });
});
