import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ScramError,
  TRUENAS_SCRAM,
  channelBindingData,
  scramClientFinal,
  scramClientFirst,
  scramMaterialFromApiKey,
  scramVerifyServerFinal,
  type ScramClientState,
  type ScramErrorKind,
  type ScramHash,
  type ScramMaterial,
  type ScramProfile,
} from '../../src/client/scram.js';
import { BINDING_VECTORS } from './helpers/binding-vectors.js';

const SECRET = 'uz8DhKHFhRIUQIvjzabPYtpy5wf1DJ3ZBLlDgNVhRAFT7Y6pJGUlm0n3apwxWEU4';
const KEY = `12-${SECRET}`;
const ITERATIONS = TRUENAS_SCRAM.minIterations;

async function scramFailure(work: () => unknown): Promise<ScramError> {
  try {
    await work();
  } catch (err) {
    expect(err).toBeInstanceOf(ScramError);
    return err as ScramError;
  }
  throw new Error('expected a ScramError');
}

async function expectKind(kind: ScramErrorKind, work: () => unknown): Promise<ScramError> {
  const err = await scramFailure(work);
  expect(err.kind).toBe(kind);
  expect(err.message).not.toContain(SECRET);
  return err;
}

// RFC 5802 section 5, RFC 7677 section 3, and the SCRAM-SHA-512 example of
// draft-melnikov-scram-sha-512 (the one Kafka and Qpid test against).
const RFC_VECTORS: { name: string; hash: ScramHash; clientNonce: string; serverFirst: string; clientFinal: string; serverFinal: string }[] = [
  {
    name: 'RFC 5802 SCRAM-SHA-1',
    hash: 'sha1',
    clientNonce: 'fyko+d2lbbFgONRv9qkxdawL',
    serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
  },
  {
    name: 'RFC 7677 SCRAM-SHA-256',
    hash: 'sha256',
    clientNonce: 'rOprNGfwEbeRWgbNEkqO',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  },
  {
    name: 'draft-melnikov-scram-sha-512',
    hash: 'sha512',
    clientNonce: 'rOprNGfwEbeRWgbNEkqO',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO02431b08-2f89-4bad-a4e6-80c0564ec865,s=Yin2FuHTt/M0kJWb0t9OI32n2VmOGi3m+JfjOvuDF88=,i=4096',
    clientFinal:
      'c=biws,r=rOprNGfwEbeRWgbNEkqO02431b08-2f89-4bad-a4e6-80c0564ec865,' +
      'p=Hc5yec3NmCD7t+kFRw4/3yD6/F3SQHc7AVYschRja+Bc3sbdjlA0eH1OjJc0DD4ghn1tnXN5/Wr6qm9xmaHt4A==',
    serverFinal: 'v=BQuhnKHqYDwQWS5jAw4sZed+C9KFUALsbrq81bB0mh+bcUUbbMPNNmBIupnS2AmyyDnG5CTBQtkjJ9kyY4kzmw==',
  },
];

function rfcProfile(hash: ScramHash, nonce: string): ScramProfile {
  return { hash, nonce: 'text', minIterations: 4096, maxIterations: 4096, makeNonce: () => nonce };
}

/** SCRAM material computed here from RFC 5802's formulas, not by the module. */
function independentMaterial(hash: ScramHash, password: string, salt: Buffer, iterations: number): ScramMaterial {
  const length = createHash(hash).digest().length;
  const salted = pbkdf2Sync(password, salt, iterations, length, hash);
  return {
    clientKey: createHmac(hash, salted).update('Client Key').digest(),
    serverKey: createHmac(hash, salted).update('Server Key').digest(),
    salt,
    iterations,
  };
}

