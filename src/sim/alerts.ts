// A system's alerts and `alert.list` as the middleware serializes them (plugins/alert.py
// `AlertSerializer` and alert/base.py `Alert`; the `Alert` model of api/v25_10_0/alert.py).
import { randomUUID } from 'node:crypto';
import { pyFormat, pyJsonDumps } from './python.js';
import type { SimAlertInput, SimAlertLevel } from './types.js';

const ALERT_LEVELS: readonly SimAlertLevel[] = ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

interface AlertClass {
  title: string;
  level: SimAlertLevel;
  text: string;
  oneShot?: boolean;
}

/** The real alert classes the simulator raises by name (alert/source/*.py). */
const ALERT_CLASSES: Record<string, AlertClass> = {
  VolumeStatus: { title: 'Pool Status Is Not Healthy', level: 'CRITICAL', text: 'Pool %(volume)s state is %(state)s: %(status)s%(devices)s' },
  ZpoolCapacityWarning: { title: 'Pool Space Usage Is Above 90%', level: 'WARNING', text: "Space usage for pool '%(volume)s' is %(capacity)d%%." },
  ZpoolCapacityCritical: { title: 'Pool Space Usage Is Above 95%', level: 'CRITICAL', text: "Space usage for pool '%(volume)s' is %(capacity)d%%." },
  ScrubPaused: { title: 'Scrub Is Paused', level: 'WARNING', text: 'Scrub for pool %r is paused for more than 8 hours.' },
  ApiKeyRevoked: {
    title: 'API Key Revoked',
    level: 'WARNING',
    text: '%(name)s: API key has been revoked and must either be renewed or deleted. Revoke reason: %(reason)s. Once the maintenance is complete, API client configuration must be updated to use the renewed API key.',
    oneShot: true,
  },
};

/** What a test raises without naming a class: not a real class, so it says so. */
const SIMULATED: AlertClass = { title: 'Simulated Alert', level: 'WARNING', text: 'Simulated alert' };

interface AlertRecord {
  uuid: string;
  source: string;
  klass: string;
  args: unknown;
  key: string;
  datetime: number;
  lastOccurrence: number;
  dismissed: boolean;
  text: string;
  level: SimAlertLevel;
  formatted: string;
  oneShot: boolean;
}

function classOf(klass: string): AlertClass {
  return ALERT_CLASSES[klass] ?? SIMULATED;
}

/** `AlertClass.format`: `text % args`, or the text itself when there are no args or they do not fit. */
function formatText(text: string, args: unknown): string {
  if (args === null || args === undefined) return text;
  try {
    return pyFormat(text, args);
  } catch {
    return text;
  }
}

function makeAlert(input: SimAlertInput, now: number): AlertRecord {
  const klass = input.klass ?? 'Simulated';
  const cls = classOf(klass);
  const level = input.level ?? cls.level;
  if (!ALERT_LEVELS.includes(level)) throw new Error(`level must be one of ${ALERT_LEVELS.join(', ')}`);
  // `formatted` alone stands for a class text without arguments: `text` then equals it.
  const args = input.args ?? null;
  const text = input.text ?? (input.formatted !== undefined && input.args === undefined ? input.formatted : cls.text);
  const at = input.datetime ?? now;
  return {
    uuid: randomUUID(),
    source: input.source ?? klass,
    klass,
    args,
    key: pyJsonDumps(args),
    datetime: at,
    lastOccurrence: at,
    dismissed: input.dismissed ?? false,
    text,
    level,
    formatted: input.formatted ?? formatText(text, args),
    oneShot: cls.oneShot ?? false,
  };
}

/** `alert.list` order: most severe first, then by class title, then oldest first. */
function compare(a: AlertRecord, b: AlertRecord): number {
  const level = ALERT_LEVELS.indexOf(b.level) - ALERT_LEVELS.indexOf(a.level);
  if (level !== 0) return level;
  const ta = classOf(a.klass).title;
  const tb = classOf(b.klass).title;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.datetime - b.datetime;
}

/** One `alert.list` entry; `node` is "Controller A" on a system that is not HA. */
function alertRow(a: AlertRecord): Record<string, unknown> {
  return {
    uuid: a.uuid,
    source: a.source,
    klass: a.klass,
    args: a.args,
    node: 'Controller A',
    key: a.key,
    datetime: { $date: a.datetime },
    last_occurrence: { $date: a.lastOccurrence },
    dismissed: a.dismissed,
    mail: null,
    text: a.text,
    id: a.uuid,
    level: a.level,
    formatted: a.formatted,
    one_shot: a.oneShot,
  };
}

export class AlertStore {
  private alerts: AlertRecord[] = [];

  add(input: SimAlertInput, now = Date.now()): string {
    const alert = makeAlert(input, now);
    this.alerts.push(alert);
    return alert.uuid;
  }

  set(inputs: readonly SimAlertInput[], now = Date.now()): string[] {
    const made = inputs.map((input) => makeAlert(input, now));
    this.alerts = made;
    return made.map((a) => a.uuid);
  }

  dismiss(uuid: string): void {
    const alert = this.alerts.find((a) => a.uuid === uuid);
    if (!alert) throw new Error(`no alert ${uuid}`);
    alert.dismissed = true;
  }

  /** Every alert, dismissed ones included (with `dismissed: true`), in `alert.list` order. */
  list(): Record<string, unknown>[] {
    return [...this.alerts].sort(compare).map(alertRow);
  }
}
