export { keygenCommand } from './commands/keygen.ts';
export { issueCommand } from './commands/issue.ts';
export { tokenCommand } from './commands/token.ts';
export { walletCommand } from './commands/wallet.ts';
export { createProgram, run } from './program.ts';
export { CliError, processIO, type CliIO } from './io.ts';