describe('SCRAM test vectors through the client', () => {
  for (const v of RFC_VECTORS) {
    it(`${v.name}: same messages from the password and from precomputed material`, async () => {
      const first = scramClientFirst({ username: 'user', keyId: null, channelBinding: null }, rfcProfile(v.hash, v.clientNonce));
      expect(first.message).toBe(`n,,n=user,r=${v.clientNonce}`);

      const final = await scramClientFinal(first.state, v.serverFirst, 'pencil');
      expect(final.message).toBe(v.clientFinal);
      expect(() => scramVerifyServerFinal(final.expectedServerSignature, v.serverFinal)).not.toThrow();

      const salt = Buffer.from(/,s=([^,]+),/.exec(v.serverFirst)![1]!, 'base64');
      const fromMaterial = await scramClientFinal(first.state, v.serverFirst, independentMaterial(v.hash, 'pencil', salt, 4096));
      expect(fromMaterial.message).toBe(v.clientFinal);
      expect(fromMaterial.expectedServerSignature.equals(final.expectedServerSignature)).toBe(true);
    });

    it(`${v.name}: a server signature one bit off is refused`, async () => {
      const first = scramClientFirst({ username: 'user', keyId: null, channelBinding: null }, rfcProfile(v.hash, v.clientNonce));
      const { expectedServerSignature } = await scramClientFinal(first.state, v.serverFirst, 'pencil');
      const forged = Buffer.from(v.serverFinal.slice(2), 'base64');
      forged[forged.length - 1]! ^= 1;
      await expectKind('server not verified', () => scramVerifyServerFinal(expectedServerSignature, `v=${forged.toString('base64')}`));
    });
  }
});

/** A server-first message as TrueNAS builds it: our nonce's bytes, 32 more, base64 as a whole. */
function serverFirstFor(state: ScramClientState, { salt = Buffer.from('AbCdEfGh01234567'), iterations = ITERATIONS } = {}): string {
  const nonce = Buffer.concat([Buffer.from(state.nonce, 'base64'), randomBytes(32)]).toString('base64');
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

function firstState(channelBinding: Uint8Array | null = null): ScramClientState {
  return scramClientFirst({ username: 'admin', keyId: 12, channelBinding }).state;
}

describe('scramClientFirst', () => {
  it('sends `n,,n=<user>:<key id>,r=<base64 of 32 random bytes>` without a binding', () => {
    const { message, state } = scramClientFirst({ username: 'admin', keyId: 12, channelBinding: null });
    const match = /^n,,n=admin:12,r=([A-Za-z0-9+/]{43}=)$/.exec(message);
    expect(match).not.toBeNull();
    expect(Buffer.from(match![1]!, 'base64')).toHaveLength(32);
    expect(state.clientFirstBare).toBe(message.slice(3));
  });

  it('asks for tls-server-end-point binding with the `p=` flag when given binding data', () => {
    const { message } = scramClientFirst({ username: 'admin', keyId: 3, channelBinding: randomBytes(48) });
    expect(message).toMatch(/^p=tls-server-end-point,,n=admin:3,r=[A-Za-z0-9+/]{43}=$/);
  });

  it('never repeats a nonce', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => firstState().nonce));
    expect(nonces.size).toBe(50);
  });

  it.each([
    ['an empty username', { username: '' }],
    ['a comma in the username', { username: 'a,b' }],
    ['an equals sign in the username', { username: 'a=b' }],
    ['a control character in the username', { username: 'adm\u001bin' }],
    ['a username SASLprep would change', { username: 'ａdmin' }],
    ['key id 0', { keyId: 0 }],
    ['a negative key id', { keyId: -4 }],
    ['a fractional key id', { keyId: 1.5 }],
    ['a key id past INT32_MAX', { keyId: 2 ** 31 }],
    ['empty binding data', { channelBinding: new Uint8Array(0) }],
  ])('refuses %s', async (_what, change) => {
    await expectKind('invalid input', () => scramClientFirst({ username: 'admin', keyId: 12, channelBinding: null, ...change }));
  });
});

