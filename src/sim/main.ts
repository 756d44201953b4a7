// Entry point of `npm run sim`: see cli.ts. A parent that dies closes our stdin, which ends us.
import { runSimCli } from './cli.js';

const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());
// A reader that went away must not crash us with EPIPE; it is a reason to stop.
process.stdout.on('error', () => stop.abort());

const code = await runSimCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stop: stop.signal,
});
process.exit(code);
