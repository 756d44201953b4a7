import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PacedStdin, splitKeys } from '../../components/input/paced-stdin.js';

describe('splitKeys', () => {
  it('splits plain characters and keeps escape sequences whole', () => {
    expect(splitKeys('j\r')).toEqual(['j', '\r']);
    expect(splitKeys('ab\x1b[Ac\x1b[5~\x1b[Z\x1bOA')).toEqual(['a', 'b', '\x1b[A', 'c', '\x1b[5~', '\x1b[Z', '\x1bOA']);
    expect(splitKeys('\x1b')).toEqual(['\x1b']);
    expect(splitKeys('\x1bq')).toEqual(['\x1bq']);
    expect(splitKeys('\x1b\x1b[A')).toEqual(['\x1b\x1b[A']);
    expect(splitKeys('\x1b[1;5C')).toEqual(['\x1b[1;5C']);
    expect(splitKeys('é😀')).toEqual(['é', '😀']);
  });
});

class Source extends EventEmitter {
  isTTY = true;
  raw = false;
  private chunks: string[] = [];
  setRawMode(raw: boolean) {
    this.raw = raw;
  }
  setEncoding() {}
  ref() {}
  unref() {}
  read(): string | null {
    return this.chunks.shift() ?? null;
  }
  send(chunk: string) {
    this.chunks.push(chunk);
    this.emit('readable');
  }
}

describe('PacedStdin', () => {
  it('hands Ink one key per readable, each in its own turn, and waits for a listener', async () => {
    const source = new Source();
    const stdin = new PacedStdin(source as unknown as NodeJS.ReadStream);
    source.send('K\rab');
    const turns: string[][] = [];
    const done = new Promise<void>((resolve) => {
      stdin.on('readable', () => {
        const keys: string[] = [];
        let key: string | null;
        while ((key = stdin.read()) !== null) keys.push(key);
        turns.push(keys);
        if (turns.length === 4) resolve();
      });
    });
    await done;
    expect(turns).toEqual([['K'], ['\r'], ['a'], ['b']]);
    stdin.setRawMode(true);
    expect(source.raw).toBe(true);
    stdin.close();
    expect(source.listenerCount('readable')).toBe(0);
  });

  it('passes a key that finds it idle on at once, and the next one only a turn later', async () => {
    const source = new Source();
    const stdin = new PacedStdin(source as unknown as NodeJS.ReadStream);
    const seen: string[] = [];
    stdin.on('readable', () => {
      let key: string | null;
      while ((key = stdin.read()) !== null) seen.push(key);
    });
    await new Promise((resolve) => setImmediate(resolve));
    source.send('\x1b');
    source.send('q');
    expect(seen).toEqual(['\x1b']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['\x1b', 'q']);
    stdin.close();
  });
});
