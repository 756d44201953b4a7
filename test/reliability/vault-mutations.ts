// Ways to damage a keyring file: at the byte level (what a disk, a copy or an editor does) and
// at the JSON level (what a hand edit or another program does), each drawn from a seeded Prng.
import { Prng } from './prng.js';

export interface Mutant {
  /** What was done, enough to tell the case apart in a failure report. */
  kind: string;
  bytes: Buffer;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const JSONISH = Buffer.from('{}[]":,0123456789-+eE.tfnul \\\n');

const byteMutations: Record<string, (seed: Buffer, rng: Prng) => Buffer> = {
  flipBits(seed, rng) {
    const bytes = Buffer.from(seed);
    for (let n = 1 + rng.int(3); n > 0; n--) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
    return bytes;
  },
  replaceWithJsonChar(seed, rng) {
    const bytes = Buffer.from(seed);
    bytes[rng.int(bytes.length)] = rng.pick([...JSONISH]);
    return bytes;
  },
  insertBytes(seed, rng) {
    const at = rng.int(seed.length + 1);
    const inserted = rng.chance(0.5) ? rng.bytes(1 + rng.int(8)) : Buffer.from([rng.pick([...JSONISH])]);
    return Buffer.concat([seed.subarray(0, at), inserted, seed.subarray(at)]);
  },
  deleteRange(seed, rng) {
    const at = rng.int(seed.length);
    return Buffer.concat([seed.subarray(0, at), seed.subarray(at + 1 + rng.int(32))]);
  },
  duplicateRange(seed, rng) {
    const at = rng.int(seed.length);
    const range = seed.subarray(at, at + 1 + rng.int(64));
    return Buffer.concat([seed.subarray(0, at), range, seed.subarray(at)]);
  },
  truncate(seed, rng) {
    return seed.subarray(0, rng.int(seed.length));
  },
};

/** Every container and leaf of the document, by path. */
function paths(value: Json, prefix: Path = []): Path[] {
  const children =
    Array.isArray(value) ? value.map((item, i) => paths(item, [...prefix, i])) :
    value !== null && typeof value === 'object' ? Object.entries(value).map(([key, item]) => paths(item, [...prefix, key])) :
    [];
  return [prefix, ...children.flat()];
}

function parentOf(document: Json, path: Path): { parent: Json[] | { [key: string]: Json }; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let parent = document as Json;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step]!;
  return { parent: parent as Json[] | { [key: string]: Json }, key: path.at(-1)! };
}

/** JSON text injected verbatim where a marker string stands: numbers JSON.stringify cannot write, keys it would drop. */
class RawText {
  private readonly raw = new Map<string, string>();

  marker(text: string): string {
    const marker = `@@raw${this.raw.size}@@`;
    this.raw.set(marker, text);
    return marker;
  }

  render(document: Json): Buffer {
    let text = JSON.stringify(document, null, 2);
    for (const [marker, raw] of this.raw) text = text.split(JSON.stringify(marker)).join(raw);
    return Buffer.from(text);
  }
}

const WRONG_TYPES: Json[] = [null, true, false, 0, -1, 1.5, '', 'x', [], {}, [1, 'a'], { a: 1 }];
const HUGE_NUMBERS = ['1e400', '-1e400', '9007199254740993', '1e21', '-0', '4294967296', '1.0000000001', '123456789012345678901234567890'];
const EXTRA_KEYS = ['x', '__proto__', 'constructor', 'prototype', '', 'toString', 'k'.repeat(300)];

function garbage(rng: Prng, raw: RawText): Json {
  switch (rng.int(4)) {
    case 0: {
      // As text: deeper than JSON.stringify could write without running out of stack.
      const depth = rng.int(20_000);
      return raw.marker(rng.chance(0.5) ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"n":'.repeat(depth)}0${'}'.repeat(depth)}`);
    }
    case 1:
      return 'é'.repeat(rng.int(200_000));
    case 2:
      return Array.from({ length: rng.int(10_000) }, (_, i) => i);
    default:
      return { systems: [], keyring: null, leftovers: 'no', format: 'tnc-keyring', version: 1 };
  }
}

