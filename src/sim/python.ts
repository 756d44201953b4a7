// The few Python behaviours whose output reaches the wire: repr() and type names in error texts,
// json.dumps() for alert keys, and %-formatting for alert texts.

export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Date) return 'datetime';
  return 'dict';
}

function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function numberRepr(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) return String(n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

/** Python's `repr()` of a JSON value. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return numberRepr(value);
  if (typeof value === 'string') return strRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Date) return `datetime.datetime(${value.toISOString()})`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${strRepr(k)}: ${pyRepr(v)}`)
    .join(', ')}}`;
}

/** `json.dumps(value, sort_keys=True)` with Python's default separators and ASCII escaping. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
}

function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/**
 * `template % args` for the conversions alert classes use (`%(name)s`, `%(name)d`, `%s`, `%d`, `%r`, `%%`).
 * Throws when the arguments do not fit, as Python does; the caller then falls back to the template.
 */
export function pyFormat(template: string, args: unknown): string {
  const positional = Array.isArray(args) ? [...args] : [args];
  const named = typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : null;
  let used = 0;
  const out = template.replace(/%(?:\(([^)]*)\))?([sdr%])/g, (_m, key: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let value: unknown;
    if (key !== undefined) {
      if (!named || !(key in named)) throw new Error(`KeyError: ${key}`);
      value = named[key];
    } else {
      if (used >= positional.length) throw new Error('not enough arguments for format string');
      value = positional[used++];
    }
    if (conv === 'd') {
      if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error('%d format: a real number is required');
      return String(Math.trunc(Number(value)));
    }
    return conv === 'r' ? pyRepr(value) : pyStr(value);
  });
  if (!named && used < positional.length) throw new Error('not all arguments converted during string formatting');
  return out;
}

/** The middleware's JSON encoding of datetimes (`{"$date": milliseconds}`), applied deeply. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return { $date: value.getTime() };
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}
