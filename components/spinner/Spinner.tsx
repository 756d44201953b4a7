import { Text } from 'ink';
import { useTheme } from '../theme.js';
import { useSpinner } from './use-spinner.js';

export function Spinner({ label }: { label: string }) {
  const theme = useTheme();
  const frame = useSpinner();
  return (
    <Text {...theme.text['status.info']}>
      {frame} {label}
    </Text>
  );
}
