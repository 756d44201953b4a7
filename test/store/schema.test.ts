import { describe, expect, it } from 'vitest';
import sodium from 'libsodium-wrappers-sumo';
import { KEY_BYTES, MAC_BYTES, NONCE_BYTES, SALT_BYTES } from '../../store/crypto.js';
import { StoreFileError } from '../../store/errors.js';
import { FILE_FORMAT, FILE_VERSION } from '../../store/file-format.js';
import { MIGRATIONS, parseKeyringFile, type Migration } from '../../store/schema.js';

const PATH = '/data/keyring.json';

describe('keyring file schema', () => {
  it('migrates older versions forward through the table, one step at a time', () => {
    // A made-up version 0 that kept systems under another name.
    const fakeMigrations = new Map<number, Migration>([
      [0, ({ hosts, ...rest }) => ({ ...rest, systems: hosts, keyring: null, leftovers: [] })],
      ...MIGRATIONS,
    ]);
    const v0 = JSON.stringify({ format: FILE_FORMAT, version: 0, hosts: [{ id: 'a1', name: 'a', address: 'a.lan' }] });
    const migrated = parseKeyringFile(v0, PATH, fakeMigrations);
    expect(migrated).toEqual({
      format: FILE_FORMAT,
      version: FILE_VERSION,
      systems: [{ id: 'a1', name: 'a', address: 'a.lan' }],
      keyring: null,
      leftovers: [],
    });
  });

  it('refuses a version with no migration path, and the real table has none below 1', () => {
    const v0 = JSON.stringify({ format: FILE_FORMAT, version: 0, systems: [], keyring: null, leftovers: [] });
    expect(() => parseKeyringFile(v0, PATH, MIGRATIONS)).toThrow(/format version 0 is too old/);
    expect(() => parseKeyringFile(v0, PATH, MIGRATIONS)).toThrow(StoreFileError);
  });

  it('does not quote file content in JSON errors', () => {
    const error = (() => {
      try {
        parseKeyringFile('{"format": tnc-secret-looking-text}', PATH);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toMatch(/^\/data\/keyring\.json: the file is not valid JSON/);
    expect(error?.message).not.toContain('secret');
  });

  it('uses libsodium secretbox and pwhash sizes', async () => {
    await sodium.ready;
    expect([KEY_BYTES, NONCE_BYTES, MAC_BYTES, SALT_BYTES]).toEqual([
      sodium.crypto_secretbox_KEYBYTES,
      sodium.crypto_secretbox_NONCEBYTES,
      sodium.crypto_secretbox_MACBYTES,
      sodium.crypto_pwhash_SALTBYTES,
    ]);
  });
});
