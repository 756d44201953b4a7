import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROBE = path.resolve('dist/test/sim/close-probe.js');

describe('close()', () => {
  // In a child process, where nothing but the simulator and its clients holds a handle; the
  // child must also exit on its own, which it cannot while anything is left.
  it('ends servers, sessions, hung sockets and pending delays, also after a failed start', async () => {
    expect(existsSync(PROBE), 'dist is built by test/global-setup.ts').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [PROBE], { timeout: 30_000 });
    const report = JSON.parse(stdout) as {
      busy: { before: string[]; after: string[] };
      unbindable: { error: string; after: string[] };
    };
    expect(report.busy.before.filter((r) => r === 'TCPServerWrap')).toHaveLength(3);
    expect(report.busy.before).toContain('Timeout');
    expect(report.busy.after).toEqual([]);
    expect(report.unbindable.error).toMatch(/EADDRNOTAVAIL/);
    expect(report.unbindable.after).toEqual([]);
  });
});
