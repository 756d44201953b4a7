import { describe, expect, it } from 'vitest';
import { DueQueue } from '../../src/poller/due-queue.js';

describe('DueQueue', () => {
  it('pops what is due, earliest first, ties in scheduling order', () => {
    const q = new DueQueue();
    q.schedule('c', 30);
    q.schedule('a', 10);
    q.schedule('b', 20);
    q.schedule('a2', 10);
    expect(q.nextAt()).toBe(10);
    expect(q.popDue(20)).toEqual(['a', 'a2', 'b']);
    expect(q.nextAt()).toBe(30);
    expect(q.popDue(29)).toEqual([]);
    expect(q.popDue(30)).toEqual(['c']);
  });

  it('keeps one time per id: rescheduling replaces, cancelling removes', () => {
    const q = new DueQueue();
    q.schedule('a', 10);
    q.schedule('a', 50);
    q.schedule('b', 20);
    q.cancel('b');
    expect(q.nextAt()).toBe(50);
    expect(q.popDue(100)).toEqual(['a']);
    expect(q.nextAt()).toBeUndefined();
  });

  it('stays ordered through many reschedules (stale slots compacted away)', () => {
    const q = new DueQueue();
    const last = new Map<string, number>();
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 5000; i++) {
      const id = `s${rand() % 50}`;
      const at = rand() % 10_000;
      q.schedule(id, at);
      last.set(id, at);
    }
    const expected = [...last.entries()].sort((x, y) => x[1] - y[1]).map(([, at]) => at);
    const popped: number[] = [];
    while (q.nextAt() !== undefined) {
      const at = q.nextAt()!;
      popped.push(...q.popDue(at).map(() => at));
    }
    expect(popped).toEqual(expected);
  });
});
