import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import { ClientError, toClientError } from './errors.js';
import type { Link } from './link.js';
import { openVerified, peerCertificateOf } from './peer.js';
import type { FailureReason } from './types.js';
import { MAX_PAYLOAD_BYTES, isObject } from './wire.js';

/** A JSON-RPC error object the server answered a call with (the connection stays usable). */
export class RpcCallError extends ClientError {}

/** errnos of the middleware that mean "this caller may not": a missing role, not a broken system. */
const EACCES = 13;
const EPERM = 1;

const ENOENT = 2;

let wsLoading: Promise<typeof WebSocket> | undefined;

/** ws takes about 40 ms to import: loaded with the first JSON-RPC session, not with the client. */
function loadWebSocket(): Promise<typeof WebSocket> {
  wsLoading ??= import('ws').then((module) => module.default);
  return wsLoading;
}

function extraMessages(extra: unknown): { text: string; notFound: boolean } {
  if (!Array.isArray(extra)) return { text: '', notFound: false };
  const entries = extra.filter(Array.isArray) as unknown[][];
  return {
    text: entries.map((e) => e.filter((part) => typeof part === 'string').join(': ')).join('; '),
    notFound: entries.some((e) => e[2] === ENOENT),
  };
}

/**
 * Classifies a JSON-RPC error. `whenUnauthenticated` is what ENOTAUTHENTICATED means for
 * the credential this connection logged in with.
 */
function callError(method: string, error: unknown, whenUnauthenticated: FailureReason): RpcCallError {
  if (!isObject(error) || typeof error.code !== 'number') {
    return new RpcCallError('protocol error', `protocol error: malformed error answer to ${method}`);
  }
  const data = isObject(error.data) ? error.data : {};
  const errname = typeof data.errname === 'string' ? data.errname : undefined;
  const said = [data.reason, error.message].find((s): s is string => typeof s === 'string' && s !== '') ?? '';
  const text = `${method}: ${said}`;
  // What a person should read of it: the middleware's own words, without its errno tag.
  const serverReason = (words: string) => ({ serverReason: words.replace(/^\[E[A-Z]+\]\s*/, '') });
  if (errname === 'EBUSY' || /rate limit/i.test(said) || error.code === -32000) {
    return new RpcCallError('rate limited', `rate limited: ${text}`);
  }
  if (errname === 'ENOTAUTHENTICATED') return new RpcCallError(whenUnauthenticated, `${whenUnauthenticated}: ${text}`);
  if (error.code === -32001 && (errname === 'EACCES' || errname === 'EPERM' || data.error === EACCES || data.error === EPERM)) {
    return new RpcCallError('server error', `server error: ${text}`, 'not permitted', serverReason(said));
  }
  if (error.code === -32602) {
    const extra = extraMessages(data.extra);
    const detail = extra.text === '' ? text : `${method}: ${extra.text}`;
    return new RpcCallError('server error', `server error: ${detail}`, extra.notFound ? 'not found' : undefined, serverReason(extra.text || said));
  }
  if (error.code === -32001) {
    const notFound = errname === 'ENOENT' || data.error === ENOENT;
    return new RpcCallError('server error', `server error: ${text}`, notFound ? 'not found' : undefined, serverReason(said));
  }
  if (error.code === -32601) {
    return new RpcCallError('protocol error', `protocol error: ${said === '' ? `${method} not available` : text}`, 'wrong transport');
  }
  if (error.code === -32700 || error.code === -32600) return new RpcCallError('protocol error', `protocol error: ${text}`);
  return new RpcCallError('server error', `server error: ${text}`, undefined, serverReason(said));
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (err: ClientError) => void;
}

/**
 * One JSON-RPC 2.0 session over `wss://…/api/current`. Any transport failure fails every
 * call in flight and the session for good. The opening operation's deadline bounds the
 * connection until `keep()`; from then on only each call's own signal does.
 */
export class RpcConnection {
  readonly #ws: WebSocket;
  readonly #signal: AbortSignal;
  #socket: TLSSocket | undefined;
  readonly #pending = new Map<number, Pending>();
  /** What ENOTAUTHENTICATED means here: the credential this session logs in with failed. */
  readonly #whenUnauthenticated: FailureReason;
  readonly #opened: Promise<void>;
  #rejectOpen: (err: ClientError) => void = () => undefined;
  #nextId = 1;
  #failure: ClientError | undefined;
  readonly #onAbort = (): void => this.#fail(this.#signal.reason as ClientError);

