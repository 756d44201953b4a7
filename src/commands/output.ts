// What the subcommands print: tables and JSON on stdout, errors as one line on stderr, and the
// exit codes of SPEC §6. Nothing printed here can act on a terminal.
import { cleanText, UNSAFE } from '../../store/clean-text.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_CONNECTED = 3;

/** A failure the user can act on: its message is the one line printed, `code` the exit code. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly code = EXIT_FATAL,
  ) {
    super(message);
  }
}

/** Errors may carry secrets in later lines or stacks: the first line only, cleaned. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return cleanText(text.split('\n')[0] ?? '', 500).trim() || 'unknown error';
}

/** Left-aligned columns, two spaces apart; every cell is cleaned of control characters. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => row.map((cell) => cleanText(cell)));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => [...row[column]!].length)));
  return cells
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length))).join('  ').trimEnd())
    .join('\n');
}

/**
 * One JSON document on one line. Values are kept as they are (a server's text is data here),
 * but the characters a terminal could act on that JSON itself leaves raw (DEL, C1 controls,
 * bidirectional overrides) are written as \u escapes, which is the same JSON. Dates go back
 * to the middleware's `{"$date": ms}`, as midclt prints them.
 */
export function jsonText(value: unknown): string {
  const text =
    JSON.stringify(value, function (this: Record<string, unknown>, key, raw: unknown) {
      const original = this[key];
      return original instanceof Date ? { $date: original.getTime() } : raw;
    }) ?? 'null';
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Resolves once the text has been handed to the OS (process.exit must not cut it off). */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${text}\n`, () => resolve()));
}

export function writeError(line: string): void {
  process.stderr.write(`tnc: ${line}\n`);
}
