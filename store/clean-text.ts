// Text that came from outside (a TrueNAS server, or a keyring file someone may have edited)
// is cleaned before anything keeps it: a terminal acts on control characters, so one
// hostile hostname could otherwise set the window title or write the clipboard (OSC 52).
// Lives in store/ because it is the lowest layer: the store cleans names it reads, the
// client cleans what servers send.

/** Line and tab characters become one space each, so words stay apart. */
const WHITESPACE_CONTROLS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/**
 * C0 controls (ESC among them), DEL, C1 controls (8-bit CSI/OSC), and the Unicode
 * bidirectional controls that can make text read differently from what it is (Trojan Source).
 */
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Lone surrogates are not text; terminals draw them as garbage or drop them inconsistently. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Default cap for names, versions and other one-line values. */
const MAX_NAME_LENGTH = 200;

/**
 * The text with every control character removed (line ends and tabs turned into spaces),
 * cut to `maxLength` code points (ending in `…` when cut). Not a string: ''.
 */
export function cleanText(value: unknown, maxLength = MAX_NAME_LENGTH): string {
  if (typeof value !== 'string') return '';
  // Cut a generous prefix first, so a megabyte of text costs no more than a few kilobytes.
  const head = value.length > maxLength * 4 + 16 ? value.slice(0, maxLength * 4 + 16) : value;
  const cleaned = head.replace(WHITESPACE_CONTROLS, ' ').replace(UNSAFE, '').replace(LONE_SURROGATE, '');
  const chars = [...cleaned];
  if (chars.length <= maxLength && head.length === value.length) return cleaned;
  if (chars.length <= maxLength) return `${cleaned}…`;
  return `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…`;
}

/** Whether `value` would come out of cleanText unchanged (for refusing rather than repairing). */
export function isCleanText(value: string, maxLength = MAX_NAME_LENGTH): boolean {
  return cleanText(value, maxLength) === value;
}
