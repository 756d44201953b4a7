import { X509Certificate, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ScramError,
  channelBindingData,
  scramClientFinal,
  scramClientFirst,
  scramMaterialFromApiKey,
  scramVerifyServerFinal,
  type ScramCredential,
} from '../../src/client/scram.js';
import { createCertificate } from '../../src/sim/certificate.js';
import {
  ScramServerSession,
  checkClientProof,
  scramLoginReply,
  scramMaterialFor,
  scramWireFields,
  tlsServerEndPoint,
  type IssuedScramMaterial,
  type ScramDigest,
  type ScramKeyLookup,
  type ScramServerOptions,
  type ScramStep,
} from '../../src/sim/scram-server.js';

// The smallest count TrueNAS's SCRAM library accepts keeps each derivation cheap.
const ITERATIONS = 50_000;
const SECRET = 'Q7dk2LmZp0aXw9RcVt4bN8sHy6eJf1uGo3iKq5rSnA2zB7xC0vD4yE9wF1gH6jK8';
const KEY_ID = 7;
const KEY = `${KEY_ID}-${SECRET}`;

let material: IssuedScramMaterial;
let certDer: Buffer;
let binding: Buffer;
let otherBinding: Buffer;

beforeAll(async () => {
  const [issued, cert, other] = await Promise.all([scramMaterialFor(SECRET, ITERATIONS), createCertificate('nas'), createCertificate('mitm')]);
  material = issued;
  certDer = new X509Certificate(cert.certPem).raw;
  binding = tlsServerEndPoint(certDer, 'sha256');
  otherBinding = tlsServerEndPoint(new X509Certificate(other.certPem).raw, 'sha256');
});

function keyStore(entries: Record<string, ScramKeyLookup>): ScramServerOptions['lookup'] {
  return (username, keyId) => entries[`${username}:${keyId}`] ?? { status: 'unknown' };
}

function session(options: Partial<ScramServerOptions> = {}): ScramServerSession {
  return new ScramServerSession({
    lookup: keyStore({ [`admin:${KEY_ID}`]: { status: 'active', material } }),
    channelBinding: binding,
    ...options,
  });
}

interface Exchange {
  first: ScramStep;
  final?: ScramStep;
  expectedServerSignature?: Buffer;
}

/** The real client against the simulated server, with the client's own choices. */
async function exchange(
  server: ScramServerSession,
  { credential = KEY as ScramCredential, clientBinding = binding as Buffer | null, keyId = KEY_ID, username = 'admin', edit = (m: string) => m } = {},
): Promise<Exchange> {
  const { message, state } = scramClientFirst({ username, keyId, channelBinding: clientBinding });
  const first = server.clientFirst(message);
  if (first.kind !== 'SERVER_FIRST_RESPONSE') return { first };
  const final = await scramClientFinal(state, first.rfcStr, credential);
  return { first, final: server.clientFinal(edit(final.message)), expectedServerSignature: final.expectedServerSignature };
}

function refusal(step: ScramStep | undefined): string | undefined {
  return step?.kind === 'AUTH_ERR' ? step.refusal : undefined;
}

