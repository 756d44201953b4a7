// What a hostile TrueNAS look-alike answers, drawn per case from a seeded Prng: HTTP replies for
// /api/versions and REST, the WebSocket upgrade, and one answer per JSON-RPC request.
import { Prng } from './prng.js';

export type HttpAnswer =
  | { kind: 'reply'; status: number; body: Buffer }
  /** Declares a longer body than it sends, then closes. */
  | { kind: 'short'; status: number; body: Buffer }
  | { kind: 'huge'; status: number }
  | { kind: 'destroy' }
  | { kind: 'hang' };

export type UpgradeAnswer = { kind: 'accept' } | { kind: 'refuse'; status: number } | { kind: 'destroy' } | { kind: 'hang' };

/** One answer to one JSON-RPC request; `id` and `method` are the request's. */
export type FrameAnswer = (request: { id: unknown; method: unknown; params: unknown }) => FrameAction[];

export type FrameAction =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; bytes: Buffer }
  | { kind: 'close'; code: number }
  | { kind: 'terminate' }
  /** A frame header promising more bytes than ever come, then the socket ends. */
  | { kind: 'partial' };

export interface CasePlan {
  versions: HttpAnswer;
  /** Per REST request, in turn. */
  rest: HttpAnswer[];
  upgrade: UpgradeAnswer;
  /** Per JSON-RPC request, in turn. */
  frames: FrameAnswer[];
}

/** The secrets the client is given: no answer of theirs may bring them into an error message. */
export const SECRETS = { password: 'hunter2-PASSWORD-do-not-echo', apiKey: `7-${'SECRETKEYSECRETKEY'.repeat(3)}0123456789` };

const STATUSES = [200, 200, 201, 204, 301, 400, 401, 403, 404, 404, 418, 422, 429, 500, 502, 503];

function weighted<T>(rng: Prng, choices: Array<[number, () => T]>): T {
  let roll = rng.next() * choices.reduce((sum, [weight]) => sum + weight, 0);
  for (const [weight, make] of choices) {
    roll -= weight;
    if (roll < 0) return make();
  }
  return choices.at(-1)![1]();
}

function deep(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Bodies from valid-looking to hostile; some echo the request's secrets back. */
function body(rng: Prng): Buffer {
  return Buffer.from(
    rng.pick([
      '["v25.04.0","v25.10.0"]',
      '["v25.10.0"]',
      '[]',
      '[1,2]',
      '{}',
      '"v25.10.0"',
      'null',
      '1e400',
      '["v25',
      '<html>nope</html>',
      '{"message":""}',
      '{"version":"25.10.1","hostname":"h"}',
      '{"version":1,"hostname":null}',
      '{"id":3,"name":"tnc-x","key":"3-abc","username":"u"}',
      '{"id":1e400,"name":"tnc-x","key":"x"}',
      `{"message":"bad ${SECRETS.password} ${SECRETS.apiKey}"}`,
      deep(10_000),
      '',
      rng.bytes(1 + rng.int(64)).toString('latin1'),
    ]),
    'latin1',
  );
}

function httpAnswer(rng: Prng, versions: boolean): HttpAnswer {
  return weighted<HttpAnswer>(rng, [
    [versions ? 12 : 4, () => ({ kind: 'reply', status: 200, body: Buffer.from('["v25.04.0","v25.10.0"]') })],
    [versions ? 2 : 1, () => ({ kind: 'reply', status: 404, body: Buffer.from('{"message":""}') })],
    [6, () => ({ kind: 'reply', status: rng.pick(STATUSES), body: body(rng) })],
    [1, () => ({ kind: 'short', status: rng.pick(STATUSES), body: body(rng) })],
    [0.5, () => ({ kind: 'huge', status: rng.pick([200, 500]) })],
    [1, () => ({ kind: 'destroy' })],
    [0.3, () => ({ kind: 'hang' })],
  ]);
}

function text(value: unknown): FrameAction {
  return { kind: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) };
}

const GARBAGE_VALUES: unknown[] = [null, true, 0, -1, 'x', [], {}, [1, 2], { response_type: 7 }, { version: [] }];

const ERROR_OBJECTS: unknown[] = [
  'boom',
  42,
  null,
  [],
  {},
  { code: 'x' },
  { code: -32001 },
  { code: -32001, data: 'str' },
  { code: -32001, message: 'Method call error', data: { errname: 'ENOTAUTHENTICATED', error: 207 } },
  { code: -32001, data: { errname: 'EBUSY', reason: 'Rate Limit Exceeded' } },
  { code: -32001, data: { error: 2, errname: 'ENOENT', reason: `no ${SECRETS.apiKey}` } },
  { code: -32602, message: 'Invalid params', data: { extra: 'not a list' } },
  { code: -32602, data: { extra: [['a.b', 'bad', 22], 'x', null, [1, 2, 3], [SECRETS.password, SECRETS.apiKey, 2]] } },
  { code: -32601, message: 'Method not found' },
  { code: -32700, message: 'Parse error' },
  { code: -32000, message: 'Too many concurrent calls' },
  { code: 1e308, message: { nested: true } },
];

