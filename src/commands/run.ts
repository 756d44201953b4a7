// Runs one subcommand and turns whatever ends it into SPEC §6's exit codes: 0 done, 1 fatal
// (one line on stderr, never a stack), 2 usage, 3 `status` found a system not Connected.
import { UsageError } from '../cli-args.js';
import { commandUsage, type Command } from './args.js';
import { CommandError, errorLine, EXIT_FATAL, EXIT_OK, EXIT_USAGE, writeError, writeOut } from './output.js';

async function dispatch(command: Command): Promise<number> {
  switch (command.name) {
    case 'help':
      await writeOut(commandUsage(command.of));
      return EXIT_OK;
    case 'list':
      return (await import('./list.js')).runList(command);
    case 'status':
      return (await import('./status.js')).runStatus(command);
    case 'call':
      return (await import('./call.js')).runCall(command);
  }
}

export async function runCommand(command: Command): Promise<number> {
  // A reader that went away (`tnc list | head -1`) is no reason for a stack trace.
  process.stdout.on('error', () => process.exit(EXIT_FATAL));
  try {
    return await dispatch(command);
  } catch (error) {
    writeError(errorLine(error));
    if (error instanceof CommandError) return error.code;
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FATAL;
  }
}
