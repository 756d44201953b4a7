// The server side of SCRAM-SHA-512 API-key login for the simulated TrueNAS 26: what
// `auth.login_ex {mechanism: "SCRAM"}` answers at each step. Pure (no sockets); written from
// the middleware's behaviour and the RFCs, independently of src/client/scram.ts, so the two
// implementations check each other.
//
// Checked against:
// - truenas/middleware TS-26.0.0-BETA.3: src/middlewared/middlewared/plugins/auth.py (871-959,
//   1019-1035: every SCRAM failure is {"response_type": "AUTH_ERR"}), plugins/auth_/
//   login_ex_impl.py (426-510), utils/account/authenticator.py (421-550: `p=` over a non-TLS
//   connection is refused at the first step), utils/crypto.py (90-143: material and its
//   base64 encoding), plugins/api_key.py (173-230), etc_files/pam.d/truenas-api-key.mako
//   (`pam_truenas.so allow_password_auth channel_binding=negotiate`).
// - truenas/pam_truenas 92bbdfb: src/pam_truenas.c (30-63: an unknown, revoked or expired key
//   fails before the server-first message), src/pam_truenas_auth.c (406-508: binding policy),
//   tests/test_scram_channel_binding.py (negotiate accepts `n,,`, require refuses it; a `p`
//   client is refused when the server has no binding or another one).
// - truenas/truenas_scram: src/scram/scram_attr_parse.c (nonce 32 or 64 bytes, proof 64 bytes,
//   key id 1..INT32_MAX), scram_server_first.c (server nonce = client nonce bytes + 32 random).
// - RFC 5802 sections 3, 5, 6, 7 and RFC 5929 section 4.
import { createHash, createHmac, pbkdf2, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** What pam_truenas holds for a key: enough to check a proof and sign, not to log in. */
export interface ScramKeyMaterial {
  storedKey: Buffer;
  serverKey: Buffer;
  salt: Buffer;
  iterations: number;
}

/** What `api_key.create` computes on TrueNAS 26: the stored material plus the ClientKey it returns. */
export interface IssuedScramMaterial extends ScramKeyMaterial {
  clientKey: Buffer;
}

export type ScramDigest = 'sha1' | 'sha256' | 'sha512';

/** The middleware's default rounds (utils/crypto.py generate_api_key_auth_data). */
const DEFAULT_ITERATIONS = 500_000;
const SALT_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./';
const NONCE_BYTES = 32;
const GS2_BINDING = 'p=tls-server-end-point,,';

function hmac(digest: ScramDigest, key: Uint8Array, data: string): Buffer {
  return createHmac(digest, key).update(data, 'utf8').digest();
}

/** A 16-character salt from [A-Za-z0-9./], used as its ASCII bytes, as the middleware makes it. */
function middlewareSalt(): Buffer {
  let salt = '';
  for (let i = 0; i < 16; i++) salt += SALT_CHARS[randomInt(SALT_CHARS.length)];
  return Buffer.from(salt, 'ascii');
}

/**
 * SCRAM material for a key's secret part (the text after `<id>-`): SaltedPassword is
 * PBKDF2-HMAC-SHA512(secret, salt, iterations). `digest` is a parameter for the RFC vectors only.
 */
export function scramMaterialFor(
  secret: string,
  iterations = DEFAULT_ITERATIONS,
  salt: Buffer = middlewareSalt(),
  digest: ScramDigest = 'sha512',
): Promise<IssuedScramMaterial> {
  const length = createHash(digest).digest().length;
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(secret, 'utf8'), salt, iterations, length, digest, (err, salted) => {
      if (err) return reject(err);
      const clientKey = hmac(digest, salted, 'Client Key');
      const material = {
        clientKey,
        storedKey: createHash(digest).update(clientKey).digest(),
        serverKey: hmac(digest, salted, 'Server Key'),
        salt,
        iterations,
      };
      salted.fill(0);
      resolve(material);
    });
  });
}

