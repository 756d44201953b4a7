// `query-filters` and `query-options` as middleware `utils/filter_list.py` applies them (25.10),
// with the errors the `QueryArgs` model and filter_list raise. Rows may hold `Date` values: the
// middleware filters datetimes before they become `{"$date": …}` on the wire.
import { EINVAL, SimException, SimValidationError, invalid, matchNotFound, type ValidationEntry } from './errors.js';
import { pyRepr, pyTypeName } from './python.js';

type Row = Record<string, unknown>;
type Filter = unknown[];

const MAX_FILTERS_DEPTH = 3;
const MAX_LIMIT = 10_000;
const NULLS_FIRST = 'nulls_first:';
const NULLS_LAST = 'nulls_last:';
const TIMESTAMP_DESIGNATOR = '.$date';
const TIMESTAMP_OPS = new Set(['=', '!=', '>', '>=', '<', '<=']);
const OPS = new Set(['=', '!=', '>', '>=', '<', '<=', '~', 'in', 'nin', 'rin', 'rnin', '^', '!^', '$', '!$']);
/** Marks a key or path that is absent (Python's `undefined` sentinel in `get_impl`). */
const ABSENT = Symbol('absent');

interface QueryOptions {
  get: boolean;
  count: boolean;
  limit: number;
  offset: number;
  order_by: string[];
  select: (string | [string, string])[];
}

