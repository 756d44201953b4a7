import { Text } from 'ink';
import { memo } from 'react';
import type { StatusMessage } from '../../src/app/state.js';
import { Spinner } from '../spinner/Spinner.js';
import { useTheme } from '../theme.js';

/** One line of news: what just happened, what went wrong, or what is under way. */
export const StatusLine = memo(function StatusLine({ message }: { message: StatusMessage | null }) {
  const theme = useTheme();
  if (!message) return <Text> </Text>;
  if (message.busy) return <Spinner label={message.text} />;
  return (
    <Text wrap="truncate" {...theme.text[`status.${message.tone}`]}>
      {message.text}
    </Text>
  );
});
