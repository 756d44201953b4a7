import { Box, useInput, useStdin, type Key } from 'ink';
import { useCallback, useEffect, useMemo } from 'react';
import type { AppStore } from '../src/app/app-store.js';
import { topDialog, tooSmall, unavailableCommands } from '../src/app/state.js';
import { AppContext, useApp, useAppState, type AppActions } from './app-context.js';
import { DialogView } from './dialog/DialogView.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { Footer } from './footer/Footer.js';
import { FullScreen } from './frame/FullScreen.js';
import { useTerminalSize } from './frame/use-terminal-size.js';
import { inputContextOf } from './input/input-context.js';
import { commandFor, keyName } from './keymap.js';
import { Dashboard } from './screens/Dashboard.js';
import { Header } from './screens/Header.js';
import { KeyringScreen } from './screens/KeyringScreen.js';
import { SystemScreen } from './screens/SystemScreen.js';
import { StatusLine } from './status-line/StatusLine.js';
import { ThemeContext, type Theme } from './theme.js';

/** Lines outside the body: title, header buttons, status line, footer, and the one Ink keeps free. */
const FRAME_LINES = 5;

/** Every key goes through the key map: the one place that decides what a key does. */
function useKeyMap(inputEnabled: boolean): void {
  const { store, actions } = useApp();
  const onInput = useCallback(
    (input: string, key: Key) => {
      const command = commandFor(inputContextOf(store.getState()), keyName(input, key));
      if (command) actions.command(command);
    },
    [store, actions],
  );
  // Without raw mode Ink cannot read keys (and would throw when asked to).
  useInput(onInput, { isActive: inputEnabled });
}

function Body({ inputEnabled }: { inputEnabled: boolean }) {
  const screen = useAppState((s) => s.screen);
  const dialog = useAppState(topDialog);
  const viewport = useAppState((s) => s.viewport);
  return (
    <Box flexDirection="column" height={Math.max(1, viewport.rows - FRAME_LINES)} flexShrink={0}>
      {dialog ? (
        <DialogView dialog={dialog} columns={viewport.columns} bodyLines={viewport.rows - FRAME_LINES} inputEnabled={inputEnabled} />
      ) : screen === 'dashboard' ? (
        <Dashboard inputEnabled={inputEnabled} />
      ) : screen === 'system' ? (
        <SystemScreen />
      ) : (
        <KeyringScreen />
      )}
    </Box>
  );
}

function Screen() {
  const { actions } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize();
  useEffect(() => actions.resize(size), [actions, size]);
  const viewport = useAppState((s) => s.viewport);
  const usable = useAppState((s) => !tooSmall(s));
  const inputEnabled = isRawModeSupported === true;
  useKeyMap(inputEnabled);
  const screen = useAppState((s) => s.screen);
  const message = useAppState((s) => s.message);
  const context = useAppState(inputContextOf);
  const keyring = useAppState((s) => s.keyring.state);
  return (
    <FullScreen viewport={viewport}>
      <Header screen={screen} />
      <Body inputEnabled={inputEnabled && usable} />
      <StatusLine message={message} />
      <Footer context={context} unavailable={unavailableCommands(keyring)} />
    </FullScreen>
  );
}

export interface AppProps {
  store: AppStore;
  actions: AppActions;
  theme: Theme;
  onError(error: Error): void;
}

export function App({ store, actions, theme, onError }: AppProps) {
  const context = useMemo(() => ({ store, actions }), [store, actions]);
  return (
    <ErrorBoundary onError={onError}>
      <AppContext.Provider value={context}>
        <ThemeContext.Provider value={theme}>
          <Screen />
        </ThemeContext.Provider>
      </AppContext.Provider>
    </ErrorBoundary>
  );
}

/** The element to render, for callers that must not compile JSX themselves (see run.tsx). */
export function appElement(props: AppProps) {
  return <App {...props} />;
}