describe('scramClientFinal against a hostile or broken server-first message', () => {
  it('answers a well-formed TrueNAS server-first message with c=, the full nonce and a 64-byte proof', async () => {
    const binding = randomBytes(32);
    const state = firstState(binding);
    const serverFirst = serverFirstFor(state);
    const { message, expectedServerSignature } = await scramClientFinal(state, serverFirst, KEY);
    const match = /^c=([^,]+),r=([^,]+),p=([^,]+)$/.exec(message)!;
    expect(Buffer.from(match[1]!, 'base64').equals(Buffer.concat([Buffer.from('p=tls-server-end-point,,'), binding]))).toBe(true);
    expect(match[2]).toBe(/^r=([^,]+)/.exec(serverFirst)![1]);
    expect(Buffer.from(match[3]!, 'base64')).toHaveLength(64);
    expect(expectedServerSignature).toHaveLength(64);
    expect(message).not.toContain(SECRET);
  });

  it('sends c=biws without binding', async () => {
    const state = firstState();
    const { message } = await scramClientFinal(state, serverFirstFor(state), KEY);
    expect(message.startsWith('c=biws,')).toBe(true);
  });

  it.each([
    ['more than 5,000,000 iterations', 5_000_001],
    ['an absurd iteration count', 4_000_000_000],
    ['fewer than 50,000 iterations', 49_999],
  ])('refuses %s before deriving anything', async (_what, iterations) => {
    const state = firstState();
    // A key string that does not fit would fail as `invalid input` if the key were looked at first.
    await expectKind('unsafe parameters', () => scramClientFinal(state, serverFirstFor(state, { iterations }), '99-wrong'));
  });

  it('refuses a nonce that does not extend ours', async () => {
    const state = firstState();
    const other = `r=${randomBytes(64).toString('base64')},s=QUJDREVGR0hJSktMTU5PUA==,i=${ITERATIONS}`;
    await expectKind('unsafe parameters', () => scramClientFinal(state, other, KEY));
  });

  it('refuses a nonce that is only ours', async () => {
    const state = firstState();
    await expectKind('unsafe parameters', () => scramClientFinal(state, `r=${state.nonce},s=QUJDREVGR0hJSktMTU5PUA==,i=${ITERATIONS}`, KEY));
  });

  it('refuses an RFC-style text extension of the nonce (TrueNAS extends the bytes)', async () => {
    const state = firstState();
    await expectKind('malformed message', () => scramClientFinal(state, `r=${state.nonce}abcd,s=QUJDREVGR0hJSktMTU5PUA==,i=${ITERATIONS}`, KEY));
  });

  it('refuses a salt longer than 1024 bytes', async () => {
    const state = firstState();
    await expectKind('unsafe parameters', () => scramClientFinal(state, serverFirstFor(state, { salt: randomBytes(1025) }), KEY));
  });

  it.each([
    ['an empty message', () => ''],
    ['no salt', (s: string) => s.replace(/,s=[^,]+/, '')],
    ['attributes out of order', (s: string) => s.replace(/^(r=[^,]+),(s=[^,]+)/, '$2,$1')],
    ['a mandatory extension', (s: string) => `m=ext,${s}`],
    ['an extension after i=', (s: string) => `${s},x=1`],
    ['a salt that is not base64', (s: string) => s.replace(/s=[^,]+/, 's=not*base64')],
    ['a salt without its padding', (s: string) => s.replace(/s=([^,=]+)=+/, 's=$1')],
    ['an iteration count with a sign', (s: string) => s.replace(/i=\d+/, 'i=+50000')],
    ['an iteration count with a leading zero', (s: string) => s.replace(/i=\d+/, 'i=050000')],
    ['an iteration count in exponent form', (s: string) => s.replace(/i=\d+/, 'i=5e5')],
    ['a nonce with a space', (s: string) => s.replace(/^r=/, 'r= ')],
  ])('refuses %s', async (_what, edit) => {
    const state = firstState();
    await expectKind('malformed message', () => scramClientFinal(state, edit(serverFirstFor(state)), KEY));
  });

  it('refuses a key string of another key id, and one that is not a key string', async () => {
    const state = firstState();
    await expectKind('invalid input', () => scramClientFinal(state, serverFirstFor(state), `13-${SECRET}`));
    await expectKind('invalid input', () => scramClientFinal(state, serverFirstFor(state), SECRET));
    await expectKind('invalid input', () => scramClientFinal(state, serverFirstFor(state), `12-${SECRET}!`));
  });

  it('derives from the secret part only, as the server does', async () => {
    const state = firstState();
    const salt = Buffer.from('AbCdEfGh01234567');
    const serverFirst = serverFirstFor(state, { salt });
    const fromKey = await scramClientFinal(state, serverFirst, KEY);
    const fromMaterial = await scramClientFinal(state, serverFirst, independentMaterial('sha512', SECRET, salt, ITERATIONS));
    expect(fromMaterial.message).toBe(fromKey.message);
  });
});

