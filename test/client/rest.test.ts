import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { SystemTarget } from '../../src/client/types.js';
import { fakeServerSuite } from './helpers/fake-suite.js';
import {
  FAKE_KEY,
  FAKE_KEY_NAMES,
  FAKE_USER,
  fakeKeyRef,
  fakeKeyRows,
  json,
  wellBehavedRpc,
  type FakeServer,
  type HttpHandler,
} from './helpers/fake-server.js';
import { reasonOf } from './helpers/outcome.js';
import { details } from '../helpers/health.js';

const BASIC = `Basic ${Buffer.from(`${FAKE_USER.username}:${FAKE_USER.password}`).toString('base64')}`;
const BEARER = `Bearer ${FAKE_KEY.apiKey}`;
const KEY = `5-${'r'.repeat(64)}`;

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => boolean | void;

/**
 * A TrueNAS 24.10: no /api/versions, REST v2.0 with Basic or Bearer, legacy keys without
 * owner; a new key's allowlist decides whether it may read system/info.
 */
function legacyServer(overrides: Record<string, Route> = {}): HttpHandler {
  const keys = new Set([6, 7, 8]);
  let minted: { name: string; allowlist: unknown } | undefined;
  return (req, res, body) => {
    const route = `${req.method} ${req.url}`;
    if (overrides[route]?.(req, res, body) !== undefined) return;
    const auth = req.headers.authorization;
    if (!route.startsWith('GET /api/v2.0/') && !route.startsWith('POST /api/v2.0/') && !route.startsWith('DELETE /api/v2.0/')) {
      return json(res, 404, { message: '' });
    }
    const full = JSON.stringify([{ method: '*', resource: '*' }]);
    const mintedKeyWorks = auth === `Bearer ${KEY}` && JSON.stringify(minted?.allowlist) === full;
    if (auth === `Bearer ${KEY}` && !mintedKeyWorks) return void res.writeHead(403).end();
    if (auth !== BASIC && auth !== BEARER && !mintedKeyWorks) return json(res, 401, { message: 'Invalid API key' });
    if (route === 'GET /api/v2.0/system/info') return json(res, 200, { version: 'TrueNAS-SCALE-24.10.2', hostname: 'old-nas' });
    if (route === 'GET /api/v2.0/api_key') return json(res, 200, [...fakeKeyRows(keys), ...(minted ? [{ id: 5, name: minted.name }] : [])]);
    if (route === 'POST /api/v2.0/api_key') {
      minted = JSON.parse(body) as { name: string; allowlist: unknown };
      return json(res, 200, { id: 5, ...minted, key: KEY });
    }
    if (route === 'DELETE /api/v2.0/api_key/id/5' && minted) {
      minted = undefined;
      return json(res, 200, true);
    }
    const del = /^DELETE \/api\/v2\.0\/api_key\/id\/(\d+)$/.exec(route);
    if (del) return keys.delete(Number(del[1])) ? json(res, 200, true) : json(res, 404, { message: '' });
    json(res, 404, { message: '' });
  };
}

const fakes = fakeServerSuite();
const { client } = fakes;

function serve(http: HttpHandler, withRpc = false): Promise<{ server: FakeServer; target: SystemTarget }> {
  return fakes.serve({ http, ...(withRpc ? { rpc: wellBehavedRpc() } : {}) });
}

describe('discovery', () => {
  it('finds JSON-RPC when /api/versions lists versions, REST when it is 404', async () => {
    const modern = await serve((req, res) => json(res, req.url === '/api/versions' ? 200 : 404, ['v25.04.0', 'v25.10.0']));
    const legacy = await serve(legacyServer());
    await expect(client.discover(modern.target)).resolves.toBe('jsonrpc');
    await expect(client.discover(legacy.target)).resolves.toBe('rest');
    expect(modern.server.requests.map((r) => [r.method, r.url, r.authorization])).toEqual([['GET', '/api/versions', undefined]]);
  });

  it.each([
    ['a 500', (res: ServerResponse) => json(res, 500, {}), 'server error'],
    ['a 502', (res: ServerResponse) => json(res, 502, {}), 'server error'],
    ['invalid JSON', (res: ServerResponse) => res.end('\u0000<html>not json {'), 'protocol error'],
    ['a JSON object', (res: ServerResponse) => json(res, 200, { versions: [] }), 'protocol error'],
    ['an empty list', (res: ServerResponse) => json(res, 200, []), 'protocol error'],
    ['a 401', (res: ServerResponse) => json(res, 401, {}), 'protocol error'],
    ['an oversized body', (res: ServerResponse) => res.end(`["${'v'.repeat(2 * 1024 * 1024)}"]`), 'protocol error'],
  ])('fails on %s', async (_what, answer, reason) => {
    const { target } = await serve((_req, res) => answer(res));
    expect(await reasonOf(client.discover(target))).toBe(reason);
  });
});

