import { status } from '@grpc/grpc-js';
import { runCommand } from './commands.js';
import { connect } from './connection.js';
import { EXIT, type ExitCode, exitCodeOfStatus } from './exit-codes.js';
import { parseInvocation, USAGE, UsageError } from './usage.js';

/*
 * `pnpm admin <command>`: the bank operators' CLI (docs/operations-admin.md). Prints the result on
 * stdout (a table, or JSON with --json); any failure is one line on stderr and an exit code
 * (exit-codes.ts), never a stack trace.
 */

// grpc-js names the server by its IP address in TLS (Node's DEP0123 warning): an operator's stderr is
// for the one line that says what happened, not for a library's deprecation.
process.noDeprecation = true;

function isServiceError(error: unknown): error is Error & { code: number; details: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  let invocation: ReturnType<typeof parseInvocation>;
  let api: ReturnType<typeof connect>;
  try {
    invocation = parseInvocation(argv);
    api = connect(invocation.connection, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Asked for help: the usage on stdout, success. No command: the usage as the error. A mistake: one
    // line and a pointer.
    if (error.message === '' && argv.includes('--help')) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    process.stderr.write(
      error.message === ''
        ? `${USAGE}\n`
        : `admin: ${error.message} (pnpm admin --help lists the commands)\n`,
    );
    return EXIT.usage;
  }
  try {
    const result = await runCommand(api, invocation.command);
    process.stdout.write(invocation.json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!isServiceError(error)) throw error;
    const code = exitCodeOfStatus(error.code);
    const what = code === EXIT.unavailable ? 'unavailable' : 'refused';
    // grpc-js's details are the server's one-line message, or the connection's failure (which does not
    // say whether TCP or the TLS handshake failed, so the hint names both).
    const details = error.details
      .replace(/\s+/g, ' ')
      .replace(/ Resolution note:\s*$/, '')
      .trim();
    const hint =
      error.code === status.UNAVAILABLE && details.startsWith('No connection established')
        ? ' (check ADMIN_ADDRESS, and that the certificate is an operator certificate the server trusts)'
        : '';
    process.stderr.write(`admin: ${what}: ${details}${hint}\n`);
    return code;
  } finally {
    api.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(
    `admin: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = EXIT.unavailable;
}
