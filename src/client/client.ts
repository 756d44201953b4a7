import tls, { type SecureContext } from 'node:tls';
import { parseAddress } from './address.js';
import { Deadline } from './deadline.js';
import { discoverTransport } from './discovery.js';
import { ClientError, redacted, toClientError } from './errors.js';
import type { Link, SignInRequest } from './link.js';
import { deleteByName, newKeyName, requireTncKeyName } from './key-names.js';
import { handshake, peerCertificateOf, type PeerTrust } from './peer.js';
import { restSignIn } from './rest.js';
import { rpcSignIn, withRpc } from './rpc.js';
import { RestSession, RpcSession, type Session } from './session.js';
import { parseSystemDetails } from './health.js';
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

const REST_ONLY_CALL = 'call needs TrueNAS 25.04 or later: this system offers only the REST API';

/** X509Certificate names are one `key=value` per line. */
const oneLine = (name: string): string => name.split('\n').filter(Boolean).join(', ');

/**
 * Talks to TrueNAS systems: JSON-RPC over WebSocket (25.04+) or REST v2.0 (older), over
 * TLS that is either pinned or CA-verified. Each operation ends within its deadline; the
 * sessions it opens for keys (openSession) are the only thing that outlives one.
 */
export class TrueNASClient {
  readonly #ca: Array<string | Buffer>;
  readonly #timeoutMs: number;
  /** Operations in flight, so that close() can end them. */
  readonly #inFlight = new Set<Deadline>();
  readonly #sessions = new Set<Session>();
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
        const cert = peerCertificateOf(socket);
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

  /**
   * Logs in with a key and keeps the session (JSON-RPC); on a REST-only system, a session
   * that authenticates each request. The login goes by `target.login`: a system that accepted
   * SCRAM gets SCRAM or nothing (`login downgraded`); others get SCRAM when they offer it.
   */
  openSession(target: SystemTarget, cred: ApiKeyCredential, opts: CallOptions = {}): Promise<Session> {
    // A remembered REST transport is confirmed by discovery (no key involved): a REST session
    // sends nothing when it opens, so one on a system upgraded since (TrueNAS 26 has no REST)
    // would only show it as calls that 404.
    const at = target.transport === 'rest' ? { ...target, transport: undefined } : target;
    return this.#run(opts, [cred.apiKey], (deadline) =>
      this.#viaTransport(at, this.#link(at, deadline), async (link, transport) => {
        const session: Session =
          transport === 'rest'
            ? RestSession.forKey(link, cred, this.#timeoutMs)
            : await RpcSession.open(link, cred, target.login === 'scram' ? 'scram' : 'auto', this.#timeoutMs);
        if (this.#closed) session.close();
        return this.#tracked(session);
      }),
    );
  }

  /** One key login and `system.info`, in a session of its own. */
  checkKey(target: SystemTarget, cred: ApiKeyCredential, opts: CallOptions = {}): Promise<CheckResult> {
    return this.#withSession(target, cred, opts, async (session) => ({
      info: parseSystemDetails(await session.call('system.info', [], opts)),
      transport: session.transport,
    }));
  }

  /**
   * One JSON-RPC call with an API key, answered with its result. A REST-only system (24.10)
   * is refused before its key is sent: REST has no such call.
   */
  call(target: SystemTarget, cred: ApiKeyCredential, method: string, params: unknown[], opts: CallOptions = {}): Promise<unknown> {
    return this.#withSession(target, cred, opts, (session) => {
      // A REST session sends nothing until its first call: refused here, the key stays home.
      if (session.transport === 'rest') throw new ClientError('protocol error', REST_ONLY_CALL);
      return session.call(method, params, opts);
    });
  }

  /**
   * Deletes the key that bears `key.keyName` (it must be a `tnc-<uuid>` name), after reading
   * it back from the server; a key that is gone already counts as deleted.
   */
  async deleteKey(target: SystemTarget, cred: ApiKeyCredential, key: KeyRef, opts: CallOptions = {}): Promise<void> {
    requireTncKeyName(key.keyName);
    return this.#withSession(target, cred, opts, (session) => deleteByName(session, key, opts));
  }

  /** Ends every operation in flight (as `cancelled`) and every session, and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const deadline of this.#inFlight) deadline.cancel();
    for (const session of this.#sessions) session.close();
  }

  #tracked(session: Session): Session {
    this.#sessions.add(session);
    const close = session.close.bind(session);
    session.close = () => {
      this.#sessions.delete(session);
      close();
    };
    return session;
  }

  /** Runs `work` in a session of its own. */
  async #withSession<T>(target: SystemTarget, cred: ApiKeyCredential, opts: CallOptions, work: (session: Session) => Promise<T>): Promise<T> {
    const session = await this.openSession(target, cred, opts);
    try {
      return await work(session);
    } finally {
      session.close();
    }
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
