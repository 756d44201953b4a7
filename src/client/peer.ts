import type { X509Certificate } from 'node:crypto';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { ClientError, toClientError } from './errors.js';

/**
 * How a server proves who it is: either its certificate's SHA-256 equals a pinned
 * fingerprint, or it chains to a CA in `context` (system CAs plus `--ca-file`).
 */
export type PeerTrust = { pin: string } | { context: SecureContext };

export interface Endpoint {
  host: string;
  port: number;
}

let pinned: SecureContext | undefined;

/**
 * The one context of every pinned connection, built on first use: tls.connect without one
 * builds a context per connection, a fifth of a poller check's CPU. Its CAs do not matter:
 * the pin alone decides, in `distrust`, before any byte is handed over.
 */
function pinnedContext(): SecureContext {
  pinned ??= tls.createSecureContext();
  return pinned;
}

const peerCertificates = new WeakMap<TLSSocket, X509Certificate | undefined>();

/**
 * The certificate the peer presented. Node 20 hands it out once per socket (a second
 * getPeerX509Certificate() answers undefined), so it is read once and kept here for the pin
 * check, the Trust dialog and SCRAM's channel binding alike.
 */
export function peerCertificateOf(socket: TLSSocket): X509Certificate | undefined {
  if (!peerCertificates.has(socket)) peerCertificates.set(socket, socket.getPeerX509Certificate());
  return peerCertificates.get(socket);
}

function normalizedFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/** Why the peer must not get our credentials, or undefined when it may. */
function distrust(socket: TLSSocket, trust: PeerTrust): ClientError | undefined {
  if ('pin' in trust) {
    const presented = peerCertificateOf(socket)?.fingerprint256;
    if (presented === undefined) return new ClientError('TLS error', 'TLS error: server sent no certificate');
    if (normalizedFingerprint(presented) === normalizedFingerprint(trust.pin)) return undefined;
    return new ClientError('certificate changed', 'certificate changed: the server no longer presents the pinned certificate');
  }
  if (socket.authorized) return undefined;
  return new ClientError('untrusted', `untrusted: certificate not trusted (${String(socket.authorizationError)})`);
}

/**
 * Completes a TLS handshake and hands the socket over only after the peer passed
 * `trust`, so no caller can write a byte (credentials included) to an impostor.
 * The handshake itself never rejects a certificate: we judge it here to name the reason.
 */
export function openVerified(
  endpoint: Endpoint,
  trust: PeerTrust,
  signal: AbortSignal,
  handOver: (err: Error | null, socket?: TLSSocket) => void,
): void {
  openTls(endpoint, 'context' in trust ? trust.context : pinnedContext(), signal, (err, socket) => {
    if (err !== null || socket === undefined) return handOver(err);
    const problem = distrust(socket, trust);
    if (problem === undefined) return handOver(null, socket);
    socket.destroy();
    handOver(problem);
  });
}

/** A finished TLS handshake (certificate not judged), or the reason there is none. */
export function openTls(
  endpoint: Endpoint,
  context: SecureContext,
  signal: AbortSignal,
  done: (err: Error | null, socket?: TLSSocket) => void,
): void {
  if (signal.aborted) return done(signal.reason as Error);
  const socket = tls.connect({
    host: endpoint.host,
    port: endpoint.port,
    secureContext: context,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  const settle = (err: Error | null): void => {
    signal.removeEventListener('abort', onAbort);
    socket.off('secureConnect', onSecure);
    socket.off('error', onError);
    socket.off('close', onClose);
    if (err === null) return done(null, socket);
    socket.destroy();
    done(err);
  };
  const onAbort = (): void => settle(signal.reason as Error);
  const onSecure = (): void => settle(null);
  const onError = (e: Error): void => settle(toClientError(e));
  const onClose = (): void => settle(new ClientError('unreachable', 'unreachable: connection closed during TLS handshake'));
  signal.addEventListener('abort', onAbort, { once: true });
  socket.once('secureConnect', onSecure);
  socket.once('error', onError);
  socket.once('close', onClose);
}

/** Promise form for callers that only want to look at the certificate. */
export function handshake(endpoint: Endpoint, context: SecureContext, signal: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    openTls(endpoint, context, signal, (err, socket) => (err === null && socket ? resolve(socket) : reject(err)));
  });
}
