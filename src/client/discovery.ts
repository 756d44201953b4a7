import { ClientError } from './errors.js';
import { httpRequest } from './http.js';
import type { Link } from './link.js';
import type { Transport } from './types.js';

/**
 * `GET /api/versions`: a JSON list of API versions means JSON-RPC over WebSocket
 * (25.04 and later); 404 means a server that only speaks REST v2.0.
 */
export async function discoverTransport(link: Link): Promise<Transport> {
  const reply = await httpRequest(link.origin, link.endpoint, link.trust, link.deadline.signal, {
    method: 'GET',
    path: '/api/versions',
  });
  if (reply.status === 404) return 'rest';
  if (reply.status >= 500) throw new ClientError('server error', `server error: HTTP ${reply.status} on /api/versions`);
  const { body } = reply;
  if (reply.status === 200 && Array.isArray(body) && body.length > 0 && body.every((v) => typeof v === 'string')) {
    return 'jsonrpc';
  }
  throw new ClientError('protocol error', `protocol error: unexpected answer to /api/versions (HTTP ${reply.status})`);
}
