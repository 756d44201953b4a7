import { describe, expect, it } from 'vitest';
import { cleanText, isCleanText } from '../../store/clean-text.js';

const ESC = '\u001b';
const BEL = '\u0007';

describe('cleanText', () => {
  it.each([
    ['OSC 52 clipboard write', `nas${ESC}]52;c;ZWNobyBoaQ==${BEL}-1`, 'nas]52;c;ZWNobyBoaQ==-1'],
    ['OSC 0 window title', `${ESC}]0;owned${BEL}truenas`, ']0;ownedtruenas'],
    ['CSI clear screen', `a${ESC}[2Jb`, 'a[2Jb'],
    ['8-bit CSI and OSC (C1)', 'a\u009b2Jb\u009d0;x\u009c', 'a2Jb0;x'],
    ['DEL and NUL', 'a\u007fb\u0000c', 'abc'],
    ['bidi overrides', 'admin\u202eexe.txt\u2066\u2069\u200f', 'adminexe.txt'],
    ['line ends and tabs become spaces', 'one\ntwo\r\nthree\tfour', 'one two  three four'],
    ['Unicode line separators', 'a\u2028b\u2029c\u0085d', 'a b c d'],
    ['lone surrogates', 'a\ud800b\udc00c', 'abc'],
  ])('%s', (_name, input, expected) => {
    const cleaned = cleanText(input);
    expect(cleaned).toBe(expected);
    expect(cleaned).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('keeps ordinary Unicode, emoji included', () => {
    expect(cleanText('Süd-NAS 🚀 東京')).toBe('Süd-NAS 🚀 東京');
  });

  it('caps the length by code points and marks the cut', () => {
    expect(cleanText('x'.repeat(300))).toBe(`${'x'.repeat(199)}…`);
    expect([...cleanText('🚀'.repeat(50), 10)]).toHaveLength(10);
    expect(cleanText('short', 10)).toBe('short');
  });

  it('costs little for a megabyte of text and still marks it cut', () => {
    const huge = `${ESC}[31m`.repeat(200_000);
    const cleaned = cleanText(huge, 1000);
    expect(cleaned.endsWith('…')).toBe(true);
    expect(cleaned).not.toContain(ESC);
  });

  it('turns anything that is not a string into an empty string', () => {
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(42)).toBe('');
    expect(cleanText({ toString: () => `${ESC}[2J` })).toBe('');
  });

  it('tells clean text from text that would change', () => {
    expect(isCleanText('truenas-1')).toBe(true);
    expect(isCleanText(`truenas${ESC}[2J`)).toBe(false);
  });
});
