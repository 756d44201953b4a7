// Escape sequences are asserted here, so colour output is forced on before Ink (and the
// colour library it uses) loads; each test file runs in its own module graph.
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// The worker process may run other test files afterwards: the variable does not outlive this one.
const savedForceColor = process.env.FORCE_COLOR;
afterAll(() => {
  if (savedForceColor === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = savedForceColor;
});
process.env.FORCE_COLOR = '1';
const { renderState } = await import('./app-harness.js');
const { colorTheme, monoTheme, themeFor } = await import('../../components/theme.js');
const { reducer } = await import('../../src/app/state.js');

const INVERSE = '\x1b[7m';
const DIM = '\x1b[2m';
const ANY_COLOUR = /\x1b\[(?:[0-9;]*;)?(?:3[0-79]|9[0-7]|4[0-79]|10[0-7]|38;|48;)/;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

const systems = Array.from({ length: 5 }, (_, i) => ({ id: `id-${i}`, name: `nas-${i}`, address: `nas-${i}.lan`, key: null }));

function draw(theme: typeof colorTheme, screen: 'dashboard' | 'keyring' = 'dashboard') {
  const ui = renderState(
    (state) =>
      [
        { type: 'systemsLoaded', systems } as const,
        { type: 'statusesChanged', statuses: [{ id: 'id-0', connected: true, checking: false, failures: 0 }] } as const,
        { type: 'screenChanged', screen } as const,
        { type: 'cursorMoved', move: 'down' } as const,
        { type: 'cursorMoved', move: 'down' } as const,
      ].reduce(reducer, state),
    { theme },
  );
  cleanups.push(ui.unmount);
  return ui;
}

function rawLine(raw: string, text: string): string {
  return raw.split('\n').find((line) => line.replace(/\x1b\[[0-9;]*m/g, '').includes(text)) ?? '';
}

describe('NO_COLOR', () => {
  it('chooses the monochrome theme when NO_COLOR is set to anything', () => {
    expect(themeFor({ NO_COLOR: '1' })).toBe(monoTheme);
    expect(themeFor({ NO_COLOR: '' })).toBe(colorTheme);
    expect(themeFor({})).toBe(colorTheme);
  });

  it('has no colour in any monochrome token, and the same tokens as the colour theme', () => {
    expect(Object.keys(monoTheme.text).sort()).toEqual(Object.keys(colorTheme.text).sort());
    for (const style of Object.values(monoTheme.text)) {
      expect(style.color).toBeUndefined();
      expect(style.backgroundColor).toBeUndefined();
    }
    for (const border of Object.values(monoTheme.border)) expect(border.borderColor).toBeUndefined();
  });

  it('draws the colour theme in colour (so the checks below can fail)', async () => {
    const ui = draw(colorTheme);
    await ui.waitForContent('nas-4');
    expect(ui.rawFrame()).toMatch(ANY_COLOUR);
  });

  it('still marks the selected row, without colour', async () => {
    const ui = draw(monoTheme);
    await ui.waitForContent('nas-4');
    const raw = ui.rawFrame();
    expect(raw).not.toMatch(ANY_COLOUR);
    const selected = rawLine(raw, 'nas-2');
    expect(selected).toContain(INVERSE);
    expect(selected.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/^› nas-2/);
    expect(rawLine(raw, 'nas-3')).not.toContain(INVERSE);
  });

  it('shows focus on a header button and a disabled button without colour', async () => {
    const ui = draw(monoTheme, 'keyring');
    await ui.waitForContent('nas-4');
    ui.store.dispatch({ type: 'focusMoved', step: 1 });
    await ui.waitForContent('›← Dashboard‹');
    const buttons = rawLine(ui.rawFrame(), 'Dashboard');
    expect(buttons).toContain(INVERSE);
    expect(buttons).toContain(`${DIM}[Reset]`);
    expect(ui.rawFrame()).not.toMatch(ANY_COLOUR);
  });
});
