// SCRAM-SHA-512 API-key login with tls-server-end-point channel binding, client side, as
// TrueNAS 26 speaks it (RFC 5802, RFC 5929). Pure: it makes and checks the `rfc_str` texts of
// `auth.login_ex {mechanism: "SCRAM"}`; sending them is the JSON-RPC layer's job.
//
// Checked against:
// - truenas/middleware TS-26.0.0-BETA.3: src/middlewared/middlewared/plugins/auth.py (927-959),
//   plugins/auth_/login_ex_impl.py (426-510), utils/account/authenticator.py (421-550),
//   utils/crypto.py (90-143), api/v26_0_0/auth.py (136-253), api/v26_0_0/api_key.py (24-118).
// - truenas/api_client HEAD (a0c890a): truenas_api_client/scram_impl.py, auth_api_key.py,
//   py_scram/{client_first,server_first,client_final,server_final,verify,scram_crypto,
//   channel_binding}.py; tests/scram/_cb_test_vectors.py.
// - truenas/truenas_scram: src/scram/scram_attr_parse.c, scram_server_first.c (the server's
//   nonce is our nonce's bytes followed by 32 random bytes, base64-encoded as a whole).
//
// TrueNAS departs from RFC 5802 in three ways this module follows: the name is
// `<username>:<key id>`; nonces are base64 of random bytes (32 ours, 64 combined), so the
// server's nonce extends ours as bytes, not as text; SaltedPassword is PBKDF2-HMAC-SHA512 of
// the key's secret part (after `<id>-`) with no SASLprep.
import { X509Certificate, createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha1' | 'sha256' | 'sha512';

/**
 * Everything that differs between TrueNAS's SCRAM and the RFC test vectors. Production uses
 * `TRUENAS_SCRAM` only; the others exist so the RFC 5802/7677 vectors can run through this code.
 */
export interface ScramProfile {
  readonly hash: ScramHash;
  /** `bytes`: nonces are base64 and the server appends bytes (TrueNAS); `text`: it appends characters (RFC 5802). */
  readonly nonce: 'bytes' | 'text';
  readonly minIterations: number;
  readonly maxIterations: number;
  makeNonce(): string;
}

/** The truenas_scram C library's limits, which both the real client and pam_truenas enforce. */
export const TRUENAS_SCRAM: ScramProfile = Object.freeze({
  hash: 'sha512',
  nonce: 'bytes',
  minIterations: 50_000,
  maxIterations: 5_000_000,
  makeNonce: () => randomBytes(32).toString('base64'),
});

const CHANNEL_BINDING_TYPE = 'tls-server-end-point';

export type ScramErrorKind =
  /** Our own arguments: username, key id, key string, binding data (a caller bug or a damaged entry). */
  | 'invalid input'
  /** A server message that is not SCRAM as TrueNAS speaks it. */
  | 'malformed message'
  /** Well formed but refused: an iteration count out of bounds, a nonce that does not extend ours. */
  | 'unsafe parameters'
  /** Precomputed material was made for another salt or iteration count (the key was reset?). */
  | 'material mismatch'
  /** The server-final message carries `e=`. */
  | 'server refused'
  /** The server signature is wrong: the server does not know the key. */
  | 'server not verified'
  /** No tls-server-end-point for this certificate (EdDSA, unknown algorithm) or not a DER certificate. */
  | 'unsupported certificate';

/** Every failure of this module. Messages never hold the key, a proof or a signature. */
export class ScramError extends Error {
  override readonly name = 'ScramError';

  constructor(
    readonly kind: ScramErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** SCRAM material as `api_key.create` returns it on TrueNAS 26 (see `scramMaterialFromApiKey`). */
export interface ScramMaterial {
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  salt: Uint8Array;
  iterations: number;
}

/** The raw key string `<id>-<secret>`, or material that answers only its own salt and iterations. */
export type ScramCredential = string | ScramMaterial;

export interface ScramClientFirstInput {
  username: string;
  /** The API key's id; null only for a password-style exchange (the RFC vectors). */
  keyId: number | null;
  /** `channelBindingData` of the server's certificate; null sends `n,,` (no binding). */
  channelBinding: Uint8Array | null;
}

/** What the final step needs from the first; pass it back unchanged. */
export interface ScramClientState {
  readonly profile: ScramProfile;
  readonly keyId: number | null;
  readonly nonce: string;
  readonly gs2Header: string;
  readonly clientFirstBare: string;
  readonly channelBinding: Buffer | null;
}

export interface ScramClientFinal {
  message: string;
  /** Compare the server-final against this with `scramVerifyServerFinal` before trusting the session. */
  expectedServerSignature: Buffer;
}

const MAX_KEY_ID = 2 ** 31 - 1;
const MAX_SALT_BYTES = 1024;
const DIGEST_BYTES: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 };
// RFC 5802 printable: %x21-7E except ','.
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function fail(kind: ScramErrorKind, message: string): never {
  throw new ScramError(kind, message);
}

/** Strict base64: only the canonical encoding of its bytes (what Python's b64encode writes). */
function canonicalBase64(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.toString('base64') !== text) fail('malformed message', `${what} is not base64`);
  return bytes;
}

function hmac(hash: ScramHash, key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac(hash, key).update(data).digest();
}

function checkUsername(username: string): void {
  // TrueNAS's parser rejects what SASLprep would change and has no `=2C`/`=3D` escapes.
  if (
    username.length === 0 ||
    username.length > 255 ||
    username.includes(',') ||
    username.includes('=') ||
    CONTROL.test(username) ||
    username.normalize('NFKC') !== username
  ) {
    fail('invalid input', 'username cannot be sent in a SCRAM message');
  }
}

export function scramClientFirst(
  { username, keyId, channelBinding }: ScramClientFirstInput,
  profile: ScramProfile = TRUENAS_SCRAM,
): { message: string; state: ScramClientState } {
  checkUsername(username);
  if (keyId !== null && (!Number.isInteger(keyId) || keyId < 1 || keyId > MAX_KEY_ID)) fail('invalid input', 'invalid API key id');
  if (channelBinding !== null && channelBinding.length === 0) fail('invalid input', 'empty channel binding data');
  const nonce = profile.makeNonce();
  const gs2Header = channelBinding === null ? 'n,,' : `p=${CHANNEL_BINDING_TYPE},,`;
  const clientFirstBare = `n=${keyId === null ? username : `${username}:${keyId}`},r=${nonce}`;
  return {
    message: gs2Header + clientFirstBare,
    state: Object.freeze({
      profile,
      keyId,
      nonce,
      gs2Header,
      clientFirstBare,
      channelBinding: channelBinding === null ? null : Buffer.from(channelBinding),
    }),
  };
}

interface ServerFirst {
  nonce: string;
  salt: Buffer;
  iterations: number;
}

function parseServerFirst(state: ScramClientState, message: string): ServerFirst {
  // Exactly r, s, i in this order; `m=` (mandatory extension) and extensions are refused.
  const match = /^r=([^,]+),s=([^,]+),i=([^,]+)$/.exec(message);
  if (!match) fail('malformed message', 'server-first message is not r=…,s=…,i=…');
  const nonce = match[1]!;
  const saltText = match[2]!;
  const iterText = match[3]!;
  if (!PRINTABLE.test(nonce)) fail('malformed message', 'server nonce has characters SCRAM does not allow');
  if (!extendsOurNonce(state, nonce)) fail('unsafe parameters', 'server nonce does not extend the client nonce');
  const salt = canonicalBase64(saltText, 'salt');
  if (salt.length > MAX_SALT_BYTES) fail('unsafe parameters', 'salt is too long');
  if (!/^[1-9][0-9]{0,9}$/.test(iterText)) fail('malformed message', 'iteration count is not a positive integer');
  const iterations = Number(iterText);
  const { minIterations, maxIterations } = state.profile;
  if (iterations < minIterations || iterations > maxIterations) {
    fail('unsafe parameters', `iteration count ${iterations} outside ${minIterations}–${maxIterations}`);
  }
  return { nonce, salt, iterations };
}

function extendsOurNonce(state: ScramClientState, nonce: string): boolean {
  if (state.profile.nonce === 'text') return nonce.length > state.nonce.length && nonce.startsWith(state.nonce);
  const ours = Buffer.from(state.nonce, 'base64');
  const theirs = canonicalBase64(nonce, 'server nonce');
  return theirs.length > ours.length && theirs.subarray(0, ours.length).equals(ours);
}

interface Keys {
  clientKey: Buffer;
  serverKey: Buffer;
}

function deriveSaltedPassword(hash: ScramHash, secret: Buffer, salt: Buffer, iterations: number): Promise<Buffer> {
  // Async so a 500,000-round derivation runs on libuv's pool, not the event loop.
  return new Promise((resolve, reject) => {
    pbkdf2(secret, salt, iterations, DIGEST_BYTES[hash], hash, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function keySecret(keyId: number | null, key: string): Buffer {
  if (keyId === null) {
    if (key.length === 0) fail('invalid input', 'empty password');
    return Buffer.from(key, 'utf8');
  }
  // `<id>-<secret>`: the id must be the one named in the client-first message.
  const match = /^([0-9]+)-([A-Za-z0-9]+)$/.exec(key);
  if (!match || Number(match[1]) !== keyId) fail('invalid input', 'the API key is not a key string for this key id');
  return Buffer.from(match[2]!, 'ascii');
}

async function keysFor(state: ScramClientState, credential: ScramCredential, server: ServerFirst): Promise<Keys> {
  const { hash } = state.profile;
  if (typeof credential !== 'string') {
    if (credential.iterations !== server.iterations || !server.salt.equals(credential.salt)) {
      fail('material mismatch', 'the server asks for another salt or iteration count than the stored SCRAM material answers');
    }
    if (credential.clientKey.length !== DIGEST_BYTES[hash] || credential.serverKey.length !== DIGEST_BYTES[hash]) {
      fail('invalid input', 'SCRAM material has keys of the wrong length');
    }
    return { clientKey: Buffer.from(credential.clientKey), serverKey: Buffer.from(credential.serverKey) };
  }
  const secret = keySecret(state.keyId, credential);
  try {
    const salted = await deriveSaltedPassword(hash, secret, server.salt, server.iterations);
    try {
      return { clientKey: hmac(hash, salted, 'Client Key'), serverKey: hmac(hash, salted, 'Server Key') };
    } finally {
      salted.fill(0);
    }
  } finally {
    secret.fill(0);
  }
}

/**
 * Answers the server-first message. Refuses before any PBKDF2 when the server's parameters are
 * unsafe, so a hostile server cannot make us burn CPU or replay an old nonce.
 */
export async function scramClientFinal(
  state: ScramClientState,
  serverFirst: string,
  credential: ScramCredential,
): Promise<ScramClientFinal> {
  const { hash } = state.profile;
  const server = parseServerFirst(state, serverFirst);
  const { clientKey, serverKey } = await keysFor(state, credential, server);
  const cbindInput = state.channelBinding === null
    ? Buffer.from(state.gs2Header, 'ascii')
    : Buffer.concat([Buffer.from(state.gs2Header, 'ascii'), state.channelBinding]);
  const withoutProof = `c=${cbindInput.toString('base64')},r=${server.nonce}`;
  const authMessage = `${state.clientFirstBare},${serverFirst},${withoutProof}`;
  const storedKey = createHash(hash).update(clientKey).digest();
  const proof = hmac(hash, storedKey, authMessage);
  for (let i = 0; i < proof.length; i++) proof[i] ^= clientKey[i]!;
  const message = `${withoutProof},p=${proof.toString('base64')}`;
  const expectedServerSignature = hmac(hash, serverKey, authMessage);
  for (const secret of [clientKey, serverKey, storedKey, proof]) secret.fill(0);
  return { message, expectedServerSignature };
}

/**
 * Mutual authentication: throws unless the server-final message proves the server knows the
 * key. TrueNAS signs the session in before it answers, so on a throw drop the connection.
 */
export function scramVerifyServerFinal(expected: Uint8Array, serverFinal: string): void {
  const refused = /^e=([^,]*)$/.exec(serverFinal);
  if (refused) {
    const value = refused[1]!.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64);
    fail('server refused', `server refused the SCRAM proof (${value || 'no reason'})`);
  }
  const match = /^v=([^,]+)$/.exec(serverFinal);
  if (!match) fail('malformed message', 'server-final message is not v=…');
  const signature = canonicalBase64(match[1]!, 'server signature');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    fail('server not verified', 'the server signature is wrong: the server does not know this API key');
  }
}

// ---- tls-server-end-point (RFC 5929 4.1) ----

// The signature's hash before RFC 5929's MD5/SHA-1 -> SHA-256 promotion, as truenas_scram
// takes it from OpenSSL's X509_get_signature_info (py_scram/channel_binding.py mirrors it).
// EdDSA has no single hash and is refused, as there.
const SIGNATURE_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1', // id-dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224',
  '2.16.840.1.101.3.4.3.2': 'sha256',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const DIGEST_OID: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function notCertificate(): never {
  fail('unsupported certificate', 'not a DER X.509 certificate');
}

/** One DER element inside `[at, limit)`: definite lengths and low tag numbers only. */
function readTlv(der: Uint8Array, at: number, limit: number, tag: number): Tlv {
  if (at + 2 > limit || der[at] !== tag) notCertificate();
  let length = der[at + 1]!;
  let start = at + 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) notCertificate();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!;
    start += count;
  }
  if (start + length > limit) notCertificate();
  return { tag, start, end: start + length };
}

function oidText(der: Uint8Array, { start, end }: Tlv): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = start; i < end; i++) {
    value = value * 128 + (der[i]! & 0x7f);
    if ((der[i]! & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if (arcs.length === 0) notCertificate();
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
function pssHash(der: Uint8Array, at: number, limit: number): string {
  if (at === limit) return 'sha1';
  const params = readTlv(der, at, limit, 0x30);
  if (params.start === params.end || der[params.start] !== 0xa0) return 'sha1';
  const explicit = readTlv(der, params.start, params.end, 0xa0);
  const algorithm = readTlv(der, explicit.start, explicit.end, 0x30);
  const oid = oidText(der, readTlv(der, algorithm.start, algorithm.end, 0x06));
  return DIGEST_OID[oid] ?? fail('unsupported certificate', `tls-server-end-point: unsupported RSASSA-PSS hash ${oid}`);
}

function signatureHash(der: Uint8Array): string {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
  const cert = readTlv(der, 0, der.length, 0x30);
  if (cert.end !== der.length) notCertificate();
  const tbs = readTlv(der, cert.start, cert.end, 0x30);
  const algorithm = readTlv(der, tbs.end, cert.end, 0x30);
  const oidTlv = readTlv(der, algorithm.start, algorithm.end, 0x06);
  const oid = oidText(der, oidTlv);
  if (oid === RSASSA_PSS) return pssHash(der, oidTlv.end, algorithm.end);
  return SIGNATURE_HASH[oid] ?? fail('unsupported certificate', `tls-server-end-point is undefined for signature algorithm ${oid}`);
}

/** The RFC 5929 tls-server-end-point binding of the server's certificate (what `p=` binds to). */
export function channelBindingData(certificate: X509Certificate | Uint8Array): Buffer {
  const der = certificate instanceof X509Certificate ? certificate.raw : certificate;
  const hash = signatureHash(der);
  return createHash(hash === 'md5' || hash === 'sha1' ? 'sha256' : hash).update(der).digest();
}

// ---- api_key.create on TrueNAS 26 ----

/**
 * The SCRAM fields of an `api_key.create` (or `api_key.convert_raw_key`) result: `client_key`,
 * `server_key`, `salt` as base64 strings and `iterations` as an integer. Null when they are
 * missing or redacted (`"********"`, as the middleware shows Secret fields to a caller that is
 * neither FULL_ADMIN nor API_KEY_WRITE): then keep the raw key instead.
 */
export function scramMaterialFromApiKey(entry: Record<string, unknown>): ScramMaterial | null {
  const { client_key: clientKey, server_key: serverKey, salt, iterations } = entry;
  const decode = (value: unknown, bytes?: number): Buffer | null => {
    if (typeof value !== 'string') return null;
    const out = Buffer.from(value, 'base64');
    if (out.length === 0 || out.toString('base64') !== value || (bytes !== undefined && out.length !== bytes)) return null;
    return out;
  };
  const material = {
    clientKey: decode(clientKey, DIGEST_BYTES.sha512),
    serverKey: decode(serverKey, DIGEST_BYTES.sha512),
    salt: decode(salt),
  };
  if (material.clientKey === null || material.serverKey === null || material.salt === null) return null;
  if (!Number.isInteger(iterations)) return null;
  const count = iterations as number;
  if (count < TRUENAS_SCRAM.minIterations || count > TRUENAS_SCRAM.maxIterations) return null;
  return { clientKey: material.clientKey, serverKey: material.serverKey, salt: material.salt, iterations: count };
}
