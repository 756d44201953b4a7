// Keys one at a time. A terminal delivers whatever arrived together as one chunk ("j" and
// Enter from a script, or fast typing over a slow link), and Ink hands a run of plain
// characters to the app as one input ("j\r"), which matches no binding. Worse, keys that
// Ink does split are handled in one go, before React has given ink-text-input the handler
// that knows the previous key. This stream passes each key on in its own turn of the event
// loop, after the effects of the one before.
import { EventEmitter } from 'node:events';

const ESC = '\u001b';

/** Length of the escape sequence at `start` (ESC [ … final, ESC O x, ESC x, or ESC alone). */
function escapeLength(text: string, start: number): number {
  const kind = text[start + 1];
  if (kind === undefined) return 1;
  if (kind === ESC) return 1 + escapeLength(text, start + 1);
  if (kind === 'O') return Math.min(3, text.length - start);
  if (kind !== '[') return 2;
  let end = start + 2;
  // Parameter and intermediate bytes, then the final byte; `ESC [ [ A` is the Linux console's F1.
  if (text[end] === '[') end += 1;
  while (end < text.length && /[\u0020-\u003f]/.test(text[end]!)) end += 1;
  return Math.min(end + 1, text.length) - start;
}

/** Splits what arrived together into keys: each escape sequence whole, every other character alone. */
export function splitKeys(chunk: string): string[] {
  const keys: string[] = [];
  let index = 0;
  while (index < chunk.length) {
    const length = chunk[index] === ESC ? escapeLength(chunk, index) : String.fromCodePoint(chunk.codePointAt(index)!).length;
    keys.push(chunk.slice(index, index + length));
    index += length;
  }
  return keys;
}

/** The stdin Ink reads from: the terminal's, re-delivered a key per turn. */
export class PacedStdin extends EventEmitter {
  private readonly queue: string[] = [];
  private ready: string | null = null;
  /** A key went on in this turn: the next waits for the following one. */
  private waiting = false;

  constructor(private readonly source: NodeJS.ReadStream) {
    super();
    source.on('readable', this.drain);
    // Keys that came before Ink listened wait for it (the listener is added after this event).
    this.on('newListener', (event) => {
      if (event === 'readable') setImmediate(() => this.step());
    });
  }

  get isTTY(): boolean {
    return this.source.isTTY === true;
  }

  setRawMode(raw: boolean): this {
    this.source.setRawMode(raw);
    return this;
  }

  setEncoding(encoding: BufferEncoding): this {
    this.source.setEncoding(encoding);
    return this;
  }

  ref(): this {
    this.source.ref();
    return this;
  }

  unref(): this {
    this.source.unref();
    return this;
  }

  /** One key per 'readable', so that Ink's read loop takes exactly one. */
  read(): string | null {
    const key = this.ready;
    this.ready = null;
    return key;
  }

  /** Stops reading from the terminal. */
  close(): void {
    this.source.off('readable', this.drain);
    this.queue.length = 0;
  }

  private readonly drain = (): void => {
    let chunk: string | Buffer | null;
    while ((chunk = this.source.read() as string | Buffer | null) !== null) {
      this.queue.push(...splitKeys(chunk.toString()));
    }
    this.step();
  };

  /**
   * Passes the next key on, then lets a turn go by before the one after. A key that finds
   * the stream idle goes on at once, in its order with other events (a resize, say).
   */
  private step(): void {
    if (this.waiting || this.queue.length === 0 || this.listenerCount('readable') === 0) return;
    this.ready = this.queue.shift()!;
    this.emit('readable');
    this.waiting = true;
    setImmediate(() => {
      this.waiting = false;
      this.step();
    });
  }
}