describe('REST v2.0 (TrueNAS 24.10)', () => {
  it('signs in with Basic auth, creates a full-admin legacy key as the 24.10 web UI does, and checks it works', async () => {
    const { server, target } = await serve(legacyServer());
    const minted = await client.signIn(target, { ...FAKE_USER });
    expect(minted).toMatchObject({ keyId: 5, key: KEY, username: FAKE_USER.username, transport: 'rest' });
    expect(minted.keyName).toMatch(/^tnc-[0-9a-f-]{36}$/);
    // The release number alone: 24.10 puts the product name in front of it.
    expect(minted.info).toEqual(details('24.10.2', 'old-nas'));
    const create = server.requests.find((r) => r.method === 'POST');
    expect(create).toMatchObject({ url: '/api/v2.0/api_key', authorization: BASIC });
    expect(JSON.parse(create?.body ?? '')).toEqual({ name: minted.keyName, allowlist: [{ method: '*', resource: '*' }] });
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', url: '/api/v2.0/system/info', authorization: `Bearer ${KEY}` });
  });

  it('deletes a new key that cannot read system/info again, and says why', async () => {
    // A server that ignores the allowlist asked for and mints keys that may do nothing.
    const { server, target } = await serve(
      legacyServer({
        'GET /api/v2.0/system/info': (req, res) =>
          req.headers.authorization === `Bearer ${KEY}` ? (res.writeHead(403).end(), true) : undefined,
      }),
    );
    const err = await client.signIn(target, { ...FAKE_USER }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'server error', hint: 'not created' });
    expect((err as Error).message).toMatch(/new API key may not read system\/info \(HTTP 403\).*deleted again/);
    expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => [r.url, r.authorization])).toEqual([
      ['/api/v2.0/api_key/id/5', BASIC],
    ]);
  });

  it('says bad credentials on 401 and creates nothing', async () => {
    const { server, target } = await serve(legacyServer());
    expect(await reasonOf(client.signIn(target, { ...FAKE_USER, password: 'nope' }))).toBe('bad credentials');
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('checks a key with Bearer on system/info', async () => {
    const { server, target } = await serve(legacyServer());
    await expect(client.checkKey(target, FAKE_KEY)).resolves.toEqual({
      transport: 'rest',
      info: details('24.10.2', 'old-nas'),
    });
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', url: '/api/v2.0/system/info', authorization: BEARER });
  });

  it.each([
    [401, 'key rejected'],
    // The key authenticated; its allowlist does not cover the call: not a rejected key.
    [403, 'server error'],
    [429, 'rate limited'],
    [500, 'server error'],
    [503, 'server error'],
    [418, 'protocol error'],
  ])('maps HTTP %i on a Bearer check to %s', async (status, reason) => {
    // (403 with the hint `not permitted`, so a check shows the column as not known.)
    const { target } = await serve(
      legacyServer({ 'GET /api/v2.0/system/info': (_req, res) => (json(res, status, { message: 'x' }), true) }),
    );
    expect(await reasonOf(client.checkKey({ ...target, transport: 'rest' }, FAKE_KEY))).toBe(reason);
  });

  it('fails with protocol error on a 200 that is not JSON or not system info', async () => {
    const garbage = await serve(legacyServer({ 'GET /api/v2.0/system/info': (_req, res) => (res.end('<html>'), true) }));
    const shapeless = await serve(legacyServer({ 'GET /api/v2.0/system/info': (_req, res) => (json(res, 200, [1]), true) }));
    expect(await reasonOf(client.checkKey({ ...garbage.target, transport: 'rest' }, FAKE_KEY))).toBe('protocol error');
    expect(await reasonOf(client.checkKey({ ...shapeless.target, transport: 'rest' }, FAKE_KEY))).toBe('protocol error');
  });

  it('deletes a key with Bearer after reading it back by name; a key already gone counts as deleted', async () => {
    const { server, target } = await serve(legacyServer());
    await client.deleteKey(target, FAKE_KEY, fakeKeyRef(8));
    await client.deleteKey(target, FAKE_KEY, fakeKeyRef(8));
    expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => [r.url, r.authorization])).toEqual([
      ['/api/v2.0/api_key/id/8', BEARER],
    ]);
    expect(server.requests.filter((r) => r.url === '/api/v2.0/api_key' && r.method === 'GET')).toHaveLength(2);
  });

  it('never deletes by a recorded id alone: a key of another name at that id stays', async () => {
    const { server, target } = await serve(legacyServer());
    await client.deleteKey(target, FAKE_KEY, { keyId: 6, keyName: 'tnc-99999999-0000-4000-8000-000000000000' });
    expect(server.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect(await reasonOf(client.deleteKey(target, FAKE_KEY, { keyId: 6, keyName: FAKE_KEY_NAMES[6]! }))).toBe('not a tnc key');
  });
});

