import { Text } from 'ink';
import { memo } from 'react';
import { useTheme } from '../theme.js';

export interface ButtonProps {
  label: string;
  focused: boolean;
  disabled: boolean;
}

/**
 * ` Ok ` normally, `›Ok‹` inverse when focused, `[Ok]` dimmed when disabled: the marks keep
 * focus and disabled buttons recognisable where no style is rendered, at the same width.
 */
export const Button = memo(function Button({ label, focused, disabled }: ButtonProps) {
  const theme = useTheme();
  if (disabled) return <Text {...theme.text['button.disabled']}>[{label}]</Text>;
  if (focused) return <Text {...theme.text['button.focused']}>›{label}‹</Text>;
  return <Text {...theme.text['button.default']}> {label} </Text>;
});
