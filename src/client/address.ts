import { isIP } from 'node:net';
import { ClientError } from './errors.js';

export interface ParsedAddress {
  /** Host name or IP literal, without IPv6 brackets (what `tls.connect` wants). */
  host: string;
  port: number;
  /** `https://host:port`, IPv6 bracketed, port always explicit. */
  origin: string;
}

const DEFAULT_PORT = 443;
const SECURE_SCHEMES = new Set(['https:', 'wss:']);
const INSECURE_SCHEMES = new Set(['http:', 'ws:']);

// Messages never quote the input: whatever was typed may hold a password by mistake.
function invalid(why: string): ClientError {
  return new ClientError('invalid address', `invalid address: ${why}`);
}

/**
 * Accepts `host`, `host:port`, `https://host[:port][/…]`, `[v6]:port` and a bare IPv6
 * literal. Plain http/ws is refused outright: TrueNAS revokes an API key seen on an
 * insecure transport, and a password must never travel in clear either.
 */
export function parseAddress(input: string): ParsedAddress {
  const text = input.trim();
  if (text === '') throw invalid('empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && INSECURE_SCHEMES.has(`${scheme}:`)) {
    throw new ClientError('insecure address', 'insecure address: only https is allowed');
  }
  if (scheme !== undefined && !SECURE_SCHEMES.has(`${scheme}:`)) {
    throw invalid(`unsupported scheme ${scheme}://`);
  }
  const withScheme = scheme === undefined ? `https://${isIP(text) === 6 ? `[${text}]` : text}` : text;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid('not a host name, host:port or https URL');
  }
  if (url.username !== '' || url.password !== '') throw invalid('credentials do not belong in an address');
  if (url.hostname === '') throw invalid('no host');
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  if (port < 1 || port > 65535) throw invalid('port out of range');
  const bracketed = url.hostname;
  const host = bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed;
  return { host, port, origin: `https://${bracketed}:${port}` };
}

/** The address's origin (`nas`, `nas:443` and `https://nas/` are one), or null when it is not one. */
export function originOf(address: string): string | null {
  try {
    return parseAddress(address).origin;
  } catch {
    return null;
  }
}
