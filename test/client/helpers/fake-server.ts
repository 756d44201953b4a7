import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TestCert } from './certs.js';

/** A JSON-RPC error a handler throws to answer with `error` instead of `result`. */
export class RpcFault {
  constructor(readonly error: { code: number; message: string; data?: unknown }) {}
}

/** Returned by a handler to never answer that call. */
export const NO_ANSWER = Symbol('no answer');

export interface RpcSession {
  /** Sends any raw text frame (notifications, garbage). */
  sendRaw(text: string): void;
}

export type RpcHandler = (method: string, params: unknown[], session: RpcSession) => unknown;
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface FakeServerOptions {
  cert: TestCert;
  http?: HttpHandler;
  rpc?: RpcHandler;
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/**
 * A scriptable TrueNAS look-alike on 127.0.0.1 for unit tests: real TLS, real HTTP, real
 * WebSocket, with every request and RPC call recorded.
 */
export class FakeServer {
  readonly requests: SeenRequest[] = [];
  readonly calls: Array<{ method: string; params: unknown[] }> = [];
  /** TLS handshakes the server completed. */
  tlsConnections = 0;
  #server: https.Server;
  #wss = new WebSocketServer({ noServer: true });
  #sockets = new Set<Socket>();
  port = 0;

  constructor(readonly options: FakeServerOptions) {
    this.#server = https.createServer({ key: options.cert.key, cert: options.cert.cert }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
        (options.http ?? defaultHttp)(req, res, body);
      });
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('secureConnection', () => this.tlsConnections++);
    this.#server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.requests.push({ method: 'UPGRADE', url: req.url ?? '', body: '' });
      if (req.url !== '/api/current' || options.rpc === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serveRpc(ws, options.rpc as RpcHandler));
    });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** TCP connections still open on the server side. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #serveRpc(ws: WebSocket, handler: RpcHandler): void {
    const session: RpcSession = { sendRaw: (text) => ws.send(text) };
    ws.on('message', async (data) => {
      const msg = JSON.parse(data.toString()) as { id: unknown; method: string; params?: unknown[] };
      this.calls.push({ method: msg.method, params: msg.params ?? [] });
      try {
        const result = await handler(msg.method, msg.params ?? [], session);
        if (result !== NO_ANSWER) ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
      } catch (err) {
        if (!(err instanceof RpcFault)) throw err;
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: err.error }));
      }
    });
  }
}

function defaultHttp(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/api/versions') return json(res, 200, ['v25.04.0', 'v25.10.0']);
  json(res, 404, { message: '' });
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFake(options: FakeServerOptions): Promise<FakeServer> {
  return new FakeServer(options).start();
}

export const FAKE_USER = { username: 'truenas_admin', password: 'correct horse battery staple' };
export const FAKE_KEY = { username: 'truenas_admin', apiKey: `7-${'k'.repeat(64)}` };

/** The names of the keys the fake servers hold: 7 and 8 tnc's, 6 another integration's. */
export const FAKE_KEY_NAMES: Readonly<Record<number, string>> = {
  6: 'backup-script',
  7: 'tnc-00000000-0000-4000-8000-000000000007',
  8: 'tnc-00000000-0000-4000-8000-000000000008',
};

/** How tnc's records name key `id` of the fake servers. */
export function fakeKeyRef(id: 7 | 8): { keyId: number; keyName: string } {
  return { keyId: id, keyName: FAKE_KEY_NAMES[id]! };
}

/** `api_key.query` / `GET /api_key` rows of the keys still held. */
export function fakeKeyRows(keys: ReadonlySet<number>): Array<{ id: number; name: string }> {
  return [...keys].map((id) => ({ id, name: FAKE_KEY_NAMES[id]! }));
}

/**
 * A well-behaved 25.x middleware in a few dozen lines: one admin, one valid key (FAKE_KEY),
 * keys 6, 7 and 8 deletable once, `api_key.query` with `=` filters.
 */
export function wellBehavedRpc(): RpcHandler {
  const keys = new Set([6, 7, 8]);
  return (method, params) => {
    const arg = params[0] as Record<string, unknown>;
    switch (method) {
      case 'auth.login_ex': {
        const ok =
          (arg.mechanism === 'PASSWORD_PLAIN' && arg.username === FAKE_USER.username && arg.password === FAKE_USER.password) ||
          (arg.mechanism === 'API_KEY_PLAIN' && arg.username === FAKE_KEY.username && arg.api_key === FAKE_KEY.apiKey);
        return { response_type: ok ? 'SUCCESS' : 'AUTH_ERR' };
      }
      case 'system.info':
        return { version: '25.10.1', hostname: 'fake-nas', uptime_seconds: 42.5, boottime: { $date: 1_700_000_000_000 } };
      case 'api_key.create':
        return { id: 9, name: arg.name, username: arg.username, key: `9-${'n'.repeat(64)}`, created_at: { $date: 1 } };
      case 'api_key.query': {
        const filters = (params[0] ?? []) as Array<[string, string, unknown]>;
        return fakeKeyRows(keys).filter((row) =>
          filters.every(([field, op, value]) => op === '=' && row[field as keyof typeof row] === value),
        );
      }
      case 'api_key.delete': {
        const id = params[0] as number;
        if (!keys.delete(id)) {
          throw new RpcFault({
            code: -32001,
            message: 'Method call error',
            data: { error: 2, errname: 'ENOENT', reason: `[ENOENT] API Key ${id} does not exist`, extra: null },
          });
        }
        return true;
      }
      default:
        throw new RpcFault({ code: -32601, message: 'Method not found' });
    }
  };
}

/** wellBehavedRpc with some methods replaced. */
export function scriptedRpc(overrides: Record<string, RpcHandler>): RpcHandler {
  const base = wellBehavedRpc();
  return (method, params, session) => (overrides[method] ?? base)(method, params, session);
}
