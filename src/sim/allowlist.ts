// `utils/allowlist.py`: what a TrueNAS 24.10 API key (and, over REST, any credential) may call.
// An entry names an HTTP verb, CALL or SUBSCRIBE (or `*`) and a resource, with `*` wildcards.

export interface AllowEntry {
  method: string;
  resource: string;
}

export const FULL_ADMIN_ENTRY: AllowEntry = { method: '*', resource: '*' };
export const ALLOW_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'CALL', 'SUBSCRIBE', '*'] as const;

/** Python's `fnmatch.translate`, anchored like `re.match(...)` on its `\Z`-terminated pattern. */
function fnmatchRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body}]`;
      i = close;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, 's');
}

export class Allowlist {
  private readonly exact = new Map<string, Set<string>>();
  private readonly patterns = new Map<string, RegExp[]>();
  readonly fullAdmin: boolean;

  constructor(entries: readonly AllowEntry[]) {
    this.fullAdmin = entries.some((e) => e.method === FULL_ADMIN_ENTRY.method && e.resource === FULL_ADMIN_ENTRY.resource);
    for (const { method, resource } of entries) {
      if (resource.includes('*')) {
        const list = this.patterns.get(method) ?? [];
        list.push(fnmatchRegExp(resource));
        this.patterns.set(method, list);
      } else {
        const set = this.exact.get(method) ?? new Set<string>();
        set.add(resource);
        this.exact.set(method, set);
      }
    }
  }

  /** `method` is an HTTP verb, CALL or SUBSCRIBE; an entry with method `*` matches any of them. */
  authorize(method: string, resource: string): boolean {
    return this.match('*', resource) || this.match(method, resource);
  }

  private match(method: string, resource: string): boolean {
    if (this.exact.get(method)?.has(resource)) return true;
    return this.patterns.get(method)?.some((re) => re.test(resource)) ?? false;
  }
}
