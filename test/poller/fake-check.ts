// A scriptable `check` for the fake-timer tests: each system answers, fails, hangs or waits
// on command, and the helper counts how many calls are in flight at once.
import type { SystemHealth } from '../../src/poller/types.js';
import { details, healthOf } from '../helpers/health.js';
import type { CheckFn } from '../../src/poller/poller.js';

export interface FakeCall {
  id: string;
  signal: AbortSignal;
  /** Date.now() when the poller called. */
  at: number;
  /** Answered or failed (a check the poller gave up on may still be open). */
  settled: boolean;
  resolve(info?: SystemHealth): void;
  reject(error: unknown): void;
}

/** What a system does when checked. */
export type Behaviour = (call: FakeCall) => void;

export const answer: Behaviour = (call) => call.resolve();
/** Never answers, not even to its abort signal. */
export const hang: Behaviour = () => {};
/** Never answers until aborted, like the real client. */
export const hangUntilAborted: Behaviour = (call) =>
  call.signal.addEventListener('abort', () => call.reject(Object.assign(new Error('cancelled'), { reason: 'cancelled' })));
export const fail =
  (reason: string): Behaviour =>
  (call) =>
    call.reject(Object.assign(new Error(reason), { reason }));
export const answerAfter =
  (ms: number): Behaviour =>
  (call) =>
    setTimeout(() => call.resolve(), ms);

export function infoFor(id: string): SystemHealth {
  return healthOf(details('25.10.1', `host-${id}`));
}

export function fakeCheck(defaultBehaviour: Behaviour = answer) {
  const behaviours = new Map<string, Behaviour>();
  const calls: FakeCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const check: CheckFn = (id, signal) =>
    new Promise<SystemHealth>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const close = () => {
        if (!call.settled) inFlight--;
        call.settled = true;
      };
      const call: FakeCall = {
        id,
        signal,
        at: Date.now(),
        settled: false,
        resolve: (info = infoFor(id)) => {
          close();
          resolve(info);
        },
        reject: (error) => {
          close();
          reject(error);
        },
      };
      calls.push(call);
      (behaviours.get(id) ?? defaultBehaviour)(call);
    });

  return {
    check,
    calls,
    set(id: string, behaviour: Behaviour) {
      behaviours.set(id, behaviour);
    },
    callsOf(id: string): FakeCall[] {
      return calls.filter((call) => call.id === id);
    },
    /** Open calls younger than `ms`, now. */
    openYoungerThan(ms: number): number {
      return calls.filter((call) => !call.settled && Date.now() - call.at < ms).length;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/** Gaps between consecutive times (or calls), in ms. */
export function gaps(times: ReadonlyArray<number | FakeCall>): number[] {
  const ms = times.map((t) => (typeof t === 'number' ? t : t.at));
  return ms.slice(1).map((t, i) => t - ms[i]!);
}
