import { Text } from 'ink';
import { memo } from 'react';
import type { Command } from '../../src/app/commands.js';
import { footerBindings, keyLabel, type InputContext } from '../keymap.js';
import { useTheme } from '../theme.js';

/** The main bindings of the current context, straight from the key map. */
export const Footer = memo(function Footer({ context, unavailable }: { context: InputContext; unavailable: readonly Command[] }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate">
      {footerBindings(context, unavailable).map((binding, i) => (
        <Text key={binding.command}>
          {i > 0 ? '  ' : ''}
          <Text {...theme.text['text.key']}>{keyLabel(binding.keys[0]!)}</Text>
          <Text {...theme.text['text.muted']}> {binding.footer}</Text>
        </Text>
      ))}
    </Text>
  );
});
