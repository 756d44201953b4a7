import { describe, expect, it } from 'vitest';
import { errorLine, jsonText, table } from '../../src/commands/output.js';

describe('jsonText', () => {
  it('writes what a terminal could act on as \\u escapes, keeping the value', () => {
    const hostile = { text: 'a\u001b]0;x\u0007b\u009b2J\u007f\u202ec', [`k\u009b`]: 1 };
    const text = jsonText(hostile);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(hostile);
  });

  it('gives dates back as the middleware sends them, and one line', () => {
    expect(jsonText({ at: new Date(1_700_000_000_000), list: [1, 'two'] })).toBe('{"at":{"$date":1700000000000},"list":[1,"two"]}');
    expect(jsonText(null)).toBe('null');
  });
});

describe('table', () => {
  it('pads columns to their widest cell, cleaning every cell', () => {
    expect(table(['Name', 'Key'], [['nas-1', 'Stored'], ['a\u001b[31mlonger-name', '']])).toBe(
      ['Name              Key', 'nas-1             Stored', 'a[31mlonger-name'].join('\n'),
    );
  });
});

describe('errorLine', () => {
  it('keeps the first line only, cleaned', () => {
    expect(errorLine(new Error('bad\u001b[2J thing\n    at secret stack'))).toBe('bad[2J thing');
  });
});