const RESPONSE_TYPES: unknown[] = ['SUCCESS', 'AUTH_ERR', 'EXPIRED', 'OTP_REQUIRED', 'REDIRECT', 'DENIED', 'WEIRD', 7, null];

/** A plausible answer to the method asked, which still may not be what the client expects. */
function plausible(rng: Prng, method: unknown): unknown {
  switch (method) {
    case 'auth.login_ex':
      return { response_type: rng.pick(RESPONSE_TYPES), user_info: rng.pick([null, {}, { pw_name: 'x' }]) };
    case 'system.info':
      return rng.pick([{ version: '25.10.1', hostname: 'nas', uptime_seconds: 5 }, { version: '25.10.1' }, { hostname: 'nas', version: 25 }, { version: 'v', hostname: 'h', uptime_seconds: '1e400' }]);
    case 'api_key.create':
      return rng.pick([{ id: 5, name: 'tnc-x', username: 'u', key: '5-abc' }, { id: -1, name: 'n', key: '-1-x' }, { id: 5, name: 'n', key: '6-wrong' }, { id: 2 ** 60, name: 'n', key: 'k' }]);
    default:
      return rng.pick([true, null, 1]);
  }
}

function frameAnswer(rng: Prng): FrameAnswer {
  return weighted<FrameAnswer>(rng, [
    [8, () => ({ id, method }) => [text({ jsonrpc: '2.0', id, result: plausible(rng, method) })]],
    [2, () => ({ id }) => [text({ jsonrpc: '2.0', id: rng.pick([typeof id === 'number' ? id + 1000 : 0, String(id), null, -1, 1.5]), result: {} })]],
    [3, () => ({ id }) => [text({ jsonrpc: '2.0', id, error: rng.pick(ERROR_OBJECTS) })]],
    [1, () => () => [text({ jsonrpc: '2.0', id: null, error: rng.pick(ERROR_OBJECTS) })]],
    [1, () => ({ id }) => [text({ jsonrpc: '2.0', id })]],
    [2, () => ({ id }) => [text({ jsonrpc: '2.0', id, result: rng.pick(GARBAGE_VALUES) })]],
    [1, () => ({ id }) => [text(`{"jsonrpc":"2.0","id":${id},"result":{"response_type":"SUCCESS","n":1e400,"m":-1e400,"big":123456789012345678901234567890}}`)]],
    [1, () => ({ id }) => [text(`{"jsonrpc":"2.0","id":1e400,"result":${JSON.stringify(id)}}`)]],
    [1, () => () => [{ kind: 'binary', bytes: rng.bytes(1 + rng.int(32)) }]],
    [1, () => () => [text(rng.bytes(1 + rng.int(32)).toString('latin1'))]],
    [1, () => () => [text(rng.pick(['[1,2]', '"x"', '42', 'null', deep(5_000), '{"jsonrpc":"2.0"']))]],
    [1, () => ({ id, method }) => [text({ method: 'collection_update', params: {} }), text({ jsonrpc: '2.0', id, result: plausible(rng, method) })]],
    [1, () => ({ id, method }) => [text({ jsonrpc: '2.0', id, result: plausible(rng, method) }), text({ jsonrpc: '2.0', id, error: { code: -32001 } })]],
    [0.5, () => () => [text('x'.repeat(1024 * 1024 + 10))]],
    [1, () => () => [{ kind: 'close', code: rng.pick([1000, 1001, 1008, 1011, 4000]) }]],
    [0.5, () => () => [{ kind: 'terminate' }]],
    [0.5, () => () => [{ kind: 'partial' }]],
    [0.3, () => () => []],
  ]);
}

export function casePlan(rng: Prng): CasePlan {
  return {
    versions: httpAnswer(rng, true),
    rest: Array.from({ length: 4 }, () => httpAnswer(rng, false)),
    upgrade: weighted<UpgradeAnswer>(rng, [
      [14, () => ({ kind: 'accept' })],
      [1, () => ({ kind: 'refuse', status: rng.pick([400, 403, 404, 426, 500, 503]) })],
      [0.5, () => ({ kind: 'destroy' })],
      [0.2, () => ({ kind: 'hang' })],
    ]),
    frames: Array.from({ length: 6 }, () => frameAnswer(rng)),
  };
}