/** A ValueError raised inside a pydantic validator: reported on the argument with pydantic's prefix. */
function valueError(attr: string, message: string): SimValidationError {
  return invalid(attr, `Value error, ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Python semantics of the operators

function typeError(message: string): SimException {
  return new SimException(message);
}

function isNumeric(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function pyEquals(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && pyEquals((a as Row)[k], (b as Row)[k]));
  }
  return a === b || (a === null && b === undefined) || (a === undefined && b === null);
}

/** `a < b` (or `<=` when `orEqual`), raising Python's TypeError for unordered types. */
function pyLess(a: unknown, b: unknown, op: string, orEqual = false): boolean {
  const cmp = <T extends number | string>(x: T, y: T) => (orEqual ? x <= y : x < y);
  if (isNumeric(a) && isNumeric(b)) return cmp(Number(a), Number(b));
  if (typeof a === 'string' && typeof b === 'string') return cmp(a, b);
  if (a instanceof Date && b instanceof Date) return cmp(a.getTime(), b.getTime());
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyLess(a[i], b[i], op);
    }
    return orEqual ? a.length <= b.length : a.length < b.length;
  }
  throw typeError(`'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** `operator.contains(container, item)`. */
function pyContains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw typeError(`'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (container && typeof container === 'object' && !(container instanceof Date)) {
    return typeof item === 'string' && Object.hasOwn(container, item);
  }
  throw typeError(`argument of type '${pyTypeName(container)}' is not iterable`);
}

function strMethod(x: unknown, y: unknown, name: 'startswith' | 'endswith'): boolean {
  if (typeof x !== 'string') throw typeError(`'${pyTypeName(x)}' object has no attribute '${name}'`);
  if (typeof y !== 'string') throw typeError(`${name} first arg must be str or a tuple of str, not ${pyTypeName(y)}`);
  return name === 'startswith' ? x.startsWith(y) : x.endsWith(y);
}

function pyFalsy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.keys(v).length === 0;
  return !v;
}

function pyMatch(x: unknown, pattern: unknown): boolean {
  // re.match(y, x or ''): a null (or other falsy) field matches like an empty string.
  const subject = pyFalsy(x) ? '' : x;
  if (typeof subject !== 'string') throw typeError(`expected string or bytes-like object, got '${pyTypeName(subject)}'`);
  if (typeof pattern !== 'string') throw typeError(`first argument must be string or compiled pattern`);
  let re: RegExp;
  try {
    re = new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), 'y');
  } catch (err) {
    throw typeError((err as Error).message);
  }
  return re.test(subject);
}

function apply(op: string, x: unknown, y: unknown): boolean {
  switch (op) {
    case '=':
      return pyEquals(x, y);
    case '!=':
      return !pyEquals(x, y);
    case '<':
      return pyLess(x, y, op);
    case '<=':
      return pyLess(x, y, op, true);
    case '>':
      return pyLess(y, x, op);
    case '>=':
      return pyLess(y, x, op, true);
    case '~':
      return pyMatch(x, y);
    case 'in':
      return pyContains(y, x);
    case 'nin':
      return x === null ? false : !pyContains(y, x);
    case 'rin':
      return x === null ? false : pyContains(x, y);
    case 'rnin':
      return x === null ? false : !pyContains(x, y);
    case '^':
      return x === null ? false : strMethod(x, y, 'startswith');
    case '!^':
      return x === null ? false : !strMethod(x, y, 'startswith');
    case '$':
      return x === null ? false : strMethod(x, y, 'endswith');
    default:
      return x === null ? false : !strMethod(x, y, 'endswith');
  }
}

function casefold(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.toLowerCase();
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x: string) => x.toLowerCase());
  throw new SimException(`<class '${pyTypeName(v)}'>: support for casefolding object type not implemented.`);
}

// ---------------------------------------------------------------------------------------------
// Paths ("a.b", "list.0", "list.*.name"; "\\." escapes a dot)

function partition(path: string): [string, string] {
  let prefix = '';
  let rest = path;
  for (;;) {
    const dot = rest.indexOf('.');
    if (dot < 0) return [prefix + rest, ''];
    const left = rest.slice(0, dot);
    if (left.endsWith('\\')) {
      prefix += `${left.slice(0, -1)}.`;
      rest = rest.slice(dot + 1);
    } else return [prefix + left, rest.slice(dot + 1)];
  }
}

type Lookup = { value: unknown; done: true } | { value: unknown[]; rest: string; done: false };

function lookup(obj: unknown, path: string): Lookup {
  let rest = path;
  let cur: unknown = obj;
  while (rest) {
    const [left, right] = partition(rest);
    rest = right;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(left)) {
        if (left === '*') return { value: cur, rest, done: false };
        throw new SimException(`${left}: must be array index or wildcard character`);
      }
      cur = Number(left) < cur.length ? cur[Number(left)] : null;
    } else if (cur !== null && typeof cur === 'object' && !(cur instanceof Date)) {
      cur = Object.hasOwn(cur, left) ? (cur as Row)[left] : ABSENT;
    }
    // Anything else (a scalar, or an absent key) stays as it is, as in get_impl.
  }
  return { value: cur, done: true };
}

/** `filter_list.get`: the value at `path`, None when absent. */
function getValue(obj: unknown, path: string): unknown {
  const found = lookup(obj, path);
  return found.done && (found.value === ABSENT || found.value === undefined) ? null : found.value;
}

// ---------------------------------------------------------------------------------------------
// Validation (`validate_filters`, `validate_options` and the QueryOptions model)

function isoDate(value: unknown): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (typeof value !== 'string' || Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new Error(`${typeof value === 'string' ? value : pyRepr(value)}: must be an ISO-8601 formatted timestamp string`);
  }
  return d;
}

function validateFilters(filters: unknown[], depth: number, dates: Map<unknown, Date>): void {
  if (depth > MAX_FILTERS_DEPTH) throw new Error('query-filters max recursion depth exceeded');
  for (const f of filters) {
    if (f === null || typeof f === 'number' || typeof f === 'boolean') {
      // len() of a scalar is a TypeError, which pydantic does not turn into a validation error.
      throw new SimException(`object of type '${pyTypeName(f)}' has no len()`);
    }
    const len = typeof f === 'string' || Array.isArray(f) ? f.length : -1;
    if (len === 2) {
      const [op, value] = f as Filter;
      if (op !== 'OR') throw new Error(`Invalid operation: ${typeof op === 'string' ? op : pyRepr(op)}`);
      if (!Array.isArray(value) || value.length === 0) throw new Error('OR filter requires at least one branch.');
      for (const branch of value) {
        if (Array.isArray(branch) && Array.isArray(branch[0])) validateFilters(branch, depth + 1, dates);
        else validateFilters([branch], depth + 1, dates);
      }
      continue;
    }
    if (len !== 3) throw new Error(`Invalid filter ${pyRepr(f)}`);
    const entry = typeof f === 'string' ? [...f] : (f as Filter);
    if (typeof entry[1] !== 'string') throw new Error(`Invalid operation: ${pyRepr(entry[1])}`);
    let op: string = entry[1];
    if (op === '') throw new SimException('string index out of range');
    if (op.startsWith('C')) {
      op = op.slice(1);
      if (op === '~') throw new Error(`Invalid case-insensitive operation: ${entry[1] as string}`);
    }
    if (!OPS.has(op)) throw new Error(`Invalid operation: ${entry[1] as string}`);
    for (const [operand, other] of [
      [entry[0], entry[2]],
      [entry[2], entry[0]],
    ]) {
      if (typeof operand !== 'string' || !operand.endsWith(TIMESTAMP_DESIGNATOR)) continue;
      if (!TIMESTAMP_OPS.has(op)) throw new Error(`${op}: invalid timestamp operation.`);
      dates.set(other, isoDate(other));
    }
  }
}

const OPTION_TYPES: Record<string, 'bool' | 'int' | 'list' | 'dict'> = {
  extra: 'dict',
  order_by: 'list',
  select: 'list',
  count: 'bool',
  get: 'bool',
  offset: 'int',
  limit: 'int',
  force_sql_filters: 'bool',
};

const TYPE_MESSAGES = {
  bool: 'Input should be a valid boolean',
  int: 'Input should be a valid integer',
  list: 'Input should be a valid list',
  dict: 'Input should be a valid dictionary',
  str: 'Input should be a valid string',
};

function ofType(value: unknown, type: keyof typeof TYPE_MESSAGES): boolean {
  switch (type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value);
    case 'list':
      return Array.isArray(value);
    case 'str':
      return typeof value === 'string';
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function parseOptions(raw: unknown, attr: string): QueryOptions {
  if (!ofType(raw, 'dict')) throw invalid(attr, 'Input should be a valid dictionary or instance of QueryOptions');
  const o = raw as Row;
  const errors: ValidationEntry[] = [];
  for (const [key, value] of Object.entries(o)) {
    const type = OPTION_TYPES[key];
    if (!type) errors.push([`${attr}.${key}`, 'Extra inputs are not permitted', EINVAL]);
    else if (!ofType(value, type)) errors.push([`${attr}.${key}`, TYPE_MESSAGES[type], EINVAL]);
  }
  if (Array.isArray(o.order_by)) {
    o.order_by.forEach((v, i) => ofType(v, 'str') || errors.push([`${attr}.order_by.${i}`, TYPE_MESSAGES.str, EINVAL]));
  }
  if (Array.isArray(o.select)) {
    o.select.forEach((v, i) => {
      if (!ofType(v, 'str') && !ofType(v, 'list')) errors.push([`${attr}.select.${i}.str`, TYPE_MESSAGES.str, EINVAL]);
    });
  }
  if (errors.length > 0) throw new SimValidationError(errors);
  const options: QueryOptions = {
    get: o.get === true,
    count: o.count === true,
    limit: (o.limit as number | undefined) ?? 0,
    offset: (o.offset as number | undefined) ?? 0,
    order_by: (o.order_by as string[] | undefined) ?? [],
    select: (o.select as QueryOptions['select'] | undefined) ?? [],
  };
  if (options.get && (options.limit > 1 || options.offset)) {
    throw valueError(attr, 'Invalid options combination. `get` implies a single result.');
  }
  if (options.limit > MAX_LIMIT) throw valueError(attr, `Options limit must be between 1 and ${MAX_LIMIT}`);
  for (const s of options.select) {
    if (typeof s === 'string') continue;
    if ((s as unknown[]).length !== 2) {
      throw valueError(
        attr,
        `${pyRepr(s)}: A select as list may only contain two parameters: the name of the parameter being selected, and the name to which to assign it in resulting data.`,
      );
    }
    (s as unknown[]).forEach((selector, idx) => {
      if (typeof selector !== 'string') throw valueError(attr, `${pyRepr(s)}: ${idx === 0 ? 'first' : 'second'} item must be a string.`);
    });
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function filterOp(row: unknown, f: Filter): boolean {
  const [name, op, rawValue] = f as [unknown, string, unknown];
  if (typeof name !== 'string') throw new SimException(`'${pyTypeName(name)}' object has no attribute 'partition'`);
  const found = lookup(row, name);
  if (found.done && found.value === ABSENT) return false;
  if (!found.done) return found.value.some((entry) => filterOp(entry, [found.rest, op, rawValue]));
  let source: unknown = found.value === undefined ? null : found.value;
  let value = rawValue;
  let fn = op;
  if (op.startsWith('C')) {
    fn = op.slice(1);
    source = casefold(source);
    value = casefold(value);
  }
  return apply(fn, source, value);
}

function evalFilter(row: Row, f: Filter, dates: Map<unknown, Date>): boolean {
  if (f.length === 2) {
    return (f[1] as unknown[]).some((branch) =>
      Array.isArray(branch) && Array.isArray(branch[0])
        ? (branch as Filter[]).every((b) => evalFilter(row, b, dates))
        : evalFilter(row, branch as Filter, dates),
    );
  }
  if (dates.size === 0) return filterOp(row, f);
  const swap = (v: unknown) => dates.get(v) ?? v;
  return filterOp(row, [swap(f[0]), f[1], swap(f[2])]);
}

function selectPath(row: Row, path: string): { keys: string[]; value: unknown } {
  const keys: string[] = [];
  let rest = path;
  let cur: unknown = row;
  while (rest) {
    const [left, right] = partition(rest);
    rest = right;
    if (Array.isArray(cur)) throw new SimException('Selecting by list index is not supported');
    if (cur !== null && typeof cur === 'object' && !(cur instanceof Date)) {
      cur = Object.hasOwn(cur, left) ? (cur as Row)[left] : ABSENT;
      keys.push(left);
    }
  }
  return { keys, value: cur };
}

function doSelect(rows: Row[], select: QueryOptions['select']): Row[] {
  return rows.map((row) => {
    const entry: Row = {};
    for (const s of select) {
      const [target, newName] = typeof s === 'string' ? [s, null] : s;
      const { keys, value } = selectPath(row, target);
      if (value === ABSENT) continue;
      if (newName !== null) {
        entry[newName] = value;
        continue;
      }
      const last = keys.pop()!;
      let obj = entry;
      for (const k of keys) obj = (obj[k] ??= {}) as Row;
      obj[last] = value;
    }
    return entry;
  });
}

/** `sorted(rows, key=get(field), reverse=…)`: stable in both directions, TypeError on unordered values. */
function sortBy(rows: Row[], field: string): Row[] {
  const reverse = field.startsWith('-');
  const key = reverse ? field.slice(1) : field;
  const sign = reverse ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = getValue(a, key);
    const y = getValue(b, key);
    return pyLess(x, y, '<') ? -sign : pyLess(y, x, '<') ? sign : 0;
  });
}

function order(rows: Row[], orderBy: string[]): Row[] {
  let out = rows;
  for (const o of orderBy) {
    const nullsFirst = o.startsWith(NULLS_FIRST);
    const nullsLast = o.startsWith(NULLS_LAST);
    if (!nullsFirst && !nullsLast) {
      out = sortBy(out, o);
      continue;
    }
    const field = o.slice((nullsFirst ? NULLS_FIRST : NULLS_LAST).length);
    const key = field.startsWith('-') ? field.slice(1) : field;
    const nulls = out.filter((r) => r[key] === null || r[key] === undefined);
    const rest = sortBy(
      out.filter((r) => !(r[key] === null || r[key] === undefined)),
      field,
    );
    out = nullsFirst ? [...nulls, ...rest] : [...rest, ...nulls];
  }
  return out;
}

/**
 * `api_key.query`/`pool.query` semantics: `filtersArg` and `optionsArg` as received (validated
 * here), `rows` the full listing. Returns a list, one row (`get`) or a number (`count`).
 */
export function filterList(rows: Row[], filtersArg: unknown, optionsArg: unknown): Row[] | Row | number {
  const filters = filtersArg === undefined ? [] : filtersArg;
  if (!Array.isArray(filters)) throw invalid('filters', TYPE_MESSAGES.list);
  const dates = new Map<unknown, Date>();
  try {
    validateFilters(filters, 0, dates);
  } catch (err) {
    if (err instanceof SimException) throw err;
    throw valueError('filters', (err as Error).message);
  }
  const options = parseOptions(optionsArg === undefined ? {} : optionsArg, 'options');
  const shortcircuit = options.get && options.order_by.length === 0;

  let rv: Row[];
  if (filters.length > 0) {
    rv = [];
    for (const row of rows) {
      if (!filters.every((f) => evalFilter(row, f as Filter, dates))) continue;
      rv.push(options.select.length > 0 ? doSelect([row], options.select)[0]! : row);
      if (shortcircuit) break;
    }
    if (shortcircuit) {
      if (rv.length === 0) throw matchNotFound();
      return rv[0]!;
    }
  } else if (options.select.length > 0) {
    rv = doSelect(rows, options.select);
  } else {
    rv = [...rows];
  }
  if (options.count) return rv.length;
  rv = order(rv, options.order_by);
  if (options.get) {
    if (rv.length === 0) throw matchNotFound();
    return rv[0]!;
  }
  // Python slices: a negative offset or limit counts from the end, as on real servers.
  if (options.offset) rv = rv.slice(options.offset);
  if (options.limit) return rv.slice(0, options.limit);
  return rv;
}
