import { describe, expect, it } from 'vitest';
import { Allowlist } from '../../src/sim/allowlist.js';
import { SimException } from '../../src/sim/errors.js';
import { filterList } from '../../src/sim/filters.js';
import { pyFormat, pyJsonDumps, pyRepr } from '../../src/sim/python.js';
import { validationEntries } from './validation-entries.js';

const rows = [
  { id: 1, name: 'tnc-a', size: 10, tags: ['x', 'y'], owner: { name: 'truenas_admin' }, expires_at: null, created: new Date('2025-01-01T00:00:00Z') },
  { id: 2, name: 'tnc-b', size: 30, tags: ['y'], owner: { name: 'pool_operator' }, expires_at: new Date('2026-01-01T00:00:00Z'), created: new Date('2025-06-01T00:00:00Z') },
  { id: 3, name: 'ui-key', size: 20, tags: [], owner: { name: 'truenas_admin' }, expires_at: null, created: new Date('2025-03-01T00:00:00Z') },
];

const ids = (filters: unknown, options: unknown = {}) => (filterList(rows, filters, options) as { id: number }[]).map((r) => r.id);


describe('filterList operators', () => {
  it.each([
    [[['name', '=', 'tnc-a']], [1]],
    [[['name', '!=', 'tnc-a']], [2, 3]],
    [[['size', '>', 10]], [2, 3]],
    [[['size', '>=', 20]], [2, 3]],
    [[['size', '<', 20]], [1]],
    [[['size', '<=', 20]], [1, 3]],
    [[['name', '~', 'tnc-.']], [1, 2]],
    [[['id', 'in', [1, 3]]], [1, 3]],
    [[['id', 'nin', [1, 3]]], [2]],
    [[['tags', 'rin', 'x']], [1]],
    [[['tags', 'rnin', 'x']], [2, 3]],
    [[['name', '^', 'tnc-']], [1, 2]],
    [[['name', '!^', 'tnc-']], [3]],
    [[['name', '$', '-key']], [3]],
    [[['name', '!$', '-key']], [1, 2]],
    [[['name', 'C=', 'TNC-A']], [1]],
    [[['name', 'C^', 'TNC']], [1, 2]],
    [[['owner.name', '=', 'pool_operator']], [2]],
    [[['tags.*', '=', 'y']], [1, 2]],
    [[['tags.0', '=', 'y']], [2]],
    [[['missing', '=', null]], []],
    [[['expires_at', '=', null]], [1, 3]],
    [[['created.$date', '>', '2025-02-01T00:00:00']], [2, 3]],
    [[['OR', [['id', '=', 1], ['name', '=', 'ui-key']]]], [1, 3]],
    [[['OR', [[['id', '>', 1], ['size', '<', 25]], ['id', '=', 1]]]], [1, 3]],
    [[['name', '^', 'tnc-'], ['size', '>', 20]], [2]],
  ])('%j', (filters, expected) => {
    expect(ids(filters)).toEqual(expected);
  });

  it('raises Python TypeErrors for comparisons of unordered types, as an EINVAL exception', () => {
    expect(() => filterList(rows, [['name', '>', 3]], {})).toThrow(SimException);
    expect(() => filterList(rows, [['expires_at', '>', 3]], {})).toThrow("'>' not supported between instances of 'int' and 'NoneType'");
  });
});

