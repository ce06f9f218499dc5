import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { keygenCommand } from './commands/keygen.ts';
import { issueCommand } from './commands/issue.ts';
import { tokenCommand } from './commands/token.ts';
import { walletCommand } from './commands/wallet.ts';
import { inspectCommand } from './commands/inspect.ts';
import { requestObjectCommand } from './commands/request-object.ts';
import { errorLine, processIO, type CliIO } from './io.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The `dome-verifier` program; every command writes through `io` and throws instead of exiting. */
export function createProgram(io: CliIO = processIO): Command {
  const program = new Command('dome-verifier')
    .description('DOME Verifier command line: keys, dev credentials, M2M tokens, test wallet, inspect tokens and request objects, RP request objects')
    .version(version)
    .addCommand(keygenCommand(io))
    .addCommand(issueCommand(io))
    .addCommand(tokenCommand(io))
    .addCommand(walletCommand(io))
    .addCommand(inspectCommand(io))
    .addCommand(requestObjectCommand(io));
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  }
  return program;
}

/** Runs the program on user arguments (`process.argv.slice(2)`); resolves to the exit code. */
export async function run(args: readonly string[], io: CliIO = processIO): Promise<number> {
  try {
    await createProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed its message
    io.stderr(`error: ${errorLine(e)}\n`);
    return 1;
  }
}
