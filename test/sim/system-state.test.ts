import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/sim/rate-limit.js';
import { timedeltaText } from '../../src/sim/system-info.js';
import { INSECURE_TRANSPORT_REASON, LOGIN_LOG_LIMIT, SystemState } from '../../src/sim/system-state.js';

const admin = { username: 'truenas_admin', password: 'truenas-demo' };

function state(version: '24.10' | '25.10' | '26' = '25.10'): SystemState {
  return new SystemState(0, version, 'truenas-1', [admin], Date.now() - 1000);
}

describe('SystemState keys', () => {
  it('revokes a correct key used over an insecure transport and answers EXPIRED once', () => {
    const s = state();
    const caller = s.user('truenas_admin')!;
    const { key } = s.createKey({ name: 'tnc-plain' }, caller, 'api_key_create');
    expect(s.checkKey(key, 'truenas_admin', false)).toEqual({ outcome: 'EXPIRED' });
    expect(s.summaries()[0]).toMatchObject({ revoked: true, revokedReason: INSECURE_TRANSPORT_REASON });
    expect(s.checkKey(key, 'truenas_admin', true)).toEqual({ outcome: 'AUTH_ERR', unknownId: false });
  });

  it('answers EXPIRED past expires_at and refuses an expiry in the past', () => {
    const s = state();
    const caller = s.user('truenas_admin')!;
    const now = Date.now();
    const { key } = s.createKey({ name: 'tnc-expiring', expiresAt: { $date: now + 1000 } }, caller, 'api_key_create', now);
    expect(s.checkKey(key, undefined, true, now).outcome).toBe('SUCCESS');
    expect(s.checkKey(key, undefined, true, now + 1000)).toEqual({ outcome: 'EXPIRED' });
    expect(() => s.createKey({ name: 'tnc-past', expiresAt: { $date: now - 1 } }, caller, 'api_key_create', now)).toThrow(/in the past/);
  });

  it('tells an unknown key id from a wrong secret (REST answers them differently)', () => {
    const s = state();
    const { entry } = s.createKey({ name: 'tnc-x' }, s.user('truenas_admin')!, 'api_key_create');
    expect(s.checkKey(`${entry.id}-${'a'.repeat(64)}`, undefined, true)).toEqual({ outcome: 'AUTH_ERR', unknownId: false });
    expect(s.checkKey(`99-${'a'.repeat(64)}`, undefined, true)).toEqual({ outcome: 'AUTH_ERR', unknownId: true });
    expect(s.checkKey('no-dash-number', undefined, true)).toEqual({ outcome: 'AUTH_ERR', unknownId: false });
  });

  it('keeps the login log bounded', () => {
    const s = state();
    for (let i = 0; i < LOGIN_LOG_LIMIT + 5; i++) s.recordLogin({ mechanism: 'PASSWORD_PLAIN', username: `u${i}`, ok: false });
    const log = s.logins();
    expect(log).toHaveLength(LOGIN_LOG_LIMIT);
    expect(log[0]!.username).toBe('u5');
  });
});

describe('timedeltaText', () => {
  it('prints like Python str(timedelta)', () => {
    expect(timedeltaText(3 * 86_400 + 4 * 3600 + 5 * 60 + 6.789)).toBe('3 days, 4:05:06.789000');
    expect(timedeltaText(86_400 + 1)).toBe('1 day, 0:00:01');
    expect(timedeltaText(5.5)).toBe('0:00:05.500000');
  });
});

describe('RateLimiter', () => {
  it('allows `limit` calls per key and window, then refuses until the window passes', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a'), limiter.hit('b')]).toEqual([true, true, false, true]);
    now = 60_000;
    expect(limiter.hit('a')).toBe(true);
    expect(new RateLimiter(0).hit('a')).toBe(true);
  });
});
