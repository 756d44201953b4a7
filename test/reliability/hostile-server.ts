// A TLS server on 127.0.0.1 that answers whatever its current CasePlan says: HTTP for
// /api/versions and REST, and JSON-RPC over WebSocket at /api/current.
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createCertificate } from '../../src/sim/certificate.js';
import type { CasePlan, FrameAction, HttpAnswer } from './hostile-plan.js';

const HUGE_BYTES = 2 * 1024 * 1024;

export class HostileServer {
  /** What the next requests get; set before each case. */
  plan: CasePlan | undefined;
  private restTurn = 0;
  private frameTurn = 0;
  private readonly sockets = new Set<Socket>();
  private closedWaiters: Array<() => void> = [];
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HUGE_BYTES });

  private constructor(
    private readonly server: https.Server,
    readonly fingerprint: string,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        if (this.sockets.size === 0) this.closedWaiters.splice(0).forEach((wake) => wake());
      });
    });
    server.on('tlsClientError', () => undefined);
    server.on('clientError', (_error, socket) => socket.destroy());
    server.on('request', (req, res) => {
      const path = req.url ?? '';
      if (path === '/api/versions') return answerHttp(this.current.versions, res);
      if (path.startsWith('/api/v2.0/')) return answerHttp(this.current.rest[this.restTurn++ % this.current.rest.length]!, res);
      res.writeHead(404).end();
    });
    server.on('upgrade', (req, socket: Socket, head) => {
      const answer = this.current.upgrade;
      if (answer.kind === 'accept') {
        this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws, socket));
      } else if (answer.kind === 'refuse') {
        socket.end(`HTTP/1.1 ${answer.status} No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      } else if (answer.kind === 'destroy') {
        socket.destroy();
      }
    });
  }

  static async start(): Promise<HostileServer> {
    const cert = await createCertificate('hostile.test');
    const server = https.createServer({ key: cert.keyPem, cert: cert.certPem });
    const hostile = new HostileServer(server, cert.fingerprint);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return hostile;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Starts a case: the plan and its turn counters. */
  play(plan: CasePlan): void {
    this.plan = plan;
    this.restTurn = 0;
    this.frameTurn = 0;
  }

  /** Resolves once every connection has closed (the client must not leave one open). */
  allClosed(): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private get current(): CasePlan {
    if (!this.plan) throw new Error('no plan');
    return this.plan;
  }

  private session(ws: WebSocket, socket: Socket): void {
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      let request: { id?: unknown; method?: unknown; params?: unknown } = {};
      try {
        if (!isBinary) request = JSON.parse(data.toString()) as typeof request;
      } catch {
        // Answered all the same: the plan does not care what was asked.
      }
      const answer = this.current.frames[this.frameTurn++ % this.current.frames.length]!;
      for (const action of answer({ id: request.id, method: request.method, params: request.params })) act(action, ws, socket);
    });
  }
}

function answerHttp(answer: HttpAnswer, res: import('node:http').ServerResponse): void {
  switch (answer.kind) {
    case 'reply':
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': answer.body.length });
      res.end(answer.body);
      return;
    case 'short':
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': answer.body.length + 100 });
      res.write(answer.body, () => res.socket?.destroy());
      return;
    case 'huge':
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(`[${'1,'.repeat(HUGE_BYTES / 2)}1]`);
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'hang':
      return;
  }
}

function act(action: FrameAction, ws: WebSocket, socket: Socket): void {
  switch (action.kind) {
    case 'text':
      ws.send(action.text);
      return;
    case 'binary':
      ws.send(action.bytes, { binary: true });
      return;
    case 'close':
      ws.close(action.code);
      return;
    case 'terminate':
      ws.terminate();
      return;
    case 'partial':
      // FIN + text opcode, 16-bit length 256, then only four payload bytes.
      socket.end(Buffer.from([0x81, 0x7e, 0x01, 0x00, 0x7b, 0x22, 0x69, 0x64]));
      return;
  }
}
