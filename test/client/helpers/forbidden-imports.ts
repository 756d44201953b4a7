// Runs ES module code in a fresh node whose module resolution refuses some packages: a way to
// prove that a code path does not load a dependency (start-up time depends on it).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const ROOT = new URL('../../../', import.meta.url);

// Resolution hooks run on their own thread and cannot share memory with the test, so a
// forbidden import simply fails: the child's import() rejects naming the package.
const HOOKS = `
let forbidden = [];
export function initialize(data) { forbidden = data; }
export async function resolve(specifier, context, next) {
  if (forbidden.includes(specifier)) throw new Error('forbidden import: ' + specifier);
  return next(specifier, context);
}`;

/** The built module (dist/, which the global setup builds) at this path below the repository. */
export function builtModule(path: string): string {
  return new URL(`dist/${path}`, ROOT).href;
}

export interface ChildOutcome {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `body` (top-level await allowed) where importing any of `forbidden` throws. */
export async function runForbidding(forbidden: readonly string[], body: string): Promise<ChildOutcome> {
  const script = `
import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, { data: ${JSON.stringify(forbidden)} });
${body}`;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout, stderr };
  }
}
