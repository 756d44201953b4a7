import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyUnavailableError } from '../../src/poller/errors.js';
import { Poller, STALLED_PER_SLOT, type PollerOptions } from '../../src/poller/poller.js';
import type { SystemStatus } from '../../src/poller/types.js';
import { answer, answerAfter, fail, fakeCheck, gaps, hang, hangUntilAborted } from './fake-check.js';

const ids = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

let pollers: Poller[] = [];
function poller(options: PollerOptions): Poller {
  const p = new Poller(options);
  pollers.push(p);
  return p;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  for (const p of pollers) p.stop();
  pollers = [];
  vi.useRealTimers();
});

describe('schedule', () => {
  it('checks at start, then once per interval', async () => {
    const fake = fakeCheck();
    const p = poller({ check: fake.check, intervalMs: 1000, jitter: 0 });
    p.setSystems(['a']);
    p.start();
    await tick();
    expect(fake.calls).toHaveLength(1);
    expect(p.get('a')).toMatchObject({ connected: true, failures: 0, checking: false });
    expect(p.get('a')?.health?.info?.hostname).toBe('host-a');

    await tick(999);
    expect(fake.calls).toHaveLength(1);
    await tick(1);
    expect(fake.calls).toHaveLength(2);
    await tick(3000);
    expect(gaps(fake.calls)).toEqual([1000, 1000, 1000, 1000]);
  });

  it.each([
    { random: 0, wait: 900 },
    { random: 0.5, wait: 1000 },
    { random: 1, wait: 1100 },
  ])('jitter: random() = $random waits $wait ms', async ({ random, wait }) => {
    const fake = fakeCheck();
    const p = poller({ check: fake.check, intervalMs: 1000, jitter: 0.1, random: () => random });
    p.setSystems(['a']);
    p.start();
    await tick(wait - 1);
    expect(fake.calls).toHaveLength(1);
    await tick(1);
    expect(fake.calls).toHaveLength(2);
  });

  it('backs off exponentially while failing, up to maxBackoffMs, and resets on success', async () => {
    const fake = fakeCheck(fail('unreachable'));
    const p = poller({ check: fake.check, intervalMs: 1000, maxBackoffMs: 8000, jitter: 0 });
    p.setSystems(['a']);
    p.start();
    await tick(39_000);
    expect(gaps(fake.calls)).toEqual([1000, 2000, 4000, 8000, 8000, 8000, 8000]);
    expect(p.get('a')).toMatchObject({ connected: false, reason: 'unreachable', failures: 8 });

    fake.set('a', answer);
    await tick(8000);
    expect(p.get('a')).toMatchObject({ connected: true, failures: 0 });
    expect(p.get('a')?.reason).toBeUndefined();
    await tick(1000);
    expect(gaps(fake.calls).slice(-2)).toEqual([8000, 1000]);
  });

  it('never waits longer than maxBackoffMs, even with jitter', async () => {
    const fake = fakeCheck(fail('timeout'));
    const p = poller({ check: fake.check, intervalMs: 1000, maxBackoffMs: 8000, jitter: 0.5, random: () => 1 });
    p.setSystems(['a']);
    p.start();
    await tick(60_000);
    expect(gaps(fake.calls).slice(0, 6)).toEqual([1500, 3000, 6000, 8000, 8000, 8000]);
  });
});