/** The SCRAM fields of `api_key.create` on TrueNAS 26: keys and salt as base64, iterations as an int. */
export function scramWireFields(m: IssuedScramMaterial): Record<string, string | number> {
  return {
    iterations: m.iterations,
    salt: m.salt.toString('base64'),
    client_key: m.clientKey.toString('base64'),
    stored_key: m.storedKey.toString('base64'),
    server_key: m.serverKey.toString('base64'),
  };
}

/**
 * RFC 5802 section 3, the server's half: recovers ClientKey from the proof, compares its hash
 * with StoredKey in constant time, and returns the ServerSignature, or null for a wrong proof.
 */
export function checkClientProof(
  digest: ScramDigest,
  material: ScramKeyMaterial,
  authMessage: string,
  proof: Buffer,
): Buffer | null {
  const clientSignature = hmac(digest, material.storedKey, authMessage);
  if (proof.length !== clientSignature.length) return null;
  const clientKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
  const candidate = createHash(digest).update(clientKey).digest();
  clientKey.fill(0);
  if (candidate.length !== material.storedKey.length || !timingSafeEqual(candidate, material.storedKey)) return null;
  return hmac(digest, material.serverKey, authMessage);
}

/** tls-server-end-point of a certificate the simulator signed with `signatureHash` (RFC 5929 4.1). */
export function tlsServerEndPoint(der: Uint8Array, signatureHash: 'sha256' | 'sha384' | 'sha512'): Buffer {
  return createHash(signatureHash).update(der).digest();
}

/** What the server's key store says about `<username>:<key id>`. */
export type ScramKeyLookup = { status: 'active'; material: ScramKeyMaterial } | { status: 'unknown' | 'revoked' | 'expired' };

export interface ScramServerOptions {
  /** The key `keyId` of `username`; a key of another user is `unknown`, as in pam_truenas's per-user keyring. */
  lookup(username: string, keyId: number): ScramKeyLookup;
  /** tls-server-end-point of the certificate this connection presents; null when it is not TLS. */
  channelBinding: Uint8Array | null;
  /** pam_truenas `channel_binding=`: TrueNAS 26.0 ships `negotiate` (an unbound client still logs in). */
  bindingPolicy?: 'negotiate' | 'require';
}

/** Why a login failed; the wire never says (always AUTH_ERR), the simulator's log may. */
export type ScramRefusal =
  | 'malformed'
  | 'unknown key'
  | 'revoked'
  | 'expired'
  | 'binding over non-TLS'
  | 'binding required'
  | 'binding mismatch'
  | 'nonce mismatch'
  | 'wrong proof';

export type ScramStep =
  | { kind: 'SERVER_FIRST_RESPONSE'; rfcStr: string }
  | { kind: 'SERVER_FINAL_RESPONSE'; rfcStr: string; username: string; keyId: number }
  | { kind: 'AUTH_ERR'; refusal: ScramRefusal }
  /** A CLIENT_FINAL_MESSAGE with no exchange in progress: CallError "SCRAM authentication is not in progress" (EFAULT). */
  | { kind: 'NOT_IN_PROGRESS' };

interface Pending {
  username: string;
  keyId: number;
  gs2Header: string;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  material: ScramKeyMaterial;
}

function strictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 && bytes.toString('base64') === text ? bytes : null;
}

/**
 * One connection's SCRAM exchange. A new CLIENT_FIRST_MESSAGE replaces one in progress; any
 * CLIENT_FINAL_MESSAGE ends it, right or wrong, as the middleware clears `next_mech`.
 */
export class ScramServerSession {
  private pending: Pending | null = null;

  constructor(private readonly options: ScramServerOptions) {}