  private constructor(Socket: typeof WebSocket, link: Link, whenUnauthenticated: FailureReason) {
    const { origin, endpoint, trust } = link;
    const signal = link.deadline.signal;
    this.#signal = signal;
    this.#whenUnauthenticated = whenUnauthenticated;
    this.#ws = new Socket(`${origin.replace(/^https:/, 'wss:')}/api/current`, {
      // Hand-over after the certificate check: the upgrade request is only written then.
      createConnection: ((_opts: unknown, handOver: (err: Error | null, socket?: unknown) => void) => {
        openVerified(endpoint, trust, signal, (err, socket) => {
          this.#socket = socket;
          handOver(err, socket);
        });
        return undefined;
      }) as never,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD_BYTES,
      followRedirects: false,
    });
    this.#opened = new Promise<void>((resolve, reject) => {
      this.#ws.once('open', () => resolve());
      this.#rejectOpen = reject;
    });
    this.#opened.catch(() => undefined);
    this.#ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    this.#ws.on('unexpected-response', (_req, res: IncomingMessage) => this.#refused(res.statusCode ?? 0));
    this.#ws.on('error', (err) => this.#fail(toClientError(err)));
    this.#ws.on('close', () => this.#fail(new ClientError('unreachable', 'unreachable: connection closed before the answer')));
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  static async open(link: Link, whenUnauthenticated: FailureReason): Promise<RpcConnection> {
    const conn = new RpcConnection(await loadWebSocket(), link, whenUnauthenticated);
    await conn.#opened;
    return conn;
  }

  /** `signal` ends this call alone (with its reason); the session goes on. */
  call(method: string, params: unknown[] = [], signal?: AbortSignal): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#pending.delete(id);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settled = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        method,
        resolve: (value) => (settled(), resolve(value)),
        reject: (err) => (settled(), reject(err)),
      });
      this.#ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Outlives the operation that opened it: its deadline no longer ends the connection. */
  keep(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
  }

  /** The server's certificate, for channel binding (the connection was opened over it). */
  peerCertificate(): X509Certificate | undefined {
    return this.#socket && peerCertificateOf(this.#socket);
  }

  get alive(): boolean {
    return this.#failure === undefined;
  }

  /** Ends the session at once; nothing (socket, timer) outlives this call. */
  close(): void {
    this.#fail(new ClientError('cancelled', 'connection closed by the client'));
  }

  #refused(status: number): void {
    const failure =
      status >= 500
        ? new ClientError('server error', `server error: HTTP ${status} on WebSocket upgrade`)
        : new ClientError('protocol error', `protocol error: WebSocket upgrade refused (HTTP ${status})`, 'wrong transport');
    this.#fail(failure);
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    let message: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      // Datetimes stay as the middleware sends them, `{"$date": ms}`: the parsers read that
      // form, and `tnc call` prints it. (A reviver turning them into Dates cost a tenth of a
      // sweep's CPU, for every value of every answer.)
      message = JSON.parse(data.toString());
    } catch {
      return this.#fail(new ClientError('protocol error', 'protocol error: answer is not JSON'));
    }
    if (!isObject(message)) return this.#fail(new ClientError('protocol error', 'protocol error: answer is not an object'));
    const hasResult = 'result' in message;
    const hasError = 'error' in message;
    // Notifications (collection_update and friends) carry a method and no id.
    if (!hasResult && !hasError) {
      if (typeof message.method === 'string') return;
      return this.#fail(new ClientError('protocol error', 'protocol error: answer without result or error'));
    }
    if (message.id === null && hasError) {
      return this.#fail(callError('(request)', message.error, this.#whenUnauthenticated));
    }
    if (typeof message.id !== 'number') return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (hasError) pending.reject(callError(pending.method, message.error, this.#whenUnauthenticated));
    else pending.resolve(message.result);
  }

  #fail(failure: ClientError): void {
    if (this.#failure !== undefined) return;
    this.#failure = failure;
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#rejectOpen(failure);
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
    this.#ws.terminate();
  }
}