describe('concurrency and timeouts', () => {
  it('never has more than `concurrency` checks in flight', async () => {
    const fake = fakeCheck();
    const systems = ids(100);
    systems.forEach((id, i) => fake.set(id, answerAfter(((i * 37) % 90) + 10)));
    const p = poller({ check: fake.check, concurrency: 5, intervalMs: 60_000 });
    p.setSystems(systems);
    p.start();
    await tick(5000);
    expect(fake.maxInFlight).toBe(5);
    expect(p.all().every((s) => s.connected === true)).toBe(true);
    expect(fake.calls).toHaveLength(100);
  });

  it('a hung check times out and frees its slot for the others', async () => {
    const fake = fakeCheck();
    fake.set('stuck', hang); // ignores its abort signal too
    const p = poller({ check: fake.check, concurrency: 1, timeoutMs: 500, stallMs: Infinity, intervalMs: 60_000 });
    p.setSystems(['stuck', 'b']);
    p.start();
    await tick(499);
    expect(fake.calls.map((c) => c.id)).toEqual(['stuck']);
    expect(p.get('stuck')?.checking).toBe(true);

    await tick(1);
    expect(p.get('stuck')).toMatchObject({ connected: false, reason: 'timeout', checking: false });
    expect(fake.callsOf('stuck')[0]!.signal.aborted).toBe(true);
    expect(p.get('b')).toMatchObject({ connected: true });

    // A late answer of the timed-out check changes nothing.
    fake.callsOf('stuck')[0]!.resolve();
    await tick();
    expect(p.get('stuck')).toMatchObject({ connected: false, reason: 'timeout' });
  });

  it('a check silent for stallMs gives its slot to the next system and still times out', async () => {
    const fake = fakeCheck(answerAfter(50));
    const hungIds = ['h0', 'h1', 'h2'];
    for (const id of hungIds) fake.set(id, hang);
    let maxWorking = 0;
    const check: PollerOptions['check'] = (id, signal) => {
      maxWorking = Math.max(maxWorking, fake.openYoungerThan(100) + 1);
      return fake.check(id, signal);
    };
    const p = poller({ check, concurrency: 2, stallMs: 100, timeoutMs: 1000, intervalMs: 60_000 });
    const healthy = ids(10);
    p.setSystems([...hungIds, ...healthy]);
    p.start();
    await tick(999);
    expect(healthy.map((id) => p.get(id)?.connected)).toEqual(healthy.map(() => true));
    expect(maxWorking).toBe(2);
    expect(hungIds.map((id) => p.get(id)?.checking)).toEqual([true, true, true]);
    await tick(1); // h0 and h1 started at 0, h2 when they stalled at 100
    expect(hungIds.map((id) => p.get(id)?.reason)).toEqual(['timeout', 'timeout', undefined]);
    await tick(100);
    expect(p.get('h2')?.reason).toBe('timeout');

    // Once they are gone, their slots are not counted twice.
    for (const id of hungIds) fake.set(id, answerAfter(50));
    maxWorking = 0;
    p.checkNow();
    await tick(2000);
    expect(p.all().every((s) => s.connected)).toBe(true);
    expect(maxWorking).toBe(2);
  });

  it(`keeps at most ${STALLED_PER_SLOT} stalled checks per slot aside`, async () => {
    const fake = fakeCheck(hangUntilAborted);
    fake.set('healthy', answer);
    const p = poller({ check: fake.check, concurrency: 2, stallMs: 100, timeoutMs: 10_000, intervalMs: 60_000 });
    p.setSystems([...ids(20, 'h'), 'healthy']);
    p.start();
    await tick(9_999);
    expect(fake.maxInFlight).toBe((STALLED_PER_SLOT + 1) * 2);
    expect(fake.callsOf('healthy')).toHaveLength(0);
    await tick(60_000);
    expect(p.get('healthy')?.connected).toBe(true);
    expect(fake.maxInFlight).toBe((STALLED_PER_SLOT + 1) * 2);
  });

  it('names failures by the error reason, and anything else a server error', async () => {
    const fake = fakeCheck();
    fake.set('rejected', fail('key rejected'));
    fake.set('locked', (call) => call.reject(new KeyUnavailableError('locked')));
    fake.set('odd', fail('not a reason'));
    fake.set('bug', (call) => call.reject(new TypeError('x is undefined')));
    const check: PollerOptions['check'] = (id, signal) => {
      if (id === 'throws') throw new Error('synchronous');
      return fake.check(id, signal);
    };
    const p = poller({ check });
    p.setSystems(['rejected', 'locked', 'odd', 'bug', 'throws']);
    p.start();
    await tick(5); // checks started in one go start one per turn
    expect(Object.fromEntries(p.all().map((s) => [s.id, s.reason]))).toEqual({
      rejected: 'key rejected',
      locked: 'locked',
      odd: 'server error',
      bug: 'server error',
      throws: 'server error',
    });
  });
});