describe('precomputed SCRAM material', () => {
  const salt = Buffer.from('AbCdEfGh01234567');
  const material = independentMaterial('sha512', SECRET, salt, ITERATIONS);

  it('refuses a server that asks for another salt', async () => {
    const state = firstState();
    const err = await expectKind('material mismatch', () => scramClientFinal(state, serverFirstFor(state, { salt: Buffer.from('another-salt-16b') }), material));
    expect(err.message).not.toContain(Buffer.from(material.clientKey).toString('base64'));
  });

  it('refuses a server that asks for another iteration count', async () => {
    const state = firstState();
    await expectKind('material mismatch', () => scramClientFinal(state, serverFirstFor(state, { salt, iterations: ITERATIONS + 1 }), material));
  });

  it('refuses keys of the wrong length', async () => {
    const state = firstState();
    const short = { ...material, clientKey: randomBytes(32) };
    await expectKind('invalid input', () => scramClientFinal(state, serverFirstFor(state, { salt }), short));
  });

  it('leaves the caller’s material intact', async () => {
    const state = firstState();
    const before = Buffer.from(material.clientKey).toString('hex');
    await scramClientFinal(state, serverFirstFor(state, { salt }), material);
    expect(Buffer.from(material.clientKey).toString('hex')).toBe(before);
  });

  it('is read from the api_key.create fields of TrueNAS 26', () => {
    const entry = {
      id: 12,
      key: KEY,
      iterations: 500_000,
      salt: Buffer.from('AbCdEfGh01234567').toString('base64'),
      client_key: Buffer.from(material.clientKey).toString('base64'),
      stored_key: createHash('sha512').update(material.clientKey).digest('base64'),
      server_key: Buffer.from(material.serverKey).toString('base64'),
    };
    const read = scramMaterialFromApiKey(entry)!;
    expect(read.iterations).toBe(500_000);
    expect(Buffer.from(read.salt).toString()).toBe('AbCdEfGh01234567');
    expect(Buffer.from(read.clientKey).equals(Buffer.from(material.clientKey))).toBe(true);
    expect(Buffer.from(read.serverKey).equals(Buffer.from(material.serverKey))).toBe(true);

    expect(scramMaterialFromApiKey({ ...entry, server_key: '********', salt: '********' })).toBeNull();
    expect(scramMaterialFromApiKey({ ...entry, client_key: undefined })).toBeNull();
    expect(scramMaterialFromApiKey({ ...entry, client_key: entry.client_key.slice(4) })).toBeNull();
    expect(scramMaterialFromApiKey({ ...entry, iterations: '500000' })).toBeNull();
    expect(scramMaterialFromApiKey({ ...entry, iterations: 10_000_000 })).toBeNull();
  });
});

