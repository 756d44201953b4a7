import { spawnSync } from 'node:child_process';

// Tests spawn the built program (dist/); build it so a plain `vitest run` sees current code.
// `npm test` has already type-checked strictly, so type errors here are only reported.
export default function setup(): void {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) process.stderr.write(`tsc reported errors (dist/ built anyway):\n${result.stdout}`);
}
