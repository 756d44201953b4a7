import tls, { type SecureContext } from 'node:tls';
import { parseAddress } from './address.js';
import { Deadline } from './deadline.js';
import { discoverTransport } from './discovery.js';
import { ClientError, redacted, toClientError } from './errors.js';
import type { Link, SignInRequest } from './link.js';
import { newKeyName, requireTncKeyName } from './key-names.js';
import { handshake, type PeerTrust } from './peer.js';
import { restCheck, restDeleteKey, restSignIn } from './rest.js';
import { rpcCall, rpcCheck, rpcDeleteKey, rpcSignIn, withRpc } from './rpc.js';
import type {
  ApiKeyCredential,
  CallOptions,
  CertificateInfo,
  CheckResult,
  KeyRef,
  MintedKey,
  SystemTarget,
  Transport,
} from './types.js';

export interface ClientOptions {
  /** Extra trusted CAs (`--ca-file`), on top of the system CAs. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Deadline of each operation unless the call says otherwise. */
  timeoutMs?: number;
}

export interface SignInCredentials {
  username: string;
  password: string;
  /** Asked when the account has 2FA; null cancels. The deadline does not run meanwhile. */
  askOtp?: () => Promise<string | null>;
  /** The new key's name (default: a fresh `tnc-<uuid>`). */
  keyName?: string;
  /**
   * Awaited just before `api_key.create` goes out, with the key's name: the caller records it
   * as pending, so no crash or deadline can leave a key on the server that nobody knows of.
   * A failure that carries the hint `not created` means the server refused the create.
   */
  onCreating?: (keyName: string) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export const REST_ONLY_CALL = 'call needs TrueNAS 25.04 or later: this system offers only the REST API';

/** X509Certificate names are one `key=value` per line. */
const oneLine = (name: string): string => name.split('\n').filter(Boolean).join(', ');

/**
 * Talks to TrueNAS systems: JSON-RPC over WebSocket (25.04+) or REST v2.0 (older), over
 * TLS that is either pinned or CA-verified. Each operation opens its own connection,
 * ends within its deadline, and leaves nothing open behind it.
 */
export class TrueNASClient {
  readonly #ca: Array<string | Buffer>;
  readonly #timeoutMs: number;
  /** Operations in flight, so that close() can end them. */
  readonly #inFlight = new Set<Deadline>();
  #closed = false;
  #caContext: SecureContext | undefined;

  constructor(options: ClientOptions = {}) {
    this.#ca = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  fetchCertificate(address: string, opts: CallOptions = {}): Promise<CertificateInfo> {
    return this.#run(opts, [], async (deadline) => {
      const { host, port } = parseAddress(address);
      const socket = await handshake({ host, port }, this.#caTrust().context, deadline.signal);
      try {
        const cert = socket.getPeerX509Certificate();
        if (cert === undefined) throw new ClientError('TLS error', 'TLS error: server sent no certificate');
        return {
          host,
          port,
          fingerprint: cert.fingerprint256,
          subject: oneLine(cert.subject),
          issuer: oneLine(cert.issuer),
          validFrom: new Date(cert.validFrom),
          validTo: new Date(cert.validTo),
          trustedByCA: socket.authorized,
        };
      } finally {
        socket.destroy();
      }
    });
  }

  discover(target: SystemTarget, opts: CallOptions = {}): Promise<Transport> {
    return this.#run(opts, [], (deadline) => discoverTransport(this.#link(target, deadline)));
  }

