// runApp in a child process started from the build, with the environment of the CI machines
// (CI=true) and of users (no NODE_ENV): Ink must draw while running, and React must not mix
// its production and development builds (which hangs without a word).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CHILD = 'dist/test/components/run-child.js';

function runChild(env: NodeJS.ProcessEnv): Promise<{ events: Array<Record<string, unknown>>; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`run-child did not finish; stdout ${out}; stderr ${err}`));
    }, 20_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      const events = out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ events, status });
    });
  });
}

describe('runApp', () => {
  it('draws while running with CI set and NODE_ENV unset, takes keys that arrive together one by one, and resolves 0 after q with the keyring locked', async () => {
    expect(existsSync(CHILD), 'the test build (vitest global setup) is missing').toBe(true);
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete env.NODE_ENV;
    const { events, status } = await runChild(env);
    expect(events).toEqual([
      { drawn: true },
      { typed: true },
      { code: 0, keyring: 'locked', raw: false, react: null },
    ]);
    expect(status).toBe(0);
  });
});
