import { describe, expect, it } from 'vitest';
import { builtModule, runForbidding } from './helpers/forbidden-imports.js';

// got, ws and libsodium together cost tnc about 215 ms before its first frame.
const HEAVY = ['got', 'ws', 'libsodium-wrappers-sumo'];

describe('client start-up imports', () => {
  it('creating a client loads none of got, ws or libsodium', async () => {
    const outcome = await runForbidding(
      HEAVY,
      `const { TrueNASClient } = await import(${JSON.stringify(builtModule('src/client/client.js'))});
      new TrueNASClient({ timeoutMs: 1000 }).close();`,
    );
    expect(outcome.stderr).toBe('');
    expect(outcome.ok).toBe(true);
  });

  it('loads got with the first HTTP request (the guard itself works)', async () => {
    // Port 1 on 127.0.0.1 refuses; the request never gets that far without got.
    const outcome = await runForbidding(
      ['got'],
      `const { TrueNASClient } = await import(${JSON.stringify(builtModule('src/client/client.js'))});
      const client = new TrueNASClient({ timeoutMs: 5000 });
      const error = await client.discover({ address: '127.0.0.1:1', fingerprint: 'AA' }).catch((e) => e);
      process.stdout.write(error.message);`,
    );
    expect(outcome.stdout).toContain('forbidden import: got');
  });
});
