import { Text } from 'ink';
import { memo } from 'react';
import { useTheme } from '../theme.js';

export interface ButtonProps {
  label: string;
  focused: boolean;
  disabled: boolean;
}

/**
 * ` Ok ` normally, inverse when focused, `[Ok]` dimmed when disabled: the brackets keep a
 * disabled button recognisable where dim text is not rendered, at the same width.
 */
export const Button = memo(function Button({ label, focused, disabled }: ButtonProps) {
  const theme = useTheme();
  if (disabled) return <Text {...theme.text['button.disabled']}>[{label}]</Text>;
  return <Text {...theme.text[focused ? 'button.focused' : 'button.default']}> {label} </Text>;
});
