// Draws Ink's frames on the alternate screen, writing only the lines that changed.
//
// Ink 6.8 has two writers and neither fits a full-screen app. The standard one erases the
// whole frame and writes it again on every render: 40 lines for a cursor that moved one row.
// The incremental one moves the cursor relative to where it believes the frame ends, and with
// a frame that ends in a newline (every frame shorter than the terminal, ours are `rows - 1`)
// it believes one line wrong: lines land one row off and stale ones stay behind (fixed in Ink
// 7, which needs Node 22). After a resize the terminal itself may have moved the lines, which
// no relative movement can know.
//
// So Ink hands this writer each frame whole (its `debug` mode: every commit, unthrottled, no
// cursor movement of its own), and the writer puts each changed line at its absolute row. It
// owns the screen: after a resize it clears it and draws everything again.
import { EventEmitter } from 'node:events';

const CSI = '\x1b[';
const HIDE_CURSOR = `${CSI}?25l`;
const CLEAR_SCREEN = `${CSI}H${CSI}2J`;
// Synchronized output: the terminal shows the update once it is complete (others ignore it).
// Auto-wrap is off meanwhile, so that nothing can scroll the screen: a line wider than the
// terminal (a frame laid out for the width before a resize) ends at the right margin.
const BEGIN_UPDATE = `${CSI}?2026h${CSI}?7l`;
const END_UPDATE = `${CSI}?7h${CSI}?2026l`;

/** A write of control sequences alone (Ink showing the cursor as it unmounts), not a frame. */
const CONTROL_ONLY = /^(?:\x1b\[[\d;?]*[A-Za-z])+$/;

/**
 * Row `row` (from 0), erased, then `text`. Erasing first keeps a line that fills the last column
 * whole; styles are reset first, so that no colour a line left open can fill the erased one.
 */
function lineAt(row: number, text: string): string {
  return `${CSI}${row + 1};1H${CSI}m${CSI}K${text}`;
}

/**
 * The stdout Ink renders into: it has the terminal's size and resize events, and its write()
 * takes whole frames (lines separated by `\n`).
 */
export class FrameWriter extends EventEmitter {
  /** The lines on the screen; null when the screen is not known to hold our last frame. */
  private screen: string[] | null = null;

  constructor(private readonly terminal: NodeJS.WriteStream) {
    super();
    terminal.on('resize', this.resized);
  }

  get columns(): number {
    return this.terminal.columns;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  get isTTY(): boolean {
    return this.terminal.isTTY === true;
  }

  /**
   * Draws `frame`. An empty write (Ink clearing its own output, which is ours to manage) draws
   * nothing; control sequences alone go to the terminal as they are.
   */
  write(frame: string): boolean {
    if (frame === '') return true;
    if (CONTROL_ONLY.test(frame)) return this.terminal.write(frame);
    // Lines below the terminal's last row (a frame laid out for the height before a resize) cannot be shown.
    const lines = frame.split('\n').slice(0, this.rows || undefined);
    const previous = this.screen;
    let bytes = previous === null ? HIDE_CURSOR + CLEAR_SCREEN : '';
    for (let row = 0; row < lines.length; row++) {
      const line = lines[row]!;
      if (previous === null ? line !== '' : line !== previous[row]) bytes += lineAt(row, line);
    }
    for (let row = lines.length; row < (previous?.length ?? 0); row++) bytes += lineAt(row, '');
    this.screen = lines;
    if (bytes === '') return true;
    return this.terminal.write(BEGIN_UPDATE + bytes + END_UPDATE);
  }

  /** Stops following the terminal's size. */
  close(): void {
    this.terminal.off('resize', this.resized);
  }

  private readonly resized = (): void => {
    this.screen = null;
    this.emit('resize');
  };
}

/**
 * The render() options that make Ink draw through `writer`. Debug mode hands over every commit
 * at once: a key press draws without waiting for Ink's frame throttle, and poller batches, the
 * one source of frames that would want throttling, already come at most once per batch window.
 */
export function drawnBy(writer: FrameWriter): { stdout: NodeJS.WriteStream; debug: true } {
  return { stdout: writer as unknown as NodeJS.WriteStream, debug: true };
}
