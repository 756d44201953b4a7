import { Box, Text } from 'ink';
import { disabledReason, focusedButton, type Dialog } from '../../src/app/dialogs.js';
import { useApp } from '../app-context.js';
import { ButtonRow } from '../button/ButtonRow.js';
import { Spinner } from '../spinner/Spinner.js';
import { TextField } from '../text-field/TextField.js';
import { useTheme } from '../theme.js';
import { DialogBody, dialogTitle } from './dialog-bodies.js';
import { DialogFrame } from './DialogFrame.js';

const DIALOG_WIDTH = 76;
/** Border and padding on both sides. */
const FRAME_SIDES = 4;
/** Lines a dialog spends on its frame, title, fields, buttons and the gaps between them. */
const DIALOG_CHROME = 10;

/** One line under the fields: work under way, the last error, or why Ok cannot be pressed yet. */
function DialogNote({ dialog }: { dialog: Dialog }) {
  const theme = useTheme();
  if (dialog.busy) return <Spinner label={dialog.busy.label} />;
  if (dialog.error) return <Text {...theme.text['status.error']} wrap="wrap">{dialog.error}</Text>;
  const primary = dialog.buttons[0];
  const reason = primary && dialog.buttons.length > 1 ? disabledReason(dialog, primary.id) : null;
  if (!primary || reason === null) return null;
  return <Text {...theme.text['text.muted']} wrap="wrap">{`${primary.label} is disabled: ${reason}`}</Text>;
}

export interface DialogViewProps {
  dialog: Dialog;
  columns: number;
  bodyLines: number;
  /** Keys reach text fields only when the terminal gives raw input and the app is usable. */
  inputEnabled: boolean;
}

export function DialogView({ dialog, columns, bodyLines, inputEnabled }: DialogViewProps) {
  const { actions } = useApp();
  const width = dialog.kind === 'help' ? columns - 2 : Math.min(DIALOG_WIDTH, columns - 4);
  const labelWidth = Math.max(0, ...dialog.fields.map((f) => f.label.length)) + 4;
  const button = focusedButton(dialog);
  return (
    <DialogFrame title={dialogTitle(dialog)} width={width} compact={dialog.kind === 'help'}>
      <DialogBody dialog={dialog} maxLines={bodyLines - DIALOG_CHROME} width={width - FRAME_SIDES} />
      {dialog.fields.length > 0 ? (
        <Box flexDirection="column">
          {dialog.fields.map((field, index) => (
            <TextField
              key={field.id}
              label={field.label}
              value={field.value}
              secret={field.secret}
              focused={inputEnabled && !dialog.busy && dialog.focus === index}
              labelWidth={labelWidth}
              onChange={(value) => actions.changeField(index, value)}
            />
          ))}
        </Box>
      ) : null}
      <DialogNote dialog={dialog} />
      <ButtonRow
        buttons={dialog.buttons.map((b) => ({ key: b.id, label: b.label, disabled: disabledReason(dialog, b.id) !== null }))}
        focused={button ? dialog.buttons.indexOf(button) : null}
      />
    </DialogFrame>
  );
}