describe('filterList options', () => {
  it('orders, selects, counts, pages and gets', () => {
    expect(ids([], { order_by: ['-size'] })).toEqual([2, 3, 1]);
    expect(ids([], { order_by: ['nulls_last:expires_at'] })).toEqual([2, 1, 3]);
    expect(ids([], { order_by: ['nulls_first:-expires_at'] })).toEqual([1, 3, 2]);
    expect(filterList(rows, [['name', '^', 'tnc-']], { count: true })).toBe(2);
    expect(ids([], { offset: 1, limit: 1 })).toEqual([2]);
    expect(ids([], { limit: -1 })).toEqual([1, 2]);
    expect(filterList(rows, [['id', '=', 2]], { get: true })).toMatchObject({ name: 'tnc-b' });
    expect(filterList(rows, [['id', '=', 2]], { select: ['name', ['owner.name', 'who'], 'owner.name'] })).toEqual([
      { name: 'tnc-b', who: 'pool_operator', owner: { name: 'pool_operator' } },
    ]);
  });

  it('answers a get without a match with MatchNotFound', () => {
    try {
      filterList(rows, [['id', '=', 9]], { get: true });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(SimException);
      expect(err).toMatchObject({ reason: 'MatchNotFound()', matchNotFound: true });
    }
  });

  it('validates filters and options like QueryArgs: value errors on the argument, type errors on the field', () => {
    expect(validationEntries(() => filterList(rows, [['name', 'LIKE', 'x']], {}))).toEqual([['filters', 'Value error, Invalid operation: LIKE', 22]]);
    // Two elements make an OR clause, so a filter missing its value is an invalid operation.
    expect(validationEntries(() => filterList(rows, [['name', '=']], {}))).toEqual([['filters', 'Value error, Invalid operation: name', 22]]);
    expect(validationEntries(() => filterList(rows, [['name']], {}))).toEqual([['filters', "Value error, Invalid filter ['name']", 22]]);
    expect(validationEntries(() => filterList(rows, [['OR', []]], {}))).toEqual([['filters', 'Value error, OR filter requires at least one branch.', 22]]);
    expect(validationEntries(() => filterList(rows, [['name', 'C~', 'x']], {}))).toEqual([['filters', 'Value error, Invalid case-insensitive operation: C~', 22]]);
    expect(validationEntries(() => filterList(rows, [['created.$date', '^', 'x']], {}))).toEqual([['filters', 'Value error, ^: invalid timestamp operation.', 22]]);
    expect(validationEntries(() => filterList(rows, 'name', {}))).toEqual([['filters', 'Input should be a valid list', 22]]);
    expect(validationEntries(() => filterList(rows, [], { get: true, limit: 2 }))).toEqual([
      ['options', 'Value error, Invalid options combination. `get` implies a single result.', 22],
    ]);
    expect(validationEntries(() => filterList(rows, [], { sort: ['name'], limit: 'x' }))).toEqual([
      ['options.sort', 'Extra inputs are not permitted', 22],
      ['options.limit', 'Input should be a valid integer', 22],
    ]);
    expect(validationEntries(() => filterList(rows, [], { limit: 10_001 }))).toEqual([['options', 'Value error, Options limit must be between 1 and 10000', 22]]);
  });
});

describe('Allowlist (utils/allowlist.py)', () => {
  it('authorizes nothing when empty', () => {
    const empty = new Allowlist([]);
    expect(empty.fullAdmin).toBe(false);
    expect(empty.authorize('GET', '/system/info')).toBe(false);
    expect(empty.authorize('CALL', 'system.info')).toBe(false);
  });

  it('matches verbs exactly or by a `*` method, resources exactly or by fnmatch patterns', () => {
    const list = new Allowlist([
      { method: 'GET', resource: '/system/info' },
      { method: 'GET', resource: '/pool*' },
      { method: '*', resource: '/alert/list' },
      { method: 'CALL', resource: 'api_key.*' },
    ]);
    expect(list.authorize('GET', '/system/info')).toBe(true);
    expect(list.authorize('POST', '/system/info')).toBe(false);
    expect(list.authorize('GET', '/system/info/')).toBe(false);
    expect(list.authorize('GET', '/pool/id/{id_}')).toBe(true);
    expect(list.authorize('DELETE', '/alert/list')).toBe(true);
    expect(list.authorize('CALL', 'api_key.query')).toBe(true);
    expect(list.authorize('CALL', 'system.info')).toBe(false);
    expect(list.fullAdmin).toBe(false);
    expect(new Allowlist([{ method: '*', resource: '*' }]).fullAdmin).toBe(true);
  });
});

describe('Python output', () => {
  it('formats alert texts, keys and reprs like Python', () => {
    expect(pyFormat("Space usage for pool '%(volume)s' is %(capacity)d%%.", { volume: 'tank', capacity: 91.7 })).toBe("Space usage for pool 'tank' is 91%.");
    expect(pyFormat('Scrub for pool %r is paused for more than 8 hours.', ['tank'])).toBe("Scrub for pool 'tank' is paused for more than 8 hours.");
    expect(() => pyFormat('%(missing)s', {})).toThrow();
    expect(pyJsonDumps({ volume: 'tank', capacity: 91, a: [1, null, 'é'] })).toBe('{"a": [1, null, "\\u00e9"], "capacity": 91, "volume": "tank"}');
    expect(pyRepr(['name', "it's", true, null, 1.5])).toBe(`['name', "it's", True, None, 1.5]`);
  });
});