  signIn(target: SystemTarget, creds: SignInCredentials, opts: CallOptions = {}): Promise<MintedKey> {
    const secrets = [creds.password];
    const { askOtp } = creds;
    const request: SignInRequest = {
      ...creds,
      keyName: creds.keyName ?? newKeyName(),
      // Codes join the secrets so that no server text can echo one into an error message.
      ...(askOtp && {
        askOtp: async () => {
          const otp = await askOtp();
          if (otp !== null) secrets.push(otp);
          return otp;
        },
      }),
    };
    return this.#run(opts, secrets, (deadline) =>
      this.#viaTransport(target, this.#link(target, deadline), async (link, transport) => ({
        ...(transport === 'rest'
          ? await restSignIn(link, request)
          : await withRpc(link, 'bad credentials', (conn) => rpcSignIn(conn, link, request))),
        transport,
      })),
    );
  }

  checkKey(target: SystemTarget, cred: ApiKeyCredential, opts: CallOptions = {}): Promise<CheckResult> {
    return this.#run(opts, [cred.apiKey], (deadline) =>
      this.#viaTransport(target, this.#link(target, deadline), async (link, transport) => ({
        info:
          transport === 'rest'
            ? await restCheck(link, cred)
            : await withRpc(link, 'key rejected', (conn) => rpcCheck(conn, cred)),
        transport,
      })),
    );
  }

  /**
   * One JSON-RPC call with an API key, answered with its result. A REST-only system (24.10)
   * is refused before its key is sent: REST has no such call.
   */
  call(target: SystemTarget, cred: ApiKeyCredential, method: string, params: unknown[], opts: CallOptions = {}): Promise<unknown> {
    // A remembered REST transport is confirmed by discovery (no key involved): the system may
    // have been upgraded since, and REST still answers checks on 25.x.
    const confirmed = target.transport === 'rest' ? { ...target, transport: undefined } : target;
    return this.#run(opts, [cred.apiKey], (deadline) =>
      this.#viaTransport(confirmed, this.#link(target, deadline), (link, transport) => {
        if (transport === 'rest') throw new ClientError('protocol error', REST_ONLY_CALL);
        return withRpc(link, 'key rejected', (conn) => rpcCall(conn, cred, method, params));
      }),
    );
  }

  /**
   * Deletes the key that bears `key.keyName` (it must be a `tnc-<uuid>` name), after reading
   * it back from the server; a key that is gone already counts as deleted.
   */
  deleteKey(target: SystemTarget, cred: ApiKeyCredential, key: KeyRef, opts: CallOptions = {}): Promise<void> {
    return this.#run(opts, [cred.apiKey], async (deadline) => {
      requireTncKeyName(key.keyName);
      return this.#viaTransport(target, this.#link(target, deadline), (link, transport) =>
        transport === 'rest'
          ? restDeleteKey(link, cred, key)
          : withRpc(link, 'key rejected', (conn) => rpcDeleteKey(conn, cred, key)),
      );
    });
  }

  /** Ends every operation in flight (as `cancelled`) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const deadline of this.#inFlight) deadline.cancel();
  }

  /** Parses before anything else: an insecure or invalid address never reaches the network. */
  #link(target: SystemTarget, deadline: Deadline): Link {
    const { host, port, origin } = parseAddress(target.address);
    const trust: PeerTrust = target.fingerprint === undefined ? this.#caTrust() : { pin: target.fingerprint };
    return { origin, endpoint: { host, port }, trust, deadline };
  }

  #caTrust(): { context: SecureContext } {
    // Built once: parsing the system CA bundle costs milliseconds per connection otherwise.
    this.#caContext ??= tls.createSecureContext({ ca: [...tls.rootCertificates, ...this.#ca] });
    return { context: this.#caContext };
  }

  /**
   * Runs `work` with the transport the target remembers, or the discovered one. A
   * remembered transport that looks wrong (REST 404, WebSocket upgrade refused) is
   * re-discovered once.
   */
  async #viaTransport<T>(target: SystemTarget, link: Link, work: (link: Link, transport: Transport) => Promise<T>): Promise<T> {
    const remembered = target.transport;
    const transport = remembered ?? (await discoverTransport(link));
    try {
      return await work(link, transport);
    } catch (err) {
      if (remembered === undefined || !(err instanceof ClientError) || err.hint !== 'wrong transport') throw err;
      const fresh = await discoverTransport(link);
      if (fresh === transport) throw err;
      return work(link, fresh);
    }
  }

  async #run<T>(opts: CallOptions, secrets: readonly string[], work: (deadline: Deadline) => Promise<T>): Promise<T> {
    const deadline = new Deadline(opts.timeoutMs ?? this.#timeoutMs, opts.signal);
    if (this.#closed) deadline.cancel();
    this.#inFlight.add(deadline);
    try {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      return await work(deadline);
    } catch (err) {
      throw redacted(toClientError(err), secrets);
    } finally {
      this.#inFlight.delete(deadline);
      deadline.dispose();
    }
  }
}
