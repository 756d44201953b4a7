// How components reach the application: they read state slices and send commands through
// the controller, and never touch the store, the client or the poller themselves.
import { createContext, useContext, useRef, useSyncExternalStore } from 'react';
import type { AppStore } from '../src/app/app-store.js';
import type { Command } from '../src/app/commands.js';
import type { Viewport } from '../src/app/layout.js';
import type { AppState } from '../src/app/state.js';

/** What the components may ask of the controller. */
export interface AppActions {
  command(command: Command): void;
  changeField(index: number, value: string): void;
  changeFilter(text: string): void;
  resize(viewport: Viewport): void;
}

export interface AppContextValue {
  store: AppStore;
  actions: AppActions;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AppContext.Provider>');
  return value;
}

/**
 * Subscribes to one slice of the state: the component re-renders only when the selected
 * value changes (by identity), so a poller batch does not redraw the whole screen.
 */
export function useAppState<T>(select: (state: AppState) => T): T {
  const { store } = useApp();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

/**
 * Like useAppState for a list that is selected anew each time: the component re-renders only
 * when an element changes (by identity). A poller batch that touches only rows off screen
 * then renders nothing, and no frame competes with the next key press.
 */
export function useAppStateList<T>(select: (state: AppState) => readonly T[]): readonly T[] {
  const { store } = useApp();
  const last = useRef<readonly T[]>([]);
  return useSyncExternalStore(store.subscribe, () => {
    const next = select(store.getState());
    const previous = last.current;
    if (next.length === previous.length && next.every((value, i) => value === previous[i])) return previous;
    last.current = next;
    return next;
  });
}
