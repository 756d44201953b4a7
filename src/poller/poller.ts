// The connectivity poller: decides when each system is checked and keeps its status. It knows
// nothing of the keyring or the network; `check` does the work.

import { DueQueue } from './due-queue.js';
import { reasonOf } from './errors.js';
import type { StatusReason, SystemHealth, SystemStatus } from './types.js';

/** Checks one system. Throws an error with a `reason` (ClientError, KeyUnavailableError). */
export type CheckFn = (id: string, signal: AbortSignal) => Promise<SystemHealth>;

export interface PollerOptions {
  check: CheckFn;
  /** Between checks of a healthy system. Default 30 s. */
  intervalMs?: number;
  /** Each wait is scaled by a random factor in [1 - jitter, 1 + jitter]. Default 0.1. */
  jitter?: number;
  /** A check still running at this deadline is aborted and counts as 'timeout'. Default 10 s. */
  timeoutMs?: number;
  /** Checks working at once. Default 16. */
  concurrency?: number;
  /**
   * A check silent for this long gives its slot to the next system and waits aside until it
   * answers or times out (at most STALLED_PER_SLOT * concurrency wait so). Without this, a few
   * hung systems hold every slot for a whole timeout. Default 1 s; Infinity turns it off.
   */
  stallMs?: number;
  /** Failing systems wait interval * 2^(failures-1), never longer than this. Default 5 min. */
  maxBackoffMs?: number;
  /** Status changes reach subscribers at most once per this window. Default 100 ms. */
  batchMs?: number;
  /** Source of jitter, in [0, 1]. */
  random?: () => number;
}

export type StatusListener = (changed: SystemStatus[]) => void;

/** What the owner may set on a status without a check (e.g. 'locked' when the keyring locks). */
export type StatusPatch = Partial<Omit<SystemStatus, 'id'>>;

/** Checks waiting aside, per slot: bounds the sockets that hung systems keep open. */
export const STALLED_PER_SLOT = 4;

interface Flight {
  controller: AbortController;
  /** The stall timer, then the deadline. */
  timer: NodeJS.Timeout;
  stalled: boolean;
}

type Outcome = { ok: true; health: SystemHealth } | { ok: false; reason: StatusReason };

export class Poller {
  private readonly check: CheckFn;
  private readonly intervalMs: number;
  private readonly jitter: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly stallMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchMs: number;
  private readonly random: () => number;

  /** Status objects are replaced, never mutated, so a consumer may compare them by identity. */
  private readonly statuses = new Map<string, SystemStatus>();
  private readonly due = new DueQueue();
  /** Waiting for a slot, served first: new systems and checkNow. */
  private readonly urgent = new Set<string>();
  /** Waiting for a slot: due by schedule. */
  private readonly ready = new Set<string>();
  private readonly inFlight = new Map<string, Flight>();
  /** How many of `inFlight` wait aside without a slot. */
  private stalled = 0;
  private readonly dirty = new Set<string>();
  private readonly listeners = new Set<StatusListener>();

  private running = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Checks given a slot in a burst and not started yet: one starts per turn of the event loop. */
  private readonly starting: Array<() => void> = [];
  private startTimer: NodeJS.Immediate | undefined;
  /** A check started in the synchronous run now under way (a microtask resets it after). */
  private startedThisTurn = false;