describe('scramMaterialFor', () => {
  it('computes what api_key.create stores on TrueNAS 26, from the secret part of the key', async () => {
    const salted = pbkdf2Sync(SECRET, material.salt, ITERATIONS, 64, 'sha512');
    const clientKey = createHmac('sha512', salted).update('Client Key').digest();
    expect(material.clientKey.equals(clientKey)).toBe(true);
    expect(material.storedKey.equals(createHash('sha512').update(clientKey).digest())).toBe(true);
    expect(material.serverKey.equals(createHmac('sha512', salted).update('Server Key').digest())).toBe(true);
    expect(material.iterations).toBe(ITERATIONS);
  });

  it('makes a 16-character salt of [A-Za-z0-9./], used as its ASCII bytes, as the middleware does', async () => {
    const salts = await Promise.all([0, 1, 2].map(() => scramMaterialFor(SECRET, ITERATIONS).then((m) => m.salt)));
    for (const salt of salts) expect(salt.toString('latin1')).toMatch(/^[A-Za-z0-9./]{16}$/);
    expect(new Set(salts.map((s) => s.toString())).size).toBe(3);
  });

  it('defaults to the middleware’s 500,000 rounds and keeps a given salt', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const m = await scramMaterialFor('x', undefined, salt);
    expect(m.iterations).toBe(500_000);
    expect(m.salt).toBe(salt);
  });

  it('gives the api_key.create wire fields: base64 keys and salt, integer iterations', () => {
    const fields = scramWireFields(material);
    expect(fields).toEqual({
      iterations: ITERATIONS,
      salt: material.salt.toString('base64'),
      client_key: material.clientKey.toString('base64'),
      stored_key: material.storedKey.toString('base64'),
      server_key: material.serverKey.toString('base64'),
    });
    expect(Buffer.from(fields.client_key as string, 'base64')).toHaveLength(64);
  });
});

// The vectors' AuthMessage and proof, checked by the server's half of RFC 5802 section 3.
describe('checkClientProof with the RFC vectors', () => {
  const vectors: { name: string; digest: ScramDigest; bare: string; serverFirst: string; withoutProof: string; proof: string; signature: string }[] = [
    {
      name: 'RFC 5802 SCRAM-SHA-1',
      digest: 'sha1',
      bare: 'n=user,r=fyko+d2lbbFgONRv9qkxdawL',
      serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
      withoutProof: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j',
      proof: 'v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
      signature: 'rmF9pqV8S7suAoZWja4dJRkFsKQ=',
    },
    {
      name: 'RFC 7677 SCRAM-SHA-256',
      digest: 'sha256',
      bare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
      serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
      withoutProof: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
      proof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      signature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    },
    {
      name: 'draft-melnikov-scram-sha-512',
      digest: 'sha512',
      bare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
      serverFirst: 'r=rOprNGfwEbeRWgbNEkqO02431b08-2f89-4bad-a4e6-80c0564ec865,s=Yin2FuHTt/M0kJWb0t9OI32n2VmOGi3m+JfjOvuDF88=,i=4096',
      withoutProof: 'c=biws,r=rOprNGfwEbeRWgbNEkqO02431b08-2f89-4bad-a4e6-80c0564ec865',
      proof: 'Hc5yec3NmCD7t+kFRw4/3yD6/F3SQHc7AVYschRja+Bc3sbdjlA0eH1OjJc0DD4ghn1tnXN5/Wr6qm9xmaHt4A==',
      signature: 'BQuhnKHqYDwQWS5jAw4sZed+C9KFUALsbrq81bB0mh+bcUUbbMPNNmBIupnS2AmyyDnG5CTBQtkjJ9kyY4kzmw==',
    },
  ];

  for (const v of vectors) {
    it(`${v.name}: accepts the proof and signs as the vector does; refuses a proof one bit off`, async () => {
      const salt = Buffer.from(/,s=([^,]+),/.exec(v.serverFirst)![1]!, 'base64');
      const m = await scramMaterialFor('pencil', 4096, salt, v.digest);
      const authMessage = `${v.bare},${v.serverFirst},${v.withoutProof}`;
      const proof = Buffer.from(v.proof, 'base64');
      expect(checkClientProof(v.digest, m, authMessage, proof)?.toString('base64')).toBe(v.signature);
      proof[0]! ^= 1;
      expect(checkClientProof(v.digest, m, authMessage, proof)).toBeNull();
    });
  }
});

describe('tlsServerEndPoint', () => {
  it('agrees with the client’s channelBindingData for the simulator’s ECDSA-SHA256 certificates', () => {
    expect(binding.equals(channelBindingData(certDer))).toBe(true);
    expect(binding.equals(createHash('sha256').update(certDer).digest())).toBe(true);
  });
});

