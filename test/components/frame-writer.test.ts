// What the frame writer sends to the terminal for a sequence of frames. Whether the screen then
// shows the frame is checked in a real terminal (test/e2e/screen-redraw.test.ts).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../components/frame/frame-writer.js';

class Terminal extends EventEmitter {
  readonly isTTY = true;
  writes: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(data: string): boolean {
    this.writes.push(data);
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

const BEGIN = '\x1b[?2026h\x1b[?7l';
const END = '\x1b[?7h\x1b[?2026l';
const at = (row: number, text: string) => `\x1b[${row};1H\x1b[m\x1b[K${text}`;
const REPAINT = '\x1b[?25l\x1b[H\x1b[2J';

function setup(columns = 20, rows = 5) {
  const terminal = new Terminal(columns, rows);
  const writer = new FrameWriter(terminal as unknown as NodeJS.WriteStream);
  return { terminal, writer };
}

describe('FrameWriter', () => {
  it('draws the first frame on a cleared screen, then only the lines that changed, each at its row', () => {
    const { terminal, writer } = setup();
    writer.write('title\n  a\n› b\n');
    writer.write('title\n› a\n  b\n');
    expect(terminal.writes).toEqual([
      BEGIN + REPAINT + at(1, 'title') + at(2, '  a') + at(3, '› b') + END,
      BEGIN + at(2, '› a') + at(3, '  b') + END,
    ]);
  });

  it('writes nothing for a frame like the last, or for an empty write', () => {
    const { terminal, writer } = setup();
    writer.write('one\ntwo');
    writer.write('one\ntwo');
    writer.write('');
    expect(terminal.writes).toHaveLength(1);
  });

  it('passes control sequences alone on as they are, without taking them for a frame', () => {
    const { terminal, writer } = setup();
    writer.write('a\nb');
    writer.write('\x1b[?25h');
    writer.write('a\nb');
    expect(terminal.writes.slice(1)).toEqual(['\x1b[?25h']);
  });

  it('erases the lines a shorter frame no longer has', () => {
    const { terminal, writer } = setup();
    writer.write('a\nb\nc\nd');
    writer.write('a\nb');
    expect(terminal.writes[1]).toBe(BEGIN + at(3, '') + at(4, '') + END);
  });

  it('after a resize, clears the screen and draws the whole next frame, passing the event on with the new size', () => {
    const { terminal, writer } = setup();
    const sizes: string[] = [];
    writer.on('resize', () => sizes.push(`${writer.columns}x${writer.rows}`));
    writer.write('a\nb');
    terminal.resize(30, 8);
    writer.write('a\nb');
    expect(sizes).toEqual(['30x8']);
    expect(terminal.writes[1]).toBe(BEGIN + REPAINT + at(1, 'a') + at(2, 'b') + END);
  });

  it('leaves out lines below the last row, which a frame laid out before a shrink can have', () => {
    const { terminal, writer } = setup(20, 3);
    writer.write('a\nb\nc\nd\ne');
    writer.write('a\nb\nx\nd\ne');
    expect(terminal.writes).toEqual([BEGIN + REPAINT + at(1, 'a') + at(2, 'b') + at(3, 'c') + END, BEGIN + at(3, 'x') + END]);
  });

  it('stops following the terminal after close', () => {
    const { terminal, writer } = setup();
    writer.close();
    expect(terminal.listenerCount('resize')).toBe(0);
  });
});
