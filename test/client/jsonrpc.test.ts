import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/client/deadline.js';
import { RpcConnection } from '../../src/client/jsonrpc.js';
import type { ClientError } from '../../src/client/errors.js';
import type { SystemTarget } from '../../src/client/types.js';
import { fakeServerSuite } from './helpers/fake-suite.js';
import {
  FAKE_KEY,
  FAKE_KEY_NAMES,
  FAKE_USER,
  NO_ANSWER,
  fakeKeyRef,
  RpcFault,
  scriptedRpc,
  type FakeServer,
  type RpcHandler,
} from './helpers/fake-server.js';
import { reasonOf } from './helpers/outcome.js';
import { details } from '../helpers/health.js';

const fakes = fakeServerSuite();
const { client } = fakes;

async function serve(overrides: Record<string, RpcHandler> = {}): Promise<{ server: FakeServer; target: SystemTarget }> {
  const { server, target } = await fakes.serve({ rpc: scriptedRpc(overrides) });
  return { server, target: { ...target, transport: 'jsonrpc' } };
}

const login = (response_type: string): RpcHandler => () => ({ response_type });
const failure = (code: number, data?: Record<string, unknown>, message = 'Method call error'): RpcHandler => () => {
  throw new RpcFault({ code, message, data });
};

describe('JSON-RPC session', () => {
  it('matches answers to requests by id, whatever their order, and leaves $date as sent', async () => {
    const held: Array<() => void> = [];
    const { server } = await serve({
      'test.slow': (_m, _p, session) => {
        held.push(() => session.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'first' })));
        return NO_ANSWER;
      },
      'test.fast': () => {
        held.forEach((send) => send());
        return { when: { $date: 1_700_000_000_000 }, nested: [{ $date: 0 }], other: { $date: 'not a number' } };
      },
    });
    const deadline = new Deadline(5000);
    const conn = await RpcConnection.open(
      { origin: server.url, endpoint: { host: '127.0.0.1', port: server.port }, trust: { pin: fakes.fingerprint() }, deadline },
      'key rejected',
    );
    try {
      const slow = conn.call('test.slow');
      const fast = await conn.call('test.fast');
      expect(await slow).toBe('first');
      expect(fast).toEqual({ when: { $date: 1_700_000_000_000 }, nested: [{ $date: 0 }], other: { $date: 'not a number' } });
      expect(server.calls.map((c) => c.method)).toEqual(['test.slow', 'test.fast']);
    } finally {
      conn.close();
      deadline.dispose();
    }
  });

  it('ignores notifications and answers to unknown ids', async () => {
    const { target } = await serve({
      'auth.login_ex': (_m, _p, session) => {
        session.sendRaw(JSON.stringify({ jsonrpc: '2.0', method: 'collection_update', params: { msg: 'added' } }));
        session.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 999, result: 'stray' }));
        return { response_type: 'SUCCESS' };
      },
    });
    await expect(client.checkKey(target, FAKE_KEY)).resolves.toMatchObject({ info: { hostname: 'fake-nas' } });
  });

  it.each([
    ['not JSON', '{"jsonrpc": "2.0", "id": 1, "result": '],
    ['not an object', '[1, 2, 3]'],
    ['neither result nor error', '{"jsonrpc": "2.0", "id": 1}'],
    ['a malformed error', '{"jsonrpc": "2.0", "id": 1, "error": "boom"}'],
  ])('fails with protocol error on an answer that is %s', async (_what, raw) => {
    const { target } = await serve({
      'system.info': (_m, _p, session) => {
        // In answer to the one call before it (ids count from 1 per connection).
        session.sendRaw(raw.replace('"id": 1', '"id": 3'));
        return NO_ANSWER;
      },
    });
    expect(await reasonOf(client.checkKey(target, FAKE_KEY))).toBe('protocol error');
  });

  it('fails with protocol error on an oversized answer', async () => {
    const { target } = await serve({ 'system.info': () => ({ version: 'x'.repeat(2 * 1024 * 1024), hostname: 'big' }) });
    expect(await reasonOf(client.checkKey(target, FAKE_KEY))).toBe('protocol error');
  });

  it.each([
    ['system.info without a hostname', { 'system.info': () => ({ version: '25.10.1' }) }],
    ['an unknown login response', { 'auth.login_ex': login('SOMETHING_NEW') }],
    ['a REDIRECT login response', { 'auth.login_ex': login('REDIRECT') }],
    ['a login answer that is not an object', { 'auth.login_ex': () => true }],
  ])('fails with protocol error on %s', async (_what, overrides) => {
    const { target } = await serve(overrides);
    expect(await reasonOf(client.checkKey(target, FAKE_KEY))).toBe('protocol error');
  });
});