describe('a SCRAM login, client against the simulated TrueNAS 26', () => {
  it('succeeds with the raw key and channel binding, and the client verifies the server', async () => {
    const { first, final, expectedServerSignature } = await exchange(session());
    expect(first.kind).toBe('SERVER_FIRST_RESPONSE');
    expect(final).toMatchObject({ kind: 'SERVER_FINAL_RESPONSE', username: 'admin', keyId: KEY_ID });
    if (final?.kind !== 'SERVER_FINAL_RESPONSE') throw new Error('no server-final');
    expect(() => scramVerifyServerFinal(expectedServerSignature!, final.rfcStr)).not.toThrow();
  });

  it('answers the server-first with the client nonce’s bytes, 32 more, the stored salt and iterations', () => {
    const { message, state } = scramClientFirst({ username: 'admin', keyId: KEY_ID, channelBinding: binding });
    const first = session().clientFirst(message);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    const match = /^r=([^,]+),s=([^,]+),i=(\d+)$/.exec(first.rfcStr)!;
    const nonce = Buffer.from(match[1]!, 'base64');
    expect(nonce).toHaveLength(64);
    expect(nonce.subarray(0, 32).equals(Buffer.from(state.nonce, 'base64'))).toBe(true);
    expect(Buffer.from(match[2]!, 'base64').equals(material.salt)).toBe(true);
    expect(Number(match[3])).toBe(ITERATIONS);
  });

  it('succeeds with the material api_key.create returned instead of the key', async () => {
    const stored = scramMaterialFromApiKey({ id: KEY_ID, key: KEY, ...scramWireFields(material) })!;
    const { final, expectedServerSignature } = await exchange(session(), { credential: stored });
    if (final?.kind !== 'SERVER_FINAL_RESPONSE') throw new Error(String(final?.kind));
    expect(() => scramVerifyServerFinal(expectedServerSignature!, final.rfcStr)).not.toThrow();
  });

  it('lets an unbound client in under `negotiate`, as TrueNAS 26.0 does, and refuses it under `require`', async () => {
    expect((await exchange(session(), { clientBinding: null })).final?.kind).toBe('SERVER_FINAL_RESPONSE');
    const required = await exchange(session({ bindingPolicy: 'require' }), { clientBinding: null });
    expect(refusal(required.final)).toBe('binding required');
  });

  it('succeeds unbound over a connection that is not TLS', async () => {
    const { final } = await exchange(session({ channelBinding: null }), { clientBinding: null });
    expect(final?.kind).toBe('SERVER_FINAL_RESPONSE');
  });

  it('refuses a wrong key (wrong proof) at the final step', async () => {
    const { first, final } = await exchange(session(), { credential: `${KEY_ID}-${SECRET.replace(/.$/, 'x')}` });
    expect(first.kind).toBe('SERVER_FIRST_RESPONSE');
    expect(refusal(final)).toBe('wrong proof');
  });

  it('refuses a client bound to another certificate (a re-terminating proxy)', async () => {
    const { final } = await exchange(session(), { clientBinding: otherBinding });
    expect(refusal(final)).toBe('binding mismatch');
  });

  it('refuses a binding client on a connection that is not TLS, at the first step', async () => {
    const { first } = await exchange(session({ channelBinding: null }));
    expect(refusal(first)).toBe('binding over non-TLS');
  });

  it.each([
    ['an unknown key id', { status: 'unknown' }, 'unknown key'],
    ['a revoked key', { status: 'revoked' }, 'revoked'],
    ['an expired key', { status: 'expired' }, 'expired'],
  ] as const)('refuses %s at the first step', async (_what, lookup, why) => {
    const { first } = await exchange(session({ lookup: () => lookup }));
    expect(refusal(first)).toBe(why);
  });

  it('refuses the key id under another user’s name', async () => {
    const { first } = await exchange(session(), { username: 'bob' });
    expect(refusal(first)).toBe('unknown key');
  });

  it('refuses a client-final whose nonce was changed', async () => {
    const { final } = await exchange(session(), { edit: (m) => m.replace(/,r=(.)/, (_all, c: string) => `,r=${c === 'A' ? 'B' : 'A'}`) });
    expect(refusal(final)).toBe('nonce mismatch');
  });

  it('refuses a client-final whose c= does not repeat the client-first gs2 header', async () => {
    const { final } = await exchange(session(), { clientBinding: null, edit: (m) => m.replace('c=biws', `c=${Buffer.from('y,,').toString('base64')}`) });
    expect(refusal(final)).toBe('binding mismatch');
  });

  it('refuses `y,,` (client could bind, thinks we cannot) on a TLS connection', () => {
    const server = session();
    const nonce = randomBytes(32).toString('base64');
    const first = server.clientFirst(`y,,n=admin:${KEY_ID},r=${nonce}`);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    const r = /^r=([^,]+)/.exec(first.rfcStr)![1];
    const final = server.clientFinal(`c=${Buffer.from('y,,').toString('base64')},r=${r},p=${randomBytes(64).toString('base64')}`);
    expect(refusal(final)).toBe('binding mismatch');
  });

  it.each([
    ['garbage', 'hello'],
    ['an authorization identity', (n: string) => `n,a=root,n=admin:${KEY_ID},r=${n}`],
    ['no key id (a password login, not implemented on 26)', (n: string) => `n,,n=admin,r=${n}`],
    ['key id 0', (n: string) => `n,,n=admin:0,r=${n}`],
    ['a key id past INT32_MAX', (n: string) => `n,,n=admin:2147483648,r=${n}`],
    ['another binding type', (n: string) => `p=tls-unique,,n=admin:${KEY_ID},r=${n}`],
    ['a nonce that is not 32 or 64 bytes', () => `n,,n=admin:${KEY_ID},r=${randomBytes(16).toString('base64')}`],
    ['a nonce that is not base64', () => `n,,n=admin:${KEY_ID},r=fyko+d2lbbFgONRv9qkxdawL%`],
    ['an extension', (n: string) => `n,,n=admin:${KEY_ID},r=${n},x=1`],
  ])('refuses a client-first with %s as malformed', (_what, message) => {
    const nonce = randomBytes(32).toString('base64');
    const step = session().clientFirst(typeof message === 'string' ? message : message(nonce));
    expect(refusal(step)).toBe('malformed');
  });

  it.each([
    ['garbage', () => 'hello'],
    ['no proof', (m: string) => m.replace(/,p=.*$/, '')],
    ['a proof of 32 bytes', (m: string) => m.replace(/,p=.*$/, `,p=${randomBytes(32).toString('base64')}`)],
    ['attributes out of order', (m: string) => m.replace(/^(c=[^,]+),(r=[^,]+)/, '$2,$1')],
  ])('refuses a client-final with %s as malformed', async (_what, edit) => {
    const { final } = await exchange(session(), { edit });
    expect(refusal(final)).toBe('malformed');
  });

  it('refuses a client-final with no exchange in progress, and a second one after a login', async () => {
    const server = session();
    expect(server.clientFinal('c=biws,r=x,p=y').kind).toBe('NOT_IN_PROGRESS');
    const { message, state } = scramClientFirst({ username: 'admin', keyId: KEY_ID, channelBinding: binding });
    const first = server.clientFirst(message);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    const final = await scramClientFinal(state, first.rfcStr, KEY);
    expect(server.clientFinal(final.message).kind).toBe('SERVER_FINAL_RESPONSE');
    expect(server.clientFinal(final.message).kind).toBe('NOT_IN_PROGRESS');
  });

  it('refuses a replayed client-final in a new exchange', async () => {
    const server = session();
    const { message, state } = scramClientFirst({ username: 'admin', keyId: KEY_ID, channelBinding: binding });
    const first = server.clientFirst(message);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    const final = await scramClientFinal(state, first.rfcStr, KEY);
    expect(server.clientFinal(final.message).kind).toBe('SERVER_FINAL_RESPONSE');
    // Same client-first again: the server's fresh nonce makes the old answer worthless.
    expect(server.clientFirst(message).kind).toBe('SERVER_FIRST_RESPONSE');
    expect(refusal(server.clientFinal(final.message))).toBe('nonce mismatch');
  });

  it('puts neither the key nor its ClientKey on the wire', async () => {
    const { message, state } = scramClientFirst({ username: 'admin', keyId: KEY_ID, channelBinding: binding });
    const first = session().clientFirst(message);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    const final = await scramClientFinal(state, first.rfcStr, KEY);
    for (const text of [message, first.rfcStr, final.message]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(material.clientKey.toString('base64'));
    }
  });
});

