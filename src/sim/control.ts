// The JSON-line protocol between the standalone simulator and the process that drives it.
import type { SimFault, Simulator } from './types.js';

const FAULTS: readonly SimFault[] = ['none', 'down', 'hang', 'slow', 'garbage'];

export function readyLine(sim: Simulator): string {
  return JSON.stringify({ event: 'ready', systems: sim.systems });
}

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
    const i = index as number;
    switch (cmd) {
      case 'fault': {
        const fault = command.fault as SimFault;
        if (!FAULTS.includes(fault)) throw new Error(`fault must be one of ${FAULTS.join(', ')}`);
        await sim.setFault(i, fault);
        return { ok: true, ...echo, fault };
      }
      case 'revoke':
        sim.revokeKeys(i);
        return { ok: true, ...echo };
      case 'rotate':
        await sim.rotateCertificate(i);
        return { ok: true, ...echo, fingerprint: sim.systems[i]!.fingerprint };
      case 'keys':
        return { ok: true, ...echo, keys: sim.apiKeys(i) };
      case 'logins':
        return { ok: true, ...echo, logins: sim.logins(i) };
      default:
        throw new Error(`unknown command ${JSON.stringify(cmd)}`);
    }
  } catch (err) {
    return { ok: false, ...echo, error: (err as Error).message };
  }
}
