// A few hundred seeded hostile servers: every checkKey/signIn ends in a result or a ClientError
// with a known reason, never another exception, never a hang, never a socket left open, never
// a secret in the message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import { ClientError, isFailureReason } from '../../src/client/errors.js';
import type { SystemTarget } from '../../src/client/types.js';
import { casePlan, SECRETS } from './hostile-plan.js';
import { HostileServer } from './hostile-server.js';
import { Prng } from './prng.js';

const SEED = 4_242;
const CASES = 300;
/** Each call's own deadline: the client must end every case by then. */
const TIMEOUT_MS = 400;
/** Far beyond the deadline: a call still running then is hung. */
const HANG_MS = TIMEOUT_MS + 10_000;


class Hang extends Error {}

function capped<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Hang(`${what} still running after ${ms} ms`)), ms);
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

describe('client against hostile servers', () => {
  let server: HostileServer;
  const client = new TrueNASClient({ timeoutMs: TIMEOUT_MS });
  const stray: unknown[] = [];
  const onStray = (error: unknown) => stray.push(error);

  beforeAll(async () => {
    server = await HostileServer.start();
    process.on('unhandledRejection', onStray);
    process.on('uncaughtException', onStray);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
    client.close();
    await server?.close();
  });

  it(`${CASES} seeded cases end in a result or a ClientError with a known reason`, async () => {
    const outcomes = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const rng = new Prng(SEED * 7919 + i);
      server.play(casePlan(rng));
      const target: SystemTarget = {
        address: server.url,
        fingerprint: server.fingerprint,
        ...(rng.chance(0.3) ? { transport: rng.pick(['jsonrpc', 'rest'] as const) } : {}),
      };
      const signIn = rng.chance(0.5);
      // The secret this call hands over: no server text may carry it into an error message.
      const secret = signIn ? SECRETS.password : SECRETS.apiKey;
      const call: Promise<unknown> = signIn
        ? client.signIn(target, {
            username: 'truenas_admin',
            password: SECRETS.password,
            ...(rng.chance(0.7) && { askOtp: async () => (rng.chance(0.8) ? '123456' : null) }),
            ...(rng.chance(0.3) && { replaceKeyId: 3 }),
          })
        : client.checkKey(target, { username: 'truenas_admin', apiKey: SECRETS.apiKey });
      const what = `case ${i} (${signIn ? 'signIn' : 'checkKey'})`;
      let outcome: string;
      try {
        await capped(call, HANG_MS, what);
        outcome = 'result';
      } catch (error) {
        if (!(error instanceof ClientError)) {
          problems.push(`${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
          continue;
        }
        if (!isFailureReason(error.reason)) problems.push(`${what}: unknown reason ${error.reason}`);
        if (error.message.includes(secret)) problems.push(`${what}: secret in "${error.message}"`);
        outcome = error.reason;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      await capped(server.allClosed(), HANG_MS, `${what}: connections closed`).catch((error: Error) => problems.push(error.message));
    }
    expect(problems).toEqual([]);
    expect(stray).toEqual([]);
    // Most hostile answers are protocol errors; the rest spread over the other reasons.
    const counts = Object.fromEntries(outcomes);
    const ranked = [...outcomes].sort((a, b) => b[1] - a[1]);
    expect(ranked[0]?.[0], JSON.stringify(counts)).toBe('protocol error');
    expect(outcomes.size, JSON.stringify(counts)).toBeGreaterThanOrEqual(5);
  });
});