describe('scramVerifyServerFinal', () => {
  const expected = randomBytes(64);

  it('accepts the expected signature', () => {
    expect(() => scramVerifyServerFinal(expected, `v=${expected.toString('base64')}`)).not.toThrow();
  });

  it('reports e= as a refusal, with only the error word of it', async () => {
    const err = await expectKind('server refused', () => scramVerifyServerFinal(expected, 'e=invalid-proof'));
    expect(err.message).toContain('invalid-proof');
    const dirty = await expectKind('server refused', () => scramVerifyServerFinal(expected, 'e=\u001b[31mother\u0007'));
    expect(dirty.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it.each([
    ['a signature of another key', (): string => `v=${randomBytes(64).toString('base64')}`, 'server not verified'],
    ['a truncated signature', (): string => `v=${expected.subarray(0, 32).toString('base64')}`, 'server not verified'],
    ['a signature that is not base64', (): string => 'v=***', 'malformed message'],
    ['an extension after v=', (): string => `v=${expected.toString('base64')},x=1`, 'malformed message'],
    ['no v=', (): string => expected.toString('base64'), 'malformed message'],
    ['an empty message', (): string => '', 'malformed message'],
  ] satisfies [string, () => string, ScramErrorKind][])('refuses %s', async (_what, message, kind) => {
    await expectKind(kind, () => scramVerifyServerFinal(expected, message()));
  });
});

describe('channelBindingData', () => {
  for (const v of BINDING_VECTORS) {
    const der = Buffer.from(v.der, 'base64');
    if (v.binding === undefined) {
      it(`refuses ${v.name} like truenas/api_client (no tls-server-end-point for EdDSA)`, async () => {
        await expectKind('unsupported certificate', () => channelBindingData(der));
      });
    } else {
      it(`computes the api_client's binding for ${v.name}`, () => {
        expect(channelBindingData(der).toString('hex')).toBe(v.binding);
        expect(channelBindingData(new X509Certificate(der)).toString('hex')).toBe(v.binding);
      });
    }
  }

  it.each([
    ['bytes that are not DER', () => Buffer.from('not a certificate')],
    ['an empty buffer', () => Buffer.alloc(0)],
    ['a truncated certificate', () => Buffer.from(BINDING_VECTORS[0]!.der, 'base64').subarray(0, 300)],
    ['a certificate with trailing bytes', () => Buffer.concat([Buffer.from(BINDING_VECTORS[0]!.der, 'base64'), Buffer.from([0])])],
  ])('refuses %s', async (_what, der) => {
    await expectKind('unsupported certificate', () => channelBindingData(der()));
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

// Certificates made by openssl; the expected binding is openssl's digest of the DER with the hash
// RFC 5929 names for the signature this table asked for.
describe.skipIf(!hasOpenssl)('channelBindingData of certificates openssl signs', () => {
  let dir: string;
  const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tnc-scram-'));
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
    for (const curve of ['P-256', 'P-384', 'P-521']) openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${curve}.pem`);
    openssl('genpkey', '-algorithm', 'ED25519', '-out', 'ed25519.pem');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function certificate(name: string, key: string, signArgs: string[]): Buffer {
    openssl('req', '-x509', '-new', '-key', key, ...signArgs, '-subj', `/CN=${name}`, '-days', '2', '-outform', 'DER', '-out', `${name}.der`);
    return readFileSync(join(dir, `${name}.der`));
  }

  it.each([
    ['ECDSA P-256 with SHA-256', 'P-256.pem', ['-sha256'], 'ecdsa-with-SHA256', 'sha256'],
    ['ECDSA P-384 with SHA-384', 'P-384.pem', ['-sha384'], 'ecdsa-with-SHA384', 'sha384'],
    ['ECDSA P-521 with SHA-512', 'P-521.pem', ['-sha512'], 'ecdsa-with-SHA512', 'sha512'],
    ['ECDSA P-256 with SHA-1', 'P-256.pem', ['-sha1'], 'ecdsa-with-SHA1', 'sha256'],
    ['RSA with SHA-256', 'rsa.pem', ['-sha256'], 'sha256WithRSAEncryption', 'sha256'],
    ['RSA with SHA-384', 'rsa.pem', ['-sha384'], 'sha384WithRSAEncryption', 'sha384'],
    ['RSA with SHA-512', 'rsa.pem', ['-sha512'], 'sha512WithRSAEncryption', 'sha512'],
    ['RSA with SHA-1', 'rsa.pem', ['-sha1'], 'sha1WithRSAEncryption', 'sha256'],
    ['RSA-PSS with SHA-384', 'rsa.pem', ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], 'rsassaPss', 'sha384'],
  ])('%s', (name, key, signArgs, algorithm, bindingHash) => {
    const der = certificate(name.replace(/\W+/g, '-'), key, signArgs);
    const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: der }).toString();
    expect(text).toContain(`Signature Algorithm: ${algorithm}`);
    const digest = execFileSync('openssl', ['dgst', `-${bindingHash}`, '-binary'], { input: der });
    expect(channelBindingData(der).equals(digest)).toBe(true);
    expect(channelBindingData(new X509Certificate(der)).equals(digest)).toBe(true);
  });

  it('refuses Ed25519', async () => {
    const der = certificate('ed25519', 'ed25519.pem', []);
    await expectKind('unsupported certificate', () => channelBindingData(der));
  });
});