describe('a remembered transport that no longer fits', () => {
  it('re-discovers REST when the WebSocket upgrade is refused', async () => {
    const { server, target } = await serve(legacyServer());
    await expect(client.checkKey({ ...target, transport: 'jsonrpc' }, FAKE_KEY)).resolves.toMatchObject({ transport: 'rest' });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'UPGRADE /api/current',
      'GET /api/versions',
      'GET /api/v2.0/system/info',
    ]);
  });

  it('re-discovers JSON-RPC when REST answers 404 (TrueNAS 26)', async () => {
    const { target } = await serve((req, res) => json(res, req.url === '/api/versions' ? 200 : 404, ['v26.0.0']), true);
    await expect(client.checkKey({ ...target, transport: 'rest' }, FAKE_KEY)).resolves.toMatchObject({ transport: 'jsonrpc' });
    await expect(client.signIn({ ...target, transport: 'rest' }, { ...FAKE_USER })).resolves.toMatchObject({ transport: 'jsonrpc' });
  });

  it('confirms a remembered REST transport before a kept session opens: the poller’s sessions on TrueNAS 26 are JSON-RPC', async () => {
    // A REST session sends nothing when it opens; every call 404ing would leave a check that proved nothing.
    const { target } = await serve((req, res) => json(res, req.url === '/api/versions' ? 200 : 404, ['v26.0.0']), true);
    const session = await client.openSession({ ...target, transport: 'rest' }, FAKE_KEY);
    try {
      expect(session.transport).toBe('jsonrpc');
    } finally {
      session.close();
    }
  });

  it('re-discovers only once', async () => {
    // Says JSON-RPC, then refuses the upgrade too: a broken server, not a loop.
    const { server, target } = await serve((req, res) => json(res, req.url === '/api/versions' ? 200 : 404, ['v25.10.0']));
    expect(await reasonOf(client.checkKey({ ...target, transport: 'rest' }, FAKE_KEY))).toBe('protocol error');
    // The remembered REST is confirmed first (no key sent), then nothing is tried again.
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/versions', 'UPGRADE /api/current']);
    server.requests.length = 0;
    // Remembered JSON-RPC: refused, discovered once, and the same answer ends it.
    expect(await reasonOf(client.checkKey({ ...target, transport: 'jsonrpc' }, FAKE_KEY))).toBe('protocol error');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['UPGRADE /api/current', 'GET /api/versions']);
  });
});

describe('REST refusals a person must read', () => {
  it('a 422 carries TrueNAS’s validation messages', async () => {
    const { target } = await serve(
      legacyServer({
        'POST /api/v2.0/api_key': (_req, res) => (json(res, 422, { 'api_key_create.name': [{ message: 'Object with this name already exists', errno: 22 }] }), true),
      }),
    );
    const err = await client.signIn(target, { ...FAKE_USER }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'server error', hint: 'not created', details: { serverReason: 'api_key_create.name: Object with this name already exists' } });
  });

  it('Basic refused because 2FA is on is not a wrong password', async () => {
    const { target } = await serve(
      legacyServer({
        'GET /api/v2.0/system/info': (req, res) => {
          if (req.headers.authorization !== BASIC) return undefined;
          res.writeHead(401, { 'content-type': 'text/plain' }).end('HTTP Basic Auth is unavailable when OTP is enabled');
          return true;
        },
      }),
    );
    expect(await reasonOf(client.signIn(target, { ...FAKE_USER }))).toBe('2FA on REST');
  });
});
