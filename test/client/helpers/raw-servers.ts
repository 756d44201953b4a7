import net from 'node:net';
import https from 'node:https';
import type { TestCert } from './certs.js';

/** A TCP listener whose behaviour per connection is the test's; it tracks what is still open. */
export class RawServer {
  readonly #server: net.Server;
  readonly #open = new Set<net.Socket>();
  readonly #closedWaiters: Array<() => void> = [];
  accepted = 0;
  port = 0;

  constructor(onConnection: (socket: net.Socket) => void, tlsOn?: TestCert) {
    const inner = tlsOn === undefined ? undefined : https.createServer({ key: tlsOn.key, cert: tlsOn.cert });
    inner?.on('tlsClientError', () => undefined);
    this.#server = net.createServer((socket) => {
      this.accepted++;
      this.#open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#open.delete(socket);
        if (this.#open.size === 0) this.#closedWaiters.splice(0).forEach((wake) => wake());
      });
      onConnection(socket);
    });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get openSockets(): number {
    return this.#open.size;
  }

  /** Resolves once every accepted connection has been closed (by either side). */
  allClosed(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#open) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const NETWORK_RESOURCES = new Set(['TCPSocketWrap', 'TLSWrap', 'TCPWrap', 'Timeout', 'GetAddrInfoReqWrap', 'TCPConnectWrap']);

/** How many sockets, timers and connects the process holds now. */
export function networkResourceCount(): number {
  return process.getActiveResourcesInfo().filter((r) => NETWORK_RESOURCES.has(r)).length;
}

/** Polls a condition on the event loop (no fixed sleep); rejects with `what` if it never holds. */
export async function eventually(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
