// The JSON-line protocol between the standalone simulator and the process that drives it.
import type { SimAlertInput, SimFault, SimPoolStatus, SimScanInput, SimUpdateOffer, Simulator } from './types.js';

const FAULTS: readonly SimFault[] = ['none', 'down', 'hang', 'slow', 'garbage'];

export function readyLine(sim: Simulator): string {
  return JSON.stringify({ event: 'ready', systems: sim.systems });
}

function text(command: Record<string, unknown>, field: string): string {
  const value = command[field];
  if (typeof value !== 'string') throw new Error(`${field} must be a string`);
  return value;
}

function object<T>(command: Record<string, unknown>, field: string): T {
  const value = command[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field} must be an object`);
  return value as T;
}

function optionalNumber(command: Record<string, unknown>, field: string): number | undefined {
  const value = command[field];
  if (value !== undefined && typeof value !== 'number') throw new Error(`${field} must be a number`);
  return value;
}

/** `{"version": "25.10.3"}`, `{"version": null}` (nothing offered) or `{"rebootRequired": true}`. */
function updateOffer(command: Record<string, unknown>): SimUpdateOffer {
  if (command.rebootRequired === true) return { rebootRequired: true };
  if (command.version === null) return null;
  return { version: text(command, 'version') };
}

type Handler = (sim: Simulator, i: number, command: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;

const COMMANDS: Record<string, Handler> = {
  async fault(sim, i, command) {
    const fault = command.fault as SimFault;
    if (!FAULTS.includes(fault)) throw new Error(`fault must be one of ${FAULTS.join(', ')}`);
    await sim.setFault(i, fault);
    return { fault };
  },
  revoke: (sim, i) => (sim.revokeKeys(i), {}),
  expire: (sim, i, command) => (sim.expireKeys(i, optionalNumber(command, 'at')), {}),
  scram: (sim, i, command) => (sim.offerScram(i, command.offered !== false), {}),
  async rotate(sim, i) {
    await sim.rotateCertificate(i);
    return { fingerprint: sim.systems[i]!.fingerprint };
  },
  keys: (sim, i) => ({ keys: sim.apiKeys(i) }),
  logins: (sim, i) => ({ logins: sim.logins(i) }),
  calls: (sim, i) => ({ calls: sim.callCounts(i) }),
  alerts(sim, i, command) {
    if (!Array.isArray(command.alerts)) throw new Error('alerts must be a list');
    return { uuids: sim.setAlerts(i, command.alerts as SimAlertInput[]) };
  },
  'add-alert': (sim, i, command) => ({ uuid: sim.addAlert(i, object<SimAlertInput>(command, 'alert')) }),
  dismiss: (sim, i, command) => (sim.dismissAlert(i, text(command, 'uuid')), {}),
  'add-pool': (sim, i, command) => (sim.addPool(i, text(command, 'name'), command.status as SimPoolStatus | undefined), {}),
  pool: (sim, i, command) => (sim.setPoolStatus(i, text(command, 'name'), text(command, 'status') as SimPoolStatus), {}),
  scan: (sim, i, command) => (sim.setScan(i, text(command, 'name'), object<SimScanInput>(command, 'scan')), {}),
  update: (sim, i, command) => (sim.offerUpdate(i, updateOffer(command)), {}),
  populate: (sim, i, command) => (sim.populate(i, { alerts: optionalNumber(command, 'alerts'), pools: optionalNumber(command, 'pools') }), {}),
  hostile: (sim, i) => (sim.makeHostile(i), { hostname: sim.systems[i]!.hostname }),
};

/** Runs one command line; the reply echoes `cmd`, `index` and `id` (when given) so it can be matched. */
export async function runCommand(sim: Simulator, line: string): Promise<Record<string, unknown>> {
  let command: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('a command is a JSON object');
    command = parsed as Record<string, unknown>;
  } catch (err) {
    return { ok: false, error: `invalid command: ${(err as Error).message}` };
  }
  const { cmd, index } = command;
  const echo = { ...('id' in command ? { id: command.id } : {}), cmd, index };
  try {
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= sim.systems.length) {
      throw new Error(`index must be a system index below ${sim.systems.length}`);
    }
    const handler = typeof cmd === 'string' && Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (!handler) throw new Error(`unknown command ${JSON.stringify(cmd)}`);
    return { ok: true, ...echo, ...(await handler(sim, index as number, command)) };
  } catch (err) {
    return { ok: false, ...echo, error: (err as Error).message };
  }
}