  clientFirst(rfcStr: string): ScramStep {
    this.pending = null;
    const match = /^(n|y|p=tls-server-end-point),,n=([^,:=]+):([1-9][0-9]{0,9}),r=([^,]+)$/.exec(rfcStr);
    if (!match) return refuse('malformed');
    const flag = match[1]!;
    const username = match[2]!;
    const keyId = Number(match[3]);
    const nonceBytes = strictBase64(match[4]!);
    if (keyId > 2 ** 31 - 1 || nonceBytes === null || (nonceBytes.length !== 32 && nonceBytes.length !== 64)) {
      return refuse('malformed');
    }
    // The middleware refuses a binding client on a connection that is not TLS before PAM runs.
    if (flag.startsWith('p=') && this.options.channelBinding === null) return refuse('binding over non-TLS');
    const key = this.options.lookup(username, keyId);
    if (key.status !== 'active') return refuse(key.status === 'unknown' ? 'unknown key' : key.status);
    const nonce = Buffer.concat([nonceBytes, randomBytes(NONCE_BYTES)]).toString('base64');
    const { salt, iterations } = key.material;
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.pending = {
      username,
      keyId,
      gs2Header: `${flag},,`,
      clientFirstBare: rfcStr.slice(flag.length + 2),
      serverFirst,
      nonce,
      material: key.material,
    };
    return { kind: 'SERVER_FIRST_RESPONSE', rfcStr: serverFirst };
  }

  clientFinal(rfcStr: string): ScramStep {
    const pending = this.pending;
    if (pending === null) return { kind: 'NOT_IN_PROGRESS' };
    this.pending = null;
    const match = /^(c=([^,]+),r=([^,]+)),p=([^,]+)$/.exec(rfcStr);
    if (!match) return refuse('malformed');
    const withoutProof = match[1]!;
    const nonce = match[3]!;
    const cbindInput = strictBase64(match[2]!);
    const proof = strictBase64(match[4]!);
    if (cbindInput === null || proof === null || proof.length !== 64) return refuse('malformed');
    const binding = this.bindingRefusal(pending.gs2Header, cbindInput);
    if (binding !== null) return refuse(binding);
    if (nonce !== pending.nonce) return refuse('nonce mismatch');
    const authMessage = `${pending.clientFirstBare},${pending.serverFirst},${withoutProof}`;
    const signature = checkClientProof('sha512', pending.material, authMessage, proof);
    if (signature === null) return refuse('wrong proof');
    return { kind: 'SERVER_FINAL_RESPONSE', rfcStr: `v=${signature.toString('base64')}`, username: pending.username, keyId: pending.keyId };
  }

  /** RFC 5802 section 6 with pam_truenas's policy; c= must repeat the gs2 header exactly. */
  private bindingRefusal(gs2Header: string, cbindInput: Buffer): ScramRefusal | null {
    const header = Buffer.from(gs2Header, 'ascii');
    if (cbindInput.length < header.length || !cbindInput.subarray(0, header.length).equals(header)) return 'binding mismatch';
    const data = cbindInput.subarray(header.length);
    const ours = this.options.channelBinding;
    if (gs2Header !== GS2_BINDING) {
      if (data.length > 0) return 'binding mismatch';
      if (this.options.bindingPolicy === 'require') return 'binding required';
      if (ours === null) return null;
      // `y`: the client could bind but believes we cannot, which we can: a downgrade.
      return gs2Header === 'y,,' ? 'binding mismatch' : null;
    }
    if (ours === null || data.length !== ours.length || !timingSafeEqual(data, ours)) return 'binding mismatch';
    return null;
  }
}

function refuse(refusal: ScramRefusal): ScramStep {
  return { kind: 'AUTH_ERR', refusal };
}

/**
 * The `auth.login_ex` result for a step. `userInfo` is `auth.me` of the new session: the
 * server-final answer always carries it (there is no `login_options` for SCRAM), the
 * server-first answer carries null, a failure carries only its response_type.
 */
export function scramLoginReply(step: Exclude<ScramStep, { kind: 'NOT_IN_PROGRESS' }>, userInfo?: unknown): Record<string, unknown> {
  switch (step.kind) {
    case 'SERVER_FIRST_RESPONSE':
      return { response_type: 'SCRAM_RESPONSE', scram_type: step.kind, rfc_str: step.rfcStr, user_info: null };
    case 'SERVER_FINAL_RESPONSE':
      return { response_type: 'SCRAM_RESPONSE', scram_type: step.kind, rfc_str: step.rfcStr, user_info: userInfo ?? null };
    case 'AUTH_ERR':
      return { response_type: 'AUTH_ERR' };
  }
}
