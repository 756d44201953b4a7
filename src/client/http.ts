import https from 'node:https';
import type { Got } from 'got';
import { ClientError, toClientError } from './errors.js';
import { openVerified, type Endpoint, type PeerTrust } from './peer.js';
import { MAX_PAYLOAD_BYTES } from './wire.js';

/**
 * An agent for one operation: its sockets reach the HTTP layer only after the peer passed
 * `trust`, and they die with the operation's signal.
 */
class VerifyingAgent extends https.Agent {
  readonly #endpoint: Endpoint;
  readonly #trust: PeerTrust;
  readonly #signal: AbortSignal;

  constructor(endpoint: Endpoint, trust: PeerTrust, signal: AbortSignal) {
    super({ keepAlive: false, maxCachedSessions: 0 });
    this.#endpoint = endpoint;
    this.#trust = trust;
    this.#signal = signal;
  }

  override createConnection(_options: https.RequestOptions, handOver?: (err: Error | null, socket: never) => void): undefined {
    openVerified(this.#endpoint, this.#trust, this.#signal, handOver as (err: Error | null) => void);
    return undefined;
  }
}

let gotLoading: Promise<Got> | undefined;

/** got takes about 90 ms to import: loaded on the first request, not with the client. */
function loadGot(): Promise<Got> {
  gotLoading ??= import('got').then((module) => module.default);
  return gotLoading;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  authorization?: string;
  json?: unknown;
}

export interface HttpReply {
  status: number;
  /** Parsed JSON body; undefined when empty or not JSON. */
  body: unknown;
  /** The body as text (aiohttp answers some errors in plain text). */
  text: string;
}

/**
 * One HTTPS request over a verified connection. Never throws for an HTTP status (callers
 * decide what 401 or 404 mean); throws ClientError for transport failures and for a 2xx
 * answer that is not JSON.
 */
export async function httpRequest(
  origin: string,
  endpoint: Endpoint,
  trust: PeerTrust,
  signal: AbortSignal,
  request: HttpRequest,
): Promise<HttpReply> {
  const got = await loadGot();
  const agent = new VerifyingAgent(endpoint, trust, signal);
  let oversized = false;
  try {
    const pending = got(new URL(request.path, origin), {
      method: request.method,
      headers: {
        accept: 'application/json',
        'user-agent': 'tnc',
        ...(request.authorization === undefined ? {} : { authorization: request.authorization }),
      },
      ...(request.json === undefined ? {} : { json: request.json }),
      agent: { https: agent },
      http2: false,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      signal,
    });
    pending.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > MAX_PAYLOAD_BYTES) {
        oversized = true;
        pending.cancel();
      }
    });
    const response = await pending;
    return { status: response.statusCode, body: parseBody(response.statusCode, response.body), text: response.body };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (oversized) throw new ClientError('protocol error', 'protocol error: answer too large');
    throw toClientError(err);
  } finally {
    agent.destroy();
  }
}

function parseBody(status: number, text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    if (status >= 200 && status < 300) throw new ClientError('protocol error', 'protocol error: answer is not JSON');
    return undefined;
  }
}
