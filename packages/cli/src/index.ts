export { keygenCommand } from './commands/keygen.ts';
export { issueCommand } from './commands/issue.ts';
export { tokenCommand } from './commands/token.ts';
export { walletCommand } from './commands/wallet.ts';
export { inspectCommand, formatReport, INSPECT_EXIT } from './commands/inspect.ts';
export { requestObjectCommand } from './commands/request-object.ts';
export { createProgram, run } from './program.ts';
export { CliError, processIO, type CliIO } from './io.ts';