  constructor(options: PollerOptions) {
    this.check = options.check;
    this.intervalMs = positive('intervalMs', options.intervalMs ?? 30_000);
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 10_000);
    this.concurrency = positive('concurrency', Math.floor(options.concurrency ?? 16));
    this.stallMs = options.stallMs === Infinity ? Infinity : positive('stallMs', options.stallMs ?? 1000);
    this.maxBackoffMs = positive('maxBackoffMs', options.maxBackoffMs ?? 300_000);
    this.batchMs = Math.max(0, options.batchMs ?? 100);
    this.jitter = Math.min(Math.max(options.jitter ?? 0.1, 0), 1);
    this.random = options.random ?? Math.random;
  }

  /** The systems to watch, in display order. New ones are checked at once when running. */
  setSystems(ids: readonly string[]): void {
    const wanted = new Set(ids);
    for (const id of [...this.statuses.keys()]) if (!wanted.has(id)) this.forgetSystem(id);
    for (const id of wanted) {
      if (this.statuses.has(id)) continue;
      this.put({ id, connected: null, checking: false, failures: 0 });
      if (this.running) this.urgent.add(id);
    }
    this.advance();
  }

  /** Checks every system now, then each on its own schedule. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const id of this.statuses.keys()) this.ready.add(id);
    this.advance();
  }

  /**
   * Aborts checks in flight, drops undelivered changes and clears every timer: nothing the
   * poller started runs after this. Statuses are kept; `start` checks everything again.
   */
  stop(): void {
    this.running = false;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = this.wakeAt = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    clearImmediate(this.startTimer);
    this.startTimer = undefined;
    this.starting.length = 0;
    this.dirty.clear();
    for (const id of [...this.inFlight.keys()]) this.abandonFlight(id);
    this.due.clear();
    this.urgent.clear();
    this.ready.clear();
  }

  /** Checks one system, or all, ahead of schedule and backoff (still within `concurrency`). */
  checkNow(id?: string): void {
    if (!this.running) return;
    for (const each of id === undefined ? this.statuses.keys() : [id]) {
      if (!this.statuses.has(each) || this.inFlight.has(each)) continue;
      this.due.cancel(each);
      this.ready.delete(each);
      this.urgent.add(each);
    }
    this.advance();
  }

  get(id: string): SystemStatus | undefined {
    return this.statuses.get(id);
  }

  all(): SystemStatus[] {
    return [...this.statuses.values()];
  }

  /** `listener` gets the statuses changed since the last delivery, at most once per batchMs. */
  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Sets status fields without a check, e.g. 'locked' for every system when the keyring
   * locks. Delivered like any change, also while stopped.
   */
  setStatus(id: string, patch: StatusPatch): void {
    const current = this.statuses.get(id);
    if (current) this.put({ ...current, ...patch, id });
  }

  private forgetSystem(id: string): void {
    this.abandonFlight(id);
    this.statuses.delete(id);
    this.due.cancel(id);
    this.urgent.delete(id);
    this.ready.delete(id);
    this.dirty.delete(id);
  }

  /** Frees the slot of a check whose result is no longer wanted; its result is ignored. */
  private abandonFlight(id: string): void {
    const flight = this.inFlight.get(id);
    if (!flight) return;
    this.land(id, flight);
    const current = this.statuses.get(id);
    // Silently: an abandoned check is not news, and after stop nothing may be delivered.
    if (current?.checking) this.statuses.set(id, { ...current, checking: false });
  }

  /** Starts what is due, fills free slots and sets the one timer for the next due time. */
  private advance(): void {
    if (!this.running) return;
    for (const id of this.due.popDue(Date.now())) this.ready.add(id);
    while (this.inFlight.size - this.stalled < this.concurrency) {
      const id = first(this.urgent) ?? first(this.ready);
      if (id === undefined) break;
      this.urgent.delete(id);
      this.ready.delete(id);
      this.launch(id);
    }
    this.armWake();
  }

  private armWake(): void {
    const at = this.due.nextAt();
    if (at === this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = at;
    if (at === undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = this.wakeAt = undefined;
      this.advance();
    }, Math.max(0, at - Date.now()));
  }

  private launch(id: string): void {
    const controller = new AbortController();
    // The deadline holds even when `check` ignores its signal, so a hung system frees its slot.
    const expire = () => this.settle(id, flight, { ok: false, reason: 'timeout' });
    const stall = () => {
      flight.timer = setTimeout(expire, this.timeoutMs - this.stallMs);
      if (this.stalled >= STALLED_PER_SLOT * this.concurrency) return; // too many aside: keep the slot
      flight.stalled = true;
      this.stalled++;
      this.advance();
    };
    const flight: Flight = {
      controller,
      timer: this.stallMs < this.timeoutMs ? setTimeout(stall, this.stallMs) : setTimeout(expire, this.timeoutMs),
      stalled: false,
    };
    this.inFlight.set(id, flight);
    this.setStatus(id, { checking: true });
    this.startSoon(() => {
      if (this.inFlight.get(id) !== flight) return; // abandoned before it started
      // The executor turns a synchronous throw into a rejection.
      new Promise<SystemHealth>((resolve) => resolve(this.check(id, controller.signal))).then(
        (health) => this.settle(id, flight, { ok: true, health }),
        (error: unknown) => this.settle(id, flight, { ok: false, reason: reasonOf(error) }),
      );
    });
  }

  /**
   * A check starts with milliseconds of synchronous work (a TLS connection, its session):
   * sixteen started in one go (the first sweep, checkNow of all) would hold the event loop,
   * and a key press, that long. The first of a burst starts at once, the others one per turn
   * of the event loop, with input and rendering in between.
   */
  private startSoon(start: () => void): void {
    if (!this.startedThisTurn && this.starting.length === 0) {
      this.startedThisTurn = true;
      queueMicrotask(() => (this.startedThisTurn = false));
      return start();
    }
    this.starting.push(start);
    this.startTimer ??= setImmediate(this.startNext);
  }

  private readonly startNext = (): void => {
    this.startTimer = undefined;
    this.starting.shift()?.();
    if (this.starting.length > 0) this.startTimer = setImmediate(this.startNext);
  };

  private settle(id: string, flight: Flight, outcome: Outcome): void {
    if (this.inFlight.get(id) !== flight) return; // abandoned, timed out or superseded
    this.land(id, flight);
    const now = Date.now();
    const current = this.statuses.get(id)!;
    const next: SystemStatus = outcome.ok
      ? {
          ...current,
          connected: true,
          reason: undefined,
          health: outcome.health,
          lastChecked: now,
          lastSuccess: now,
          checking: false,
          failures: 0,
        }
      : {
          ...current,
          connected: false,
          reason: outcome.reason,
          lastChecked: now,
          checking: false,
          failures: current.failures + 1,
        };
    this.put(next);
    this.due.schedule(id, now + this.waitAfter(next.failures));
    this.advance();
  }

  /** Ends a flight: its slot, its timer, and whatever a timed-out or abandoned check still holds. */
  private land(id: string, flight: Flight): void {
    this.inFlight.delete(id);
    if (flight.stalled) this.stalled--;
    clearTimeout(flight.timer);
    flight.controller.abort();
  }

  /** The wait before the next check: the interval, or exponential backoff while failing. */
  private waitAfter(failures: number): number {
    const base =
      failures === 0 ? this.intervalMs : Math.min(this.intervalMs * 2 ** (failures - 1), this.maxBackoffMs);
    const jittered = base * (1 + this.jitter * (2 * this.random() - 1));
    return failures === 0 ? jittered : Math.min(jittered, this.maxBackoffMs);
  }

  private put(status: SystemStatus): void {
    this.statuses.set(status.id, status);
    this.dirty.add(status.id);
    this.flushTimer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const changed: SystemStatus[] = [];
    for (const id of this.dirty) changed.push(this.statuses.get(id)!);
    this.dirty.clear();
    for (const listener of [...this.listeners]) listener(changed);
  }
}

function first(set: Set<string>): string | undefined {
  return set.values().next().value;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
