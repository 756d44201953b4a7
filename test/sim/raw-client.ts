// A minimal TrueNAS client for testing the simulator on its own: raw `ws` and `https`, no
// certificate verification but a fingerprint reported for the tests to compare.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { fingerprintOf } from '../../src/sim/certificate.js';

export interface HttpResult {
  status: number;
  body: string;
  fingerprint: string;
  json(): unknown;
}

export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; raw?: string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        rejectUnauthorized: false,
        agent: false,
        headers: { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        const fingerprint = fingerprintOf((res.socket as TLSSocket).getPeerCertificate().raw);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body, fingerprint, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function basic(username: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

export function bearer(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

export interface RpcReply {
  id: number | string | null;
  result?: any;
  error?: { code: number; message: string; data?: any };
}

/** One JSON-RPC connection; `call` resolves with the whole reply (result or error). */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: RpcReply) => void>();
  /** Every text frame received, parsed or not. */
  readonly frames: string[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly fingerprint: string,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      let reply: RpcReply;
      try {
        reply = JSON.parse(text) as RpcReply;
      } catch {
        return;
      }
      const resolve = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
      if (resolve) {
        this.pending.delete(reply.id as number);
        resolve(reply);
      }
    });
  }

  static connect(baseUrl: string, path = '/api/current'): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(baseUrl.replace(/^https/, 'wss') + path, { rejectUnauthorized: false });
      ws.once('upgrade', (res) => {
        const fingerprint = fingerprintOf((res.socket as TLSSocket).getPeerCertificate().raw);
        ws.once('open', () => resolve(new RpcClient(ws, fingerprint)));
      });
      ws.once('error', reject);
    });
  }

  call(method: string, params: unknown[] = []): Promise<RpcReply> {
    const id = this.nextId++;
    return this.send({ jsonrpc: '2.0', id, method, params }, id);
  }

  /** Sends raw text and waits for the reply with `id`. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** The next frame, whatever it is. */
  nextFrame(): Promise<string> {
    return new Promise((resolve) => this.ws.once('message', (d) => resolve(d.toString())));
  }

  closed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  close(): void {
    this.ws.terminate();
  }

  private send(message: unknown, id: number): Promise<RpcReply> {
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify(message));
    });
  }
}

export async function login(client: RpcClient, username = 'truenas_admin', password = 'truenas-demo'): Promise<RpcReply> {
  return client.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username, password }]);
}