describe('checkKey over JSON-RPC', () => {
  it('asks whether SCRAM is offered, logs in with API_KEY_PLAIN and the username when it is not, then reads system.info', async () => {
    const { server, target } = await serve();
    await expect(client.checkKey(target, FAKE_KEY)).resolves.toEqual({
      transport: 'jsonrpc',
      info: { ...details('25.10.1', 'fake-nas'), uptimeSeconds: 42.5 },
    });
    expect(server.calls).toEqual([
      { method: 'auth.mechanism_choices', params: [] },
      { method: 'auth.login_ex', params: [{ mechanism: 'API_KEY_PLAIN', username: FAKE_KEY.username, api_key: FAKE_KEY.apiKey }] },
      { method: 'system.info', params: [] },
    ]);
  });

  it.each([
    ['AUTH_ERR', { 'auth.login_ex': login('AUTH_ERR') }, 'key rejected'],
    ['EXPIRED', { 'auth.login_ex': login('EXPIRED') }, 'key expired'],
    ['ENOTAUTHENTICATED after login', { 'system.info': failure(-32001, { error: 207, errname: 'ENOTAUTHENTICATED' }) }, 'key rejected'],
    ['EBUSY', { 'auth.login_ex': failure(-32001, { error: 16, errname: 'EBUSY', reason: 'Rate Limit Exceeded' }) }, 'rate limited'],
    ['"Rate Limit Exceeded"', { 'auth.login_ex': failure(-32001, { reason: 'Rate Limit Exceeded' }) }, 'rate limited'],
    ['too many concurrent calls', { 'auth.login_ex': failure(-32000, undefined, 'Too many concurrent calls') }, 'rate limited'],
    ['a method call error', { 'system.info': failure(-32001, { error: 1, errname: 'EPERM', reason: 'nope' }) }, 'server error'],
    ['an internal error', { 'system.info': failure(-32603, undefined, 'Internal error') }, 'server error'],
  ])('maps %s', async (_what, overrides, reason) => {
    const { target } = await serve(overrides);
    expect(await reasonOf(client.checkKey(target, FAKE_KEY))).toBe(reason);
  });

  it('never puts the API key in an error message, even when the server echoes it', async () => {
    const { target } = await serve({
      'auth.login_ex': failure(-32602, { extra: [['auth_login_ex.api_key', `bad key ${FAKE_KEY.apiKey}`, 22]] }, 'Invalid params'),
    });
    const err = (await client.checkKey(target, FAKE_KEY).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('bad key');
    expect(err.message).not.toContain(FAKE_KEY.apiKey);
  });
});

describe('signIn over JSON-RPC', () => {
  const creds = { username: FAKE_USER.username, password: FAKE_USER.password };

  it('logs in with PASSWORD_PLAIN and mints a tnc-<uuid> key for the user', async () => {
    const { server, target } = await serve();
    const minted = await client.signIn(target, creds);
    expect(minted).toMatchObject({ keyId: 9, username: FAKE_USER.username, key: `9-${'n'.repeat(64)}`, transport: 'jsonrpc' });
    expect(minted.keyName).toMatch(/^tnc-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(minted.info).toEqual({ ...details('25.10.1', 'fake-nas'), uptimeSeconds: 42.5 });
    expect(server.calls[0]).toEqual({ method: 'auth.login_ex', params: [{ mechanism: 'PASSWORD_PLAIN', ...creds }] });
    expect(server.calls.find((c) => c.method === 'api_key.create')?.params).toEqual([
      { name: minted.keyName, username: FAKE_USER.username },
    ]);
  });

  it('names every key differently', async () => {
    const { target } = await serve();
    const [a, b] = await Promise.all([client.signIn(target, creds), client.signIn(target, creds)]);
    expect(a.keyName).not.toBe(b.keyName);
  });

  it('says bad credentials on AUTH_ERR and never repeats the password', async () => {
    const { target } = await serve();
    const err = (await client.signIn(target, { ...creds, password: 'wrong-password-123' }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ reason: 'bad credentials' });
    expect(err.message).not.toContain('wrong-password-123');
  });

  it('redacts the password from server text', async () => {
    const { target } = await serve({
      'api_key.create': failure(-32602, { extra: [['api_key_create.name', `odd ${creds.password}`, 22]] }, 'Invalid params'),
    });
    const err = (await client.signIn(target, creds).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ reason: 'server error' });
    expect(err.message).not.toContain(creds.password);
  });

  it('cleans what the server says: no escape or bidi control of an error reason survives', async () => {
    const hostile = 'denied\u001b]52;c;ZWNobw==\u0007\u001b[2J\u009b31m\u202eevil';
    const { target } = await serve({ 'api_key.create': failure(-32001, { error: 22, errname: 'EINVAL', reason: hostile }) });
    const err = (await client.signIn(target, creds).catch((e: unknown) => e)) as ClientError;
    for (const text of [err.message, err.details.serverReason ?? '']) {
      expect(text).toContain('denied');
      expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
  });

  it('still mints a key when system.info is not allowed for the user', async () => {
    const { target } = await serve({ 'system.info': failure(-32001, { error: 13, errname: 'EACCES', reason: 'Not authorized' }) });
    const minted = await client.signIn(target, creds);
    expect(minted.keyId).toBe(9);
    expect(minted.info).toBeUndefined();
  });

  it('lets the caller record the key by name before api_key.create goes out, and mints with that name', async () => {
    const { server, target } = await serve();
    const seen: Array<[string, number]> = [];
    const keyName = 'tnc-11111111-2222-4333-8444-555555555555';
    const minted = await client.signIn(target, {
      ...creds,
      keyName,
      onCreating: async (name) => {
        seen.push([name, server.calls.filter((c) => c.method === 'api_key.create').length]);
      },
    });
    expect(seen).toEqual([[keyName, 0]]);
    expect(minted.keyName).toBe(keyName);
    // A sign-in creates and deletes nothing else: replacing a key is the caller's job, after storing.
    expect(server.calls.some((c) => c.method === 'api_key.delete')).toBe(false);
  });

  it('says a create the server refused created nothing; a create left unanswered does not say so', async () => {
    const refused = await serve({ 'api_key.create': failure(-32602, { extra: [['api_key_create.name', 'name must be unique', 22]] }, 'Invalid params') });
    expect(await client.signIn(refused.target, creds).catch((e: unknown) => e)).toMatchObject({ hint: 'not created' });
    const unanswered = await serve({ 'api_key.create': () => NO_ANSWER });
    const err = await client.signIn(unanswered.target, creds, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'timeout' });
    expect((err as { hint?: string }).hint).toBeUndefined();
  });

  it('refuses a created key that comes back under another name', async () => {
    const { target } = await serve({
      'api_key.create': () => ({ id: 9, name: 'something-else', username: FAKE_USER.username, key: `9-${'n'.repeat(64)}` }),
    });
    expect(await reasonOf(client.signIn(target, creds))).toBe('protocol error');
  });

  describe('with 2FA', () => {
    const CODE = '123456';
    function otpServer(): Record<string, RpcHandler> {
      return {
        'auth.login_ex': (_m, params) => {
          const arg = params[0] as Record<string, unknown>;
          if (arg.mechanism === 'PASSWORD_PLAIN') return { response_type: 'OTP_REQUIRED', username: arg.username };
          return { response_type: arg.otp_token === CODE ? 'SUCCESS' : 'OTP_REQUIRED', username: FAKE_USER.username };
        },
      };
    }

    it('asks for a code, retries a wrong one, and signs in with the right one', async () => {
      const { server, target } = await serve(otpServer());
      const answers = ['000000', '111111', CODE];
      let asked = 0;
      const minted = await client.signIn(target, { ...creds, askOtp: async () => answers[asked++] ?? null });
      expect(minted.keyId).toBe(9);
      expect(asked).toBe(3);
      expect(server.calls.filter((c) => c.method === 'auth.login_ex').map((c) => c.params[0])).toEqual([
        { mechanism: 'PASSWORD_PLAIN', ...creds },
        { mechanism: 'OTP_TOKEN', otp_token: '000000' },
        { mechanism: 'OTP_TOKEN', otp_token: '111111' },
        { mechanism: 'OTP_TOKEN', otp_token: CODE },
      ]);
    });

    it('gives up after the first code and three retries', async () => {
      const { server, target } = await serve(otpServer());
      let asked = 0;
      const outcome = await reasonOf(client.signIn(target, { ...creds, askOtp: async () => `99999${asked++}` }));
      expect(outcome).toBe('bad credentials');
      expect(asked).toBe(4);
      expect(server.calls.some((c) => c.method === 'api_key.create')).toBe(false);
    });

    it('stops at AUTH_ERR after a wrong code', async () => {
      const { target } = await serve({
        'auth.login_ex': (_m, params) =>
          (params[0] as { mechanism: string }).mechanism === 'PASSWORD_PLAIN'
            ? { response_type: 'OTP_REQUIRED', username: FAKE_USER.username }
            : { response_type: 'AUTH_ERR' },
      });
      const err = (await client.signIn(target, { ...creds, askOtp: async () => '424242' }).catch((e: unknown) => e)) as Error;
      expect(err).toMatchObject({ reason: 'bad credentials' });
      expect(err.message).not.toContain('424242');
    });

    it('says 2FA required when nobody can be asked, and cancelled when the person declines', async () => {
      const { target } = await serve(otpServer());
      expect(await reasonOf(client.signIn(target, creds))).toBe('2FA required');
      expect(await reasonOf(client.signIn(target, { ...creds, askOtp: async () => null }))).toBe('cancelled');
    });

    it('does not count the time a person takes to type the code against the deadline', async () => {
      const { target } = await serve(otpServer());
      const slowPerson = () => new Promise<string>((resolve) => setTimeout(() => resolve(CODE), 600));
      await expect(client.signIn(target, { ...creds, askOtp: slowPerson }, { timeoutMs: 300 })).resolves.toMatchObject({ keyId: 9 });
    });

    it('still honours cancellation while waiting for the code', async () => {
      const { target } = await serve(otpServer());
      const controller = new AbortController();
      const never = () => {
        controller.abort();
        return new Promise<string>(() => undefined);
      };
      expect(await reasonOf(client.signIn(target, { ...creds, askOtp: never }, { signal: controller.signal }))).toBe('cancelled');
    });
  });
});

describe('deleteKey over JSON-RPC', () => {
  it('reads the key back by name, deletes that one, and treats a missing key as deleted', async () => {
    const { server, target } = await serve();
    await client.deleteKey(target, FAKE_KEY, fakeKeyRef(8));
    await client.deleteKey(target, FAKE_KEY, fakeKeyRef(8));
    expect(server.calls.filter((c) => c.method === 'api_key.query').map((c) => c.params)).toEqual([
      [[['name', '=', FAKE_KEY_NAMES[8]]]],
      [[['name', '=', FAKE_KEY_NAMES[8]]]],
    ]);
    expect(server.calls.filter((c) => c.method === 'api_key.delete').map((c) => c.params)).toEqual([[8]]);
  });

  it('goes by the name, never by a recorded id that points at another key', async () => {
    const { server, target } = await serve();
    // The record says id 6 (another integration's key): only the key named as recorded is deleted.
    await client.deleteKey(target, FAKE_KEY, { keyId: 6, keyName: FAKE_KEY_NAMES[8]! });
    expect(server.calls.filter((c) => c.method === 'api_key.delete').map((c) => c.params)).toEqual([[8]]);
  });

  it('refuses a name that is not tnc-<uuid> before connecting at all', async () => {
    const { server, target } = await serve();
    expect(await reasonOf(client.deleteKey(target, FAKE_KEY, { keyId: 6, keyName: FAKE_KEY_NAMES[6]! }))).toBe('not a tnc key');
    expect(server.calls).toEqual([]);
  });

  it('says key rejected when the key cannot log in, without deleting anything', async () => {
    const { server, target } = await serve({ 'auth.login_ex': login('AUTH_ERR') });
    expect(await reasonOf(client.deleteKey(target, FAKE_KEY, fakeKeyRef(7)))).toBe('key rejected');
    expect(server.calls.some((c) => c.method === 'api_key.delete')).toBe(false);
  });
});
