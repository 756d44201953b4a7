import { describe, expect, it } from 'vitest';
import { SimCallError, SimException } from '../../src/sim/errors.js';
import { RateLimiter } from '../../src/sim/rate-limit.js';
import { timedeltaText } from '../../src/sim/system-info.js';
import { INSECURE_TRANSPORT_REASON, LOGIN_LOG_LIMIT, SystemState, type KeyActor } from '../../src/sim/system-state.js';
import type { SimVersion } from '../../src/sim/types.js';
import { validationEntries } from './validation-entries.js';

const admin = { username: 'truenas_admin', password: 'truenas-demo' };
const operator = { username: 'pool_operator', password: 'truenas-demo', roles: ['POOL_READ'] };
const ADMIN: KeyActor = { username: 'truenas_admin', mayManageOthers: true };

function state(version: SimVersion = '25.10'): SystemState {
  return new SystemState(0, version, 'truenas-1', [admin, operator], Date.now() - 1000);
}


describe('SystemState keys', () => {
  it('revokes a correct key used over an insecure transport and answers EXPIRED once', () => {
    const s = state();
    const { key } = s.createKey({ name: 'tnc-plain', username: 'truenas_admin' }, ADMIN);
    expect(s.checkKey(key, 'truenas_admin', false)).toEqual({ outcome: 'EXPIRED' });
    expect(s.summaries()[0]).toMatchObject({ revoked: true, revokedReason: INSECURE_TRANSPORT_REASON });
    expect(s.checkKey(key, 'truenas_admin', true)).toEqual({ outcome: 'AUTH_ERR', unknownId: false });
  });

  it('answers EXPIRED past expires_at without revoking, and refuses an expiry in the past on the schema', () => {
    const s = state();
    const now = Date.now();
    const { key } = s.createKey({ name: 'tnc-expiring', username: 'truenas_admin', expires_at: { $date: now + 1000 } }, ADMIN, now);
    expect(s.checkKey(key, undefined, true, now).outcome).toBe('SUCCESS');
    // An expired key over plain HTTP is not revoked: PAM already refused it.
    expect(s.checkKey(key, undefined, false, now + 1000)).toEqual({ outcome: 'EXPIRED' });
    expect(s.summaries()[0]!.revoked).toBe(false);
    expect(validationEntries(() => s.createKey({ name: 'tnc-past', username: 'truenas_admin', expires_at: { $date: now - 1 } }, ADMIN, now))).toEqual([
      ['api_key_create', 'Expiration date is in the past', 22],
    ]);
  });

  it('expires every key at once', () => {
    const s = state();
    const { key } = s.createKey({ name: 'tnc-a', username: 'truenas_admin' }, ADMIN);
    s.expireAll(Date.now());
    expect(s.checkKey(key, 'truenas_admin', true)).toEqual({ outcome: 'EXPIRED' });
    expect(s.summaries()[0]!.expiresAt).toBeTypeOf('number');
    expect(() => state('24.10').expireAll(Date.now())).toThrow(/no expiry/);
  });

  it('tells an unknown key id from a wrong secret (REST answers them differently)', () => {
    const s = state();
    const { entry } = s.createKey({ name: 'tnc-x', username: 'truenas_admin' }, ADMIN);
    expect(s.checkKey(`${entry.id}-${'a'.repeat(64)}`, undefined, true)).toEqual({ outcome: 'AUTH_ERR', unknownId: false });
    expect(s.checkKey(`99-${'a'.repeat(64)}`, undefined, true)).toEqual({ outcome: 'AUTH_ERR', unknownId: true });
    expect(s.checkKey('no-dash-number', undefined, true)).toEqual({ outcome: 'AUTH_ERR', unknownId: false });
  });

  it('validates 25.x creates like the middleware: pydantic fields first, then the service checks on the schema name', () => {
    const s = state();
    expect(validationEntries(() => s.createKey({ name: 'tnc-x' }, ADMIN))).toEqual([['api_key_create.username', 'Field required', 22]]);
    expect(validationEntries(() => s.createKey({ name: '', username: 'truenas_admin', allowlist: [] }, ADMIN))).toEqual([
      ['api_key_create.allowlist', 'Extra inputs are not permitted', 22],
      ['api_key_create.name', 'String should have at least 1 character', 22],
    ]);
    expect(validationEntries(() => s.createKey('nope', ADMIN))).toEqual([['api_key_create', 'Input should be a valid dictionary or instance of ApiKeyCreate', 22]]);
    s.createKey({ name: 'tnc-dup', username: 'truenas_admin' }, ADMIN);
    expect(validationEntries(() => s.createKey({ name: 'tnc-dup', username: 'ghost' }, ADMIN))).toEqual([
      ['api_key_create', 'name must be unique', 22],
      ['api_key_create', 'User does not exist.', 22],
    ]);
  });

  it('lets a user without API_KEY_WRITE touch only its own keys', () => {
    const s = state();
    const self: KeyActor = { username: 'pool_operator', mayManageOthers: false };
    expect(() => s.createKey({ name: 'tnc-other', username: 'truenas_admin' }, self)).toThrow(SimCallError);
    expect(() => s.createKey({ name: 'tnc-other', username: 'truenas_admin' }, self)).toThrow(
      'pool_operator: authenticated user lacks privileges to create or modify API keys of other users.',
    );
    expect(s.createKey({ name: 'tnc-own', username: 'pool_operator' }, self).entry.owner?.username).toBe('pool_operator');
  });

  it('limits 25.04 and 25.10 to 10 keys per user, counting revoked ones, and 26 not at all', () => {
    for (const version of ['25.04', '25.10'] as const) {
      const s = state(version);
      for (let i = 0; i < 10; i++) s.createKey({ name: `tnc-${i}`, username: 'truenas_admin' }, ADMIN);
      s.revokeAll();
      expect(validationEntries(() => s.createKey({ name: 'tnc-10', username: 'truenas_admin' }, ADMIN))).toEqual([
        ['api_key_create.username', 'User already meets or exceeds maximum per-user API key limit of 10', 22],
      ]);
      expect(s.createKey({ name: 'tnc-10', username: 'pool_operator' }, ADMIN).entry.id).toBe(11);
    }
    const s26 = state('26');
    for (let i = 0; i < 11; i++) s26.createKey({ name: `tnc-${i}`, username: 'truenas_admin' }, ADMIN);
    expect(s26.keysOf(s26.user('truenas_admin')!)).toHaveLength(11);
  });

  it('24.10 keys require an allowlist of valid entries and report duplicates on the name', () => {
    const s = state('24.10');
    expect(validationEntries(() => s.createKey({ name: 'tnc-legacy' }, null))).toEqual([['api_key_create.allowlist', 'Field required', 22]]);
    expect(validationEntries(() => s.createKey({ name: 'tnc-legacy', username: 'root', allowlist: [{ method: 'PATCH', resource: '' }] }, null))).toEqual([
      ['api_key_create.username', 'Extra inputs are not permitted', 22],
      ['api_key_create.allowlist.0.method', "Input should be 'GET', 'POST', 'PUT', 'DELETE', 'CALL', 'SUBSCRIBE' or '*'", 22],
      ['api_key_create.allowlist.0.resource', 'String should have at least 1 character', 22],
    ]);
    const { entry } = s.createKey({ name: 'tnc-legacy', allowlist: [] }, null);
    expect(entry.allowlist).toEqual([]);
    expect(validationEntries(() => s.createKey({ name: 'tnc-legacy', allowlist: [] }, null))).toEqual([
      ['api_key_create.name', 'Object with this name already exists', 22],
    ]);
  });

  it('answers unknown ids as the middleware does: InstanceNotFound for get_instance, MatchNotFound for a 25.x update', () => {
    const s = state();
    expect(validationEntries(() => s.deleteKey(9, ADMIN))).toEqual([[null, 'ApiKey 9 does not exist', 2]]);
    expect(() => s.updateKey(9, { reset: true }, ADMIN)).toThrow(SimException);
    expect(validationEntries(() => state('24.10').updateKey(9, { name: 'x' }, null))).toEqual([[null, 'ApiKey 9 does not exist', 2]]);
  });

  it('keeps the revoke reason after a reset but lifts the revocation', () => {
    const s = state();
    const { entry } = s.createKey({ name: 'tnc-r', username: 'truenas_admin' }, ADMIN);
    s.revokeAll();
    const reset = s.updateKey(entry.id, { reset: true }, ADMIN);
    expect(reset.key).toMatch(new RegExp(`^${entry.id}-[A-Za-z0-9]{64}$`));
    expect(s.summaries()[0]).toMatchObject({ revoked: false, revokedReason: 'Revoked by administrator' });
  });

  it('shapes entries per release and endpoint: no revoked_reason before v25.10, keyhash only when exposed', () => {
    const s = state();
    const issued = s.createKey({ name: 'tnc-s', username: 'truenas_admin' }, ADMIN);
    const current = s.entryShape(issued.entry, 'v25.10.2', false);
    expect(current).toMatchObject({ keyhash: '********', revoked_reason: null, user_identifier: 70, username: 'truenas_admin' });
    expect(s.entryShape(issued.entry, 'v25.04.2', true)).not.toHaveProperty('revoked_reason');
    expect(String(s.entryShape(issued.entry, 'v25.10.2', true).keyhash)).not.toBe('********');
    expect(s.issuedShape(issued, 'v25.10.2', true, true)).toMatchObject({ user_identifier: '70', key: issued.key });
    const legacy = state('24.10');
    const old = legacy.createKey({ name: 'tnc-l', allowlist: [{ method: '*', resource: '*' }] }, null);
    expect(Object.keys(legacy.entryShape(old.entry, 'v24.10', true)).sort()).toEqual(['allowlist', 'created_at', 'id', 'name']);
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
