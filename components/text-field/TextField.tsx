import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useTheme } from '../theme.js';

export interface TextFieldProps {
  label: string;
  value: string;
  secret: boolean;
  /** Only the focused field takes keys (its own useInput is active only then). */
  focused: boolean;
  labelWidth: number;
  onChange(value: string): void;
}

export function TextField({ label, value, secret, focused, labelWidth, onChange }: TextFieldProps) {
  const theme = useTheme();
  return (
    <Box>
      <Box width={labelWidth} flexShrink={0}>
        <Text {...theme.text[focused ? 'field.labelFocused' : 'field.label']}>
          {focused ? '›' : ' '} {label}
        </Text>
      </Box>
      <TextInput value={value} onChange={onChange} focus={focused} mask={secret ? '*' : undefined} showCursor />
    </Box>
  );
}