describe('batched delivery', () => {
  it('delivers 100 changes within one window as one batch', async () => {
    const fake = fakeCheck();
    const p = poller({ check: fake.check, concurrency: 100, batchMs: 100 });
    const deliveries: SystemStatus[][] = [];
    p.subscribe((changed) => deliveries.push(changed));
    p.setSystems(ids(100));
    p.start();
    await tick(99);
    expect(deliveries).toHaveLength(0);
    await tick(1);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toHaveLength(100);
    expect(deliveries[0]!.every((s) => s.connected === true && !s.checking)).toBe(true);
  });

  it('delivers at most once per batchMs under a steady stream of changes, always the latest', async () => {
    const fake = fakeCheck();
    const systems = ids(200);
    systems.forEach((id, i) => fake.set(id, i % 10 === 0 ? fail('unreachable') : answerAfter((i * 53) % 700)));
    const p = poller({ check: fake.check, intervalMs: 1000, timeoutMs: 500, batchMs: 100 });
    const at: number[] = [];
    let stale = 0;
    p.subscribe((changed) => {
      at.push(Date.now());
      stale += changed.filter((s) => p.get(s.id) !== s).length;
    });
    p.setSystems(systems);
    p.start();
    await tick(10_000);

    expect(at.length).toBeGreaterThan(50);
    expect(stale).toBe(0);
    expect(Math.min(...gaps(at))).toBeGreaterThanOrEqual(100);
    const perSecond = new Map<number, number>();
    for (const t of at) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
  });

  it('unsubscribe stops deliveries to that listener', async () => {
    const p = poller({ check: fakeCheck().check });
    const listener = vi.fn();
    const unsubscribe = p.subscribe(listener);
    unsubscribe();
    p.setSystems(['a']);
    p.start();
    await tick(1000);
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('changing the set of systems', () => {
  it('adds and removes systems mid-sweep; new ones go first, removed ones are never reported', async () => {
    const fake = fakeCheck(hang);
    const p = poller({ check: fake.check, concurrency: 2, timeoutMs: 60_000 });
    const delivered = new Set<string>();
    p.subscribe((changed) => changed.forEach((s) => delivered.add(s.id)));
    p.setSystems(['a', 'b', 'c', 'd']);
    p.start();
    await tick();
    expect(fake.calls.map((c) => c.id)).toEqual(['a', 'b']);

    p.setSystems(['a', 'd', 'e']); // b in flight, c queued
    await tick();
    expect(fake.callsOf('b')[0]!.signal.aborted).toBe(true);
    expect(fake.calls.map((c) => c.id)).toEqual(['a', 'b', 'e']);

    fake.callsOf('a')[0]!.resolve();
    fake.callsOf('b')[0]!.resolve(); // too late: b is gone
    await tick();
    expect(fake.calls.map((c) => c.id)).toEqual(['a', 'b', 'e', 'd']);
    await tick(200);
    expect(p.all().map((s) => s.id)).toEqual(['a', 'd', 'e']);
    expect(p.get('b')).toBeUndefined();
    expect([...delivered].sort()).toEqual(['a', 'd', 'e']);
  });

  it('checks a re-added system afresh', async () => {
    const fake = fakeCheck(fail('unreachable'));
    const p = poller({ check: fake.check, intervalMs: 1000 });
    p.setSystems(['a']);
    p.start();
    await tick(5000);
    expect(p.get('a')!.failures).toBeGreaterThan(1);
    p.setSystems([]);
    fake.set('a', answer);
    p.setSystems(['a']);
    await tick();
    expect(p.get('a')).toMatchObject({ connected: true, failures: 0 });
  });

  it('ignores the late answer of a check started before the system was removed and re-added', async () => {
    const fake = fakeCheck(hang);
    const p = poller({ check: fake.check, timeoutMs: 60_000 });
    p.setSystems(['a']);
    p.start();
    await tick();
    p.setSystems([]);
    p.setSystems(['a']);
    await tick();
    const [old, fresh] = fake.callsOf('a');
    old!.reject(Object.assign(new Error(), { reason: 'unreachable' }));
    await tick();
    expect(p.get('a')).toMatchObject({ connected: null, checking: true });
    fresh!.resolve();
    await tick();
    expect(p.get('a')).toMatchObject({ connected: true, checking: false });
  });
});

describe('checkNow', () => {
  it('starts a burst of checks one per turn of the event loop, so input gets its turn between them', async () => {
    vi.useRealTimers();
    const { setImmediate: nextTurn } = await import('node:timers/promises');
    const started: string[] = [];
    const p = poller({ check: async (id) => (started.push(id), new Promise(() => undefined)), concurrency: 4 });
    p.setSystems(ids(6));
    p.start();
    expect(started).toEqual(['s0']);
    await nextTurn();
    expect(started).toEqual(['s0', 's1']);
    await nextTurn();
    await nextTurn();
    expect(started).toEqual(['s0', 's1', 's2', 's3']);
    await nextTurn();
    expect(started).toHaveLength(4); // the concurrency limit
  });

  it('checks one backed-off system at once', async () => {
    const fake = fakeCheck(fail('unreachable'));
    const p = poller({ check: fake.check, intervalMs: 1000, jitter: 0 });
    p.setSystems(['a', 'b']);
    p.start();
    await tick(15_000); // a and b are now waiting 16 s
    const [beforeA, beforeB] = [fake.callsOf('a').length, fake.callsOf('b').length];
    p.checkNow('a');
    p.checkNow('unknown');
    await tick();
    expect(fake.callsOf('a')).toHaveLength(beforeA + 1);
    expect(fake.callsOf('b')).toHaveLength(beforeB);
  });

  it('checks every system at once, within the concurrency limit, never one twice at a time', async () => {
    const fake = fakeCheck(answerAfter(50));
    const p = poller({ check: fake.check, intervalMs: 60_000, concurrency: 2 });
    p.setSystems(ids(6));
    p.start();
    await tick(1000);
    expect(fake.calls).toHaveLength(6);
    p.checkNow();
    p.checkNow('s0'); // already queued
    await tick(10);
    p.checkNow('s0'); // in flight
    await tick(1000);
    expect(fake.calls).toHaveLength(12);
    expect(fake.maxInFlight).toBe(2);
  });
});

describe('stop', () => {
  it('leaves no timers, aborts checks in flight and fires nothing afterwards', async () => {
    const fake = fakeCheck();
    fake.set('stuck', hang);
    const p = poller({ check: fake.check, intervalMs: 1000 });
    const listener = vi.fn();
    p.subscribe(listener);
    p.setSystems(['stuck', 'b']);
    p.start();
    await tick();
    expect(vi.getTimerCount()).toBeGreaterThan(0); // deadline, next wake, pending delivery

    p.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.callsOf('stuck')[0]!.signal.aborted).toBe(true);
    expect(p.get('stuck')?.checking).toBe(false);
    const calls = fake.calls.length;

    fake.callsOf('stuck')[0]!.resolve();
    p.checkNow();
    await tick(3_600_000);
    expect(fake.calls).toHaveLength(calls);
    expect(listener).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still delivers statuses the owner sets while stopped, then leaves no timer', async () => {
    const p = poller({ check: fakeCheck().check });
    const listener = vi.fn();
    p.subscribe(listener);
    p.setSystems(['a']);
    p.start();
    await tick(200);
    p.stop();
    listener.mockClear();

    p.setStatus('a', { connected: false, reason: 'locked' });
    await tick(100);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]![0]).toEqual([expect.objectContaining({ id: 'a', connected: false, reason: 'locked' })]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('start after stop checks everything again', async () => {
    const fake = fakeCheck();
    const p = poller({ check: fake.check, intervalMs: 60_000 });
    p.setSystems(['a', 'b']);
    p.start();
    await tick();
    p.stop();
    p.start();
    await tick();
    expect(fake.calls.map((c) => c.id)).toEqual(['a', 'b', 'a', 'b']);
  });
});
