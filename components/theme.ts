// Semantic theme tokens: components ask for `row.selected` or `button.disabled`, never for a
// colour. The monochrome theme (NO_COLOR) keeps every distinction that matters (focus, the
// selected row, disabled buttons) with inverse, bold, underline and dim alone.
import { createContext, useContext } from 'react';

export interface TextStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export interface BorderTokens {
  borderStyle: 'round' | 'single' | 'double' | 'bold';
  borderColor?: string;
}

export type TextToken =
  | 'text.title'
  | 'text.muted'
  | 'text.label'
  | 'text.key'
  | 'status.info'
  | 'status.success'
  | 'status.warning'
  | 'status.error'
  | 'connected.true'
  | 'connected.false'
  | 'connected.unknown'
  | 'health.critical'
  | 'health.warning'
  | 'health.update'
  | 'detail.heading'
  | 'detail.label'
  | 'row.heading'
  | 'row.selected'
  | 'row.selectedBlurred'
  | 'button.default'
  | 'button.focused'
  | 'button.disabled'
  | 'field.label'
  | 'field.labelFocused'
  | 'keyring.none'
  | 'keyring.locked'
  | 'keyring.unlocked';

export type BorderToken = 'border.dialog' | 'border.focused';

export interface Theme {
  name: 'color' | 'mono';
  text: Readonly<Record<TextToken, TextStyle>>;
  border: Readonly<Record<BorderToken, BorderTokens>>;
}

export const colorTheme: Theme = {
  name: 'color',
  text: {
    'text.title': { color: 'cyan', bold: true },
    'text.muted': { color: 'gray' },
    'text.label': {},
    'text.key': { color: 'yellow', bold: true },
    'status.info': { color: 'cyan' },
    'status.success': { color: 'green' },
    'status.warning': { color: 'yellow' },
    'status.error': { color: 'red', bold: true },
    'connected.true': { color: 'green' },
    'connected.false': { color: 'red' },
    'connected.unknown': { color: 'gray' },
    'health.critical': { color: 'red', bold: true },
    'health.warning': { color: 'yellow' },
    'health.update': { color: 'cyan' },
    'detail.heading': { color: 'cyan', bold: true },
    'detail.label': { color: 'gray' },
    'row.heading': { bold: true, underline: true },
    'row.selected': { color: 'black', backgroundColor: 'cyan' },
    'row.selectedBlurred': { bold: true, underline: true },
    'button.default': { color: 'cyan' },
    'button.focused': { color: 'black', backgroundColor: 'cyan', bold: true },
    'button.disabled': { color: 'gray', dimColor: true },
    'field.label': {},
    'field.labelFocused': { color: 'cyan', bold: true },
    'keyring.none': { color: 'gray' },
    'keyring.locked': { color: 'yellow', bold: true },
    'keyring.unlocked': { color: 'green', bold: true },
  },
  border: {
    'border.dialog': { borderStyle: 'round', borderColor: 'cyan' },
    'border.focused': { borderStyle: 'bold', borderColor: 'cyan' },
  },
};

export const monoTheme: Theme = {
  name: 'mono',
  text: {
    'text.title': { bold: true },
    'text.muted': { dimColor: true },
    'text.label': {},
    'text.key': { bold: true },
    'status.info': {},
    'status.success': { bold: true },
    'status.warning': { bold: true },
    'status.error': { bold: true, underline: true },
    'connected.true': { bold: true },
    'connected.false': {},
    'connected.unknown': { dimColor: true },
    // Without colour the words carry the meaning (`1 critical`, `tank DEGRADED`): bold marks them.
    'health.critical': { bold: true },
    'health.warning': { bold: true },
    'health.update': {},
    'detail.heading': { bold: true, underline: true },
    'detail.label': { dimColor: true },
    'row.heading': { bold: true, underline: true },
    'row.selected': { inverse: true },
    'row.selectedBlurred': { underline: true },
    'button.default': { bold: true },
    'button.focused': { inverse: true, bold: true },
    'button.disabled': { dimColor: true },
    'field.label': {},
    'field.labelFocused': { bold: true, underline: true },
    'keyring.none': { dimColor: true },
    'keyring.locked': { bold: true },
    'keyring.unlocked': { bold: true },
  },
  border: {
    'border.dialog': { borderStyle: 'single' },
    'border.focused': { borderStyle: 'double' },
  },
};

/** NO_COLOR set to anything but the empty string asks for no colour (no-color.org). */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? monoTheme : colorTheme;
}

export const ThemeContext = createContext<Theme>(colorTheme);

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
