/* The CLI's pieces, for its tests; operators run dist/cli.js (`pnpm admin`). */
export { EXIT, type ExitCode, exitCodeOfStatus } from './exit-codes.js';
export { type Command, parseInvocation, USAGE, UsageError } from './usage.js';
