// Renders Ink trees at a chosen terminal size and waits for frames by condition, never by time.
import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { createElement, Fragment, type ReactElement } from 'react';

export type FrameCondition = string | RegExp | ((frame: string) => boolean);

export interface Rendered {
  /** The last frame, without escape sequences. */
  lastFrame(): string;
  /** The last frame as written, escape sequences included. */
  rawFrame(): string;
  waitForContent(condition: FrameCondition, timeoutMs?: number): Promise<string>;
  /** Writes one key and waits for the frame to change. */
  sendInputAndWaitForChange(input: string, timeoutMs?: number): Promise<string>;
  /** Writes keys one at a time, each waiting for the frame to change. */
  type(text: string): Promise<string>;
  sendInput(input: string): void;
  resize(columns: number, rows: number): void;
  unmount(): void;
}

export const KEYS = {
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  shiftTab: '\x1b[Z',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function plain(frame: string): string {
  return frame.replace(ANSI, '');
}

/** The words of a frame: borders dropped and every run of whitespace (line breaks too) one space. */
export function flat(frame: string): string {
  return plain(frame).replace(/[│─╭╮╰╯┌┐└┘║═╔╗╚╝┃━┏┓┗┛]/g, ' ').replace(/\s+/g, ' ');
}

function matches(condition: FrameCondition, frame: string): boolean {
  if (typeof condition === 'string') return frame.includes(condition);
  if (condition instanceof RegExp) return condition.test(frame);
  return condition(frame);
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * ink-testing-library's stdout is 100 columns wide and has no rows: the size is set on it
 * between an empty first render and the tree's, so the tree's first frame has the size.
 */
export function renderSized(tree: ReactElement, size: { columns: number; rows: number }): Rendered {
  const instance = render(createElement(Fragment));
  const { stdout, stdin } = instance;
  const frames = new EventEmitter();
  const write = stdout.write;
  stdout.write = (frame: string) => {
    write(frame);
    frames.emit('frame');
  };
  const rawFrame = () => stdout.lastFrame() ?? '';
  const lastFrame = () => plain(rawFrame());

  const waitForContent = (condition: FrameCondition, timeoutMs = DEFAULT_TIMEOUT_MS) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!matches(condition, lastFrame())) return;
        frames.off('frame', check);
        clearTimeout(timer);
        const frame = lastFrame();
        // A frame is written during React's commit, and the effects of that commit
        // (ink-text-input subscribing its new key handler, for one) run in a task React queues
        // right after: two turns later they have run. A person's next key comes long after
        // that, and so does the test's.
        setImmediate(() => setImmediate(() => resolve(frame)));
      };
      const timer = setTimeout(() => {
        frames.off('frame', check);
        reject(new Error(`frame never matched ${String(condition)}; last frame:\n${lastFrame()}`));
      }, timeoutMs);
      frames.on('frame', check);
      check();
    });

  const sendInputAndWaitForChange = (input: string, timeoutMs?: number) => {
    const before = rawFrame();
    stdin.write(input);
    return waitForContent(() => rawFrame() !== before, timeoutMs);
  };

  const resize = (columns: number, rows: number) => {
    Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
    stdout.emit('resize');
  };
  resize(size.columns, size.rows);
  instance.rerender(tree);

  return {
    lastFrame,
    rawFrame,
    waitForContent,
    sendInputAndWaitForChange,
    async type(text) {
      let frame = lastFrame();
      for (const char of text) frame = await sendInputAndWaitForChange(char);
      return frame;
    },
    sendInput: (input) => stdin.write(input),
    resize,
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}