const jsonMutations: Record<string, (document: Json, rng: Prng, raw: RawText) => Json> = {
  wrongType(document, rng) {
    return replaceAt(document, rng.pick(paths(document)), rng.pick(WRONG_TYPES));
  },
  hugeNumber(document, rng, raw) {
    return replaceAt(document, rng.pick(paths(document)), raw.marker(rng.pick(HUGE_NUMBERS)));
  },
  missingKey(document, rng) {
    const target = parentOf(document, rng.pick(paths(document).filter((path) => path.length > 0)));
    if (!target) return document;
    if (Array.isArray(target.parent)) target.parent.splice(target.key as number, 1);
    else delete target.parent[target.key as string];
    return document;
  },
  extraKey(document, rng, raw) {
    const objects = paths(document).filter((path) => isObject(valueAt(document, path)));
    const object = valueAt(document, rng.pick(objects)) as { [key: string]: Json };
    object[raw.marker(JSON.stringify(rng.pick(EXTRA_KEYS)))] = rng.chance(0.5) ? rng.pick(WRONG_TYPES) : garbage(rng, raw);
    return document;
  },
  nestedGarbage(document, rng, raw) {
    return replaceAt(document, rng.pick(paths(document)), garbage(rng, raw));
  },
  kdfParameters(document, rng, raw) {
    const kdf = valueAt(document, ['keyring', 'kdf']) as { [key: string]: Json };
    const field = rng.pick(['opslimit', 'memlimit', 'alg']);
    kdf[field] =
      field === 'alg' ? rng.pick(['argon2i13', 'scrypt', '', 'ARGON2ID13']) :
      raw.marker(rng.pick(['0', '2', '11', '-3', '1073741825', '7340032', '2147483648', '8388607.5', '"3"', '1e400']));
    return document;
  },
  formatAndVersion(document, rng, raw) {
    const record = document as { [key: string]: Json };
    if (rng.chance(0.5)) record.version = raw.marker(rng.pick(['0', '2', '-1', '1.5', '"1"', 'null', '1e400']));
    else record.format = rng.pick(['', 'tnc', 'TNC-KEYRING', 'tnc-keyring ', null]);
    return document;
  },
  /** An entry sealed for one system, filed under another: must open as damaged, not as the other's key. */
  swapEntries(document) {
    const entries = valueAt(document, ['keyring', 'entries']) as { [id: string]: Json };
    const [a, b] = Object.keys(entries);
    if (a !== undefined && b !== undefined) [entries[a], entries[b]] = [entries[b]!, entries[a]!];
    return document;
  },
  duplicateSystem(document, rng) {
    const systems = (document as { systems: Json[] }).systems;
    systems.push(structuredClone(rng.pick(systems)));
    return document;
  },
};

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(document: Json, path: Path): Json | undefined {
  let value: Json | undefined = document;
  for (const step of path) value = (value as Record<string | number, Json> | undefined)?.[step];
  return value;
}

function replaceAt(document: Json, path: Path, value: Json): Json {
  const target = parentOf(document, path);
  if (!target) return value;
  (target.parent as Record<string | number, Json>)[target.key] = value;
  return document;
}

const BYTE_KINDS = Object.keys(byteMutations);
const JSON_KINDS = Object.keys(jsonMutations);

/** One damaged copy of `seed` (a valid keyring file), fully determined by `rng`. */
export function mutate(seed: Buffer, rng: Prng): Mutant {
  if (rng.chance(0.5)) {
    const kind = rng.pick(BYTE_KINDS);
    return { kind, bytes: byteMutations[kind]!(seed, rng) };
  }
  const kind = rng.pick(JSON_KINDS);
  const raw = new RawText();
  return { kind, bytes: raw.render(jsonMutations[kind]!(JSON.parse(seed.toString('utf8')) as Json, rng, raw)) };
}

/** Values an attacker would put in a plain field, by the field's kind (validation refuses other kinds). */
const PLAIN_VALUES: Record<'text' | 'number' | 'transport' | 'login' | 'why', Json[]> = {
  text: ['evil.example', 'https://evil.example:8443', '127.0.0.1:1', 'EV:IL:00:11', 'root', 'tnc-00000000-0000-4000-8000-000000000666', 'backup-script', ''],
  number: [31337, 0, 1, 2, 9],
  transport: ['rest', 'jsonrpc'],
  login: ['scram'],
  why: ['pending', 'unstored', 'undeleted', 'reset'],
};

type PlainKind = keyof typeof PLAIN_VALUES;
/** A field, its kind, and whether the record may lack it. */
type PlainField = [Record<string, Json>, string, PlainKind, boolean];

/** Where the authenticated plain fields are: what decides where keys go and what is deleted. */
const PLAIN_FIELDS: Array<(document: any) => PlainField[]> = [
  (d) =>
    d.systems.flatMap((s: Record<string, Json>): PlainField[] => [
      [s, 'address', 'text', false],
      [s, 'fingerprint', 'text', true],
      [s, 'transport', 'transport', true],
      [s, 'username', 'text', true],
      [s, 'login', 'login', true],
    ]),
  (d) =>
    Object.values(d.keyring.entries).flatMap((e: any): PlainField[] => [
      [e.meta, 'keyId', 'number', false],
      [e.meta, 'keyName', 'text', false],
      [e.meta, 'username', 'text', false],
      [e.meta, 'storedAt', 'text', false],
    ]),
  (d) =>
    d.leftovers.flatMap((l: Record<string, Json>): PlainField[] => [
      [l, 'address', 'text', false],
      [l, 'keyId', 'number', false],
      [l, 'keyName', 'text', false],
      [l, 'username', 'text', false],
      [l, 'why', 'why', false],
    ]),
];

/**
 * One to three edits of authenticated plain fields (never the MACs or the sealed boxes): set to
 * a plausible value of the field's kind, copied from another record of the same kind, or (where
 * the record may lack it) removed. Mostly files that pass validation, so the MACs must catch them.
 */
export function mutatePlainFields(seed: Buffer, rng: Prng): Mutant {
  const document = JSON.parse(seed.toString('utf8'));
  const kinds: string[] = [];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const fields = rng.pick(PLAIN_FIELDS)(document);
    if (fields.length === 0) continue;
    const [record, field, kind, optional] = rng.pick(fields);
    const how = rng.int(optional ? 3 : 2);
    const donor = rng.pick(fields.filter((candidate) => candidate[1] === field))[0][field];
    if (how === 0) record[field] = rng.pick(PLAIN_VALUES[kind]);
    else if (how === 1 && donor !== undefined) record[field] = donor;
    else if (how === 2) delete record[field];
    kinds.push(`${field}:${['set', 'copied', 'removed'][how]}`);
  }
  return { kind: kinds.join('+') || 'none', bytes: Buffer.from(JSON.stringify(document, null, 2)) };
}
