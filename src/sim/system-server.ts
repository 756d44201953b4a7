// The network face of one simulated system: a TCP listener in front of an HTTPS server, so
// faults can refuse connections, hold them without a TLS handshake, or shape every answer.
import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimCertificate } from './certificate.js';
import { answer, isAbort, type SimContext } from './context.js';
import { RpcSession, WS_MAX_PAYLOAD } from './jsonrpc.js';
import { tlsServerEndPoint } from './scram-server.js';
import { isLoopback } from './loopback.js';
import { RateLimiter } from './rate-limit.js';
import { handleHttp } from './rest.js';
import { apiVersionOfPath } from './release.js';
import type { SystemState } from './system-state.js';
import type { SimFault } from './types.js';

export interface ServerSettings {
  host: string;
  /** Sorted [min, max]. */
  failDelayMs: [number, number];
  slowMs: number;
  rateLimitPerMinute: number;
}

export class SystemServer implements SimContext {
  fault: SimFault = 'none';
  port = 0;
  private readonly front: net.Server;
  private readonly tls: https.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  /** Raw and TLS sockets alike, so that `down` and `close()` leave nothing open. */
  private readonly sockets = new Set<Duplex>();
  private readonly closing = new AbortController();
  private readonly limiter: RateLimiter;

  constructor(
    readonly state: SystemState,
    cert: SimCertificate,
    private readonly settings: ServerSettings,
  ) {
    this.limiter = new RateLimiter(settings.rateLimitPerMinute);
    this.tls = https.createServer({ key: cert.keyPem, cert: cert.certPem });
    this.tls.on('request', (req, res) => void handleHttp(this, req, res));
    this.tls.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    this.tls.on('secureConnection', (socket: TLSSocket) => this.track(socket));
    // Clients that give up mid-handshake (timeouts, pin mismatches) are part of the job.
    this.tls.on('tlsClientError', () => {});
    this.front = net.createServer((socket) => this.accept(socket));
  }

  get slowMs(): number {
    return this.settings.slowMs;
  }

  get rateLimitDelayMs(): number {
    return this.settings.failDelayMs[0];
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.closing.signal });
  }

  failDelay(): Promise<void> {
    const [min, max] = this.settings.failDelayMs;
    return this.sleep(min >= max ? min : randomInt(min, max + 1));
  }

  withinRateLimit(method: string, clientIp: string): boolean {
    return this.limiter.hit(`${method} ${clientIp}`);
  }

  /** Listens on `port` (0 = ephemeral; the same port again when coming back from `down`). */
  async listen(port = this.port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen({ port, host: this.settings.host }, () => {
        this.front.off('error', reject);
        resolve();
      });
    });
    this.port = (this.front.address() as net.AddressInfo).port;
  }

  async setFault(fault: SimFault): Promise<void> {
    if (fault === 'down') {
      this.fault = fault;
      await this.stopListening();
    } else {
      if (!this.front.listening) await this.listen();
      this.fault = fault;
    }
  }

  /**
   * A new web certificate. TrueNAS restarts its web service to apply one, which ends every
   * connection: kept sessions reconnect and meet the new certificate.
   */
  setCertificate(cert: SimCertificate): void {
    this.tls.setSecureContext({ key: cert.keyPem, cert: cert.certPem });
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.wss.close();
    await this.stopListening();
  }

  private async stopListening(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (!this.front.listening) return;
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
  }

  private accept(socket: net.Socket): void {
    this.track(socket);
    // Hung: read and drop whatever arrives (so a client leaving is noticed), never answer.
    if (this.fault === 'hang') socket.resume();
    else this.tls.emit('connection', socket);
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://simulator').pathname;
    const apiVersion = apiVersionOfPath(this.state.version, path);
    if (apiVersion === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (this.fault === 'hang') return;
    const start = () => this.wss.handleUpgrade(req, socket, head, (ws) => this.startSession(ws, socket as TLSSocket, apiVersion));
    try {
      // A garbage system still completes the upgrade; its frames are the garbage.
      await answer(this, start, start);
    } catch (err) {
      if (!isAbort(err)) socket.destroy();
    }
  }

  private startSession(ws: WebSocket, socket: TLSSocket, apiVersion: string): void {
    ws.on('error', () => {});
    const secure = socket.encrypted === true || isLoopback(socket.remoteAddress);
    // The simulator's certificates are ECDSA with SHA-256: tls-server-end-point hashes with it.
    const own = socket.encrypted === true ? socket.getCertificate() : null;
    const binding = own && 'raw' in own ? tlsServerEndPoint(own.raw as Buffer, 'sha256') : null;
    new RpcSession(this, ws, socket.remoteAddress ?? '', secure, apiVersion, binding);
  }
}
