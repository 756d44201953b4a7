import { Box } from 'ink';
import { Button } from './Button.js';

export interface ButtonRowItem {
  key: string;
  label: string;
  disabled: boolean;
}

export function ButtonRow({ buttons, focused }: { buttons: readonly ButtonRowItem[]; focused: number | null }) {
  return (
    <Box columnGap={2}>
      {buttons.map((button, index) => (
        <Button key={button.key} label={button.label} disabled={button.disabled} focused={index === focused} />
      ))}
    </Box>
  );
}