describe('the client against a server that is not what it claims', () => {
  async function clientError(work: Promise<unknown> | (() => unknown)): Promise<ScramError> {
    try {
      await (typeof work === 'function' ? work() : work);
    } catch (err) {
      expect(err).toBeInstanceOf(ScramError);
      return err as ScramError;
    }
    throw new Error('expected a ScramError');
  }

  it('refuses a server that accepts the proof but cannot sign (it has StoredKey, not ServerKey)', async () => {
    const impostor = session({ lookup: () => ({ status: 'active', material: { ...material, serverKey: randomBytes(64) } }) });
    const { final, expectedServerSignature } = await exchange(impostor);
    if (final?.kind !== 'SERVER_FINAL_RESPONSE') throw new Error(String(final?.kind));
    const err = await clientError(() => scramVerifyServerFinal(expectedServerSignature!, final.rfcStr));
    expect(err.kind).toBe('server not verified');
  });

  it('refuses a server-first with a huge iteration count, and one whose nonce is not ours', async () => {
    const { message, state } = scramClientFirst({ username: 'admin', keyId: KEY_ID, channelBinding: binding });
    const first = session().clientFirst(message);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    const huge = first.rfcStr.replace(/i=\d+$/, 'i=2000000000');
    expect((await clientError(scramClientFinal(state, huge, KEY))).kind).toBe('unsafe parameters');
    const foreign = first.rfcStr.replace(/^r=[^,]+/, `r=${randomBytes(64).toString('base64')}`);
    expect((await clientError(scramClientFinal(state, foreign, KEY))).kind).toBe('unsafe parameters');
  });

  it('refuses stored material when the server answers with another salt (the key was reset)', async () => {
    const stored = scramMaterialFromApiKey(scramWireFields(material))!;
    const reset = await scramMaterialFor(SECRET, ITERATIONS);
    const { message, state } = scramClientFirst({ username: 'admin', keyId: KEY_ID, channelBinding: binding });
    const first = session({ lookup: () => ({ status: 'active', material: reset }) }).clientFirst(message);
    if (first.kind !== 'SERVER_FIRST_RESPONSE') throw new Error(first.kind);
    expect((await clientError(scramClientFinal(state, first.rfcStr, stored))).kind).toBe('material mismatch');
  });
});

describe('scramLoginReply', () => {
  it('renders each step as auth.login_ex answers it on TrueNAS 26', () => {
    expect(scramLoginReply({ kind: 'SERVER_FIRST_RESPONSE', rfcStr: 'r=a,s=b,i=1' })).toEqual({
      response_type: 'SCRAM_RESPONSE',
      scram_type: 'SERVER_FIRST_RESPONSE',
      rfc_str: 'r=a,s=b,i=1',
      user_info: null,
    });
    expect(scramLoginReply({ kind: 'SERVER_FINAL_RESPONSE', rfcStr: 'v=x', username: 'admin', keyId: 7 }, { username: 'admin' })).toEqual({
      response_type: 'SCRAM_RESPONSE',
      scram_type: 'SERVER_FINAL_RESPONSE',
      rfc_str: 'v=x',
      user_info: { username: 'admin' },
    });
    expect(scramLoginReply({ kind: 'AUTH_ERR', refusal: 'wrong proof' })).toEqual({ response_type: 'AUTH_ERR' });
  });
});
