import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli-args.js';
import { callArgument, parseCommand } from '../../src/commands/args.js';

describe('parseCommand', () => {
  it('applies the defaults of SPEC §6', () => {
    expect(parseCommand(['list'])).toEqual({ name: 'list', dataDir: undefined, json: false });
    expect(parseCommand(['status'])).toEqual({ name: 'status', dataDir: undefined, json: false, timeoutMs: 10_000, concurrency: 16 });
  });

  it('reads every option of status', () => {
    expect(
      parseCommand(['status', '--data-dir', '/d', '--json', '--timeout', '2.5', '--concurrency', '4', '--passphrase-fd', '0', '--ca-file', '/ca.pem']),
    ).toEqual({ name: 'status', dataDir: '/d', json: true, timeoutMs: 2500, concurrency: 4, passphraseFd: 0, caFile: '/ca.pem' });
  });

  it('takes what follows METHOD as its arguments, even when they look like options', () => {
    expect(parseCommand(['call', '--timeout', '3', 'nas', 'pool.query', '[["name","=","tank"]]', '-1', '--json', 'word'])).toMatchObject({
      name: 'call',
      system: 'nas',
      method: 'pool.query',
      timeoutMs: 3000,
      params: [[['name', '=', 'tank']], -1, '--json', 'word'],
    });
    expect(parseCommand(['call', '--all', 'system.info'])).toMatchObject({ system: null, method: 'system.info', params: [] });
    expect(parseCommand(['call', '--', '-nas', 'core.ping'])).toMatchObject({ system: '-nas', method: 'core.ping' });
  });

  it('asks for help per command', () => {
    expect(parseCommand(['status', '--help'])).toEqual({ name: 'help', of: 'status' });
    expect(parseCommand(['call', '-h'])).toEqual({ name: 'help', of: 'call' });
    // After METHOD it is an argument like any other.
    expect(parseCommand(['call', 'nas', 'core.ping', '--help'])).toMatchObject({ params: ['--help'] });
  });

  it.each([
    [['status', '--frobnicate'], 'status: unknown option --frobnicate'],
    [['status', '--timeout', '--json'], 'status: --timeout needs a value'],
    [['list', '--passphrase-fd', '3'], 'list: unknown option --passphrase-fd'],
    [['status', '--passphrase-fd', '-1'], 'status: --passphrase-fd needs a value'],
    [['call', 'nas', '--all', 'core.ping'], 'call: give SYSTEM or --all, not both'],
    [['call', '--all', 'nas', 'core.ping'], 'call: METHOD is a TrueNAS method name such as system.info, got "nas"'],
  ])('%j: %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe('callArgument', () => {
  it('reads JSON like midclt, and a bare word as a string', () => {
    expect(callArgument('1', 1)).toBe(1);
    expect(callArgument('true', 1)).toBe(true);
    expect(callArgument('null', 1)).toBe(null);
    expect(callArgument('"1"', 1)).toBe('1');
    expect(callArgument('{"get": true}', 1)).toEqual({ get: true });
    expect(callArgument('tank', 1)).toBe('tank');
    expect(callArgument('tank/data', 1)).toBe('tank/data');
  });

  it('refuses what starts like JSON and does not parse, without quoting it', () => {
    expect(() => callArgument('{"password": "hunter2"', 2)).toThrow(new UsageError('call: ARG 2 starts like JSON but is not valid JSON'));
  });
});
