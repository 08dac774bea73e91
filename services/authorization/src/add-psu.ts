import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { env, loadConfig } from '@psd2/config';
import {
  connectPostgres,
  createPsuDirectory,
  openPglite,
  otpauthUri,
  PsuDirectoryInputError,
} from '@psd2/psu-directory';
import { z } from 'zod';

/*
 * `pnpm --filter @psd2/authorization-service add-psu -- --id <customer id> --name "<display name>"`
 * Adds a PSU to the built-in directory (DATABASE_URL, or the embedded database of PGLITE_DATA_DIR,
 * which must not be open in a running service at the same time) and prints its TOTP secret once, as
 * base32 and as an otpauth:// URI to enrol in an authenticator app. The password is read from the
 * PSU_PASSWORD variable, or generated and printed.
 */

/** The SQLSTATE of a failed statement, never its text. */
function databaseFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  return typeof code === 'string' ? `database error (SQLSTATE ${code})` : 'database error';
}

const USAGE = 'usage: add-psu --id <customer id> --name "<display name>"  (password from PSU_PASSWORD)\n';
let values: { id?: string | undefined; name?: string | undefined };
try {
  // `pnpm <script> -- args` hands the `--` over too.
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { id: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(`add-psu: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(64); // EX_USAGE
}
if (values.id === undefined || values.name === undefined) {
  process.stderr.write(USAGE);
  process.exit(64);
}
// The directory only, not the service's settings: the tool needs no Redis, whatever DEPLOYMENT_MODE says.
const config = loadConfig(
  z.object({
    DATABASE_URL: env.optionalUrl(['postgres', 'postgresql']),
    PGLITE_DATA_DIR: env.text('.local/pglite/psu-directory'),
  }),
  { processName: 'add-psu' },
);
const generated = process.env.PSU_PASSWORD === undefined || process.env.PSU_PASSWORD === '';
const password = generated ? randomBytes(12).toString('base64url') : (process.env.PSU_PASSWORD ?? '');
const database =
  config.DATABASE_URL === undefined
    ? await openPglite(config.PGLITE_DATA_DIR)
    : connectPostgres({ url: config.DATABASE_URL.href, poolSize: 2 });
try {
  await database.migrate();
  const directory = createPsuDirectory({ db: database.db });
  const { totpSecret } = await directory.addPsu({ psuId: values.id, displayName: values.name, password });
  const lines = [
    `PSU added: ${values.id} (${values.name})`,
    ...(generated ? [`password: ${password}`] : []),
    `TOTP secret (base32): ${totpSecret}`,
    `otpauth URI: ${otpauthUri({ issuer: 'PSD2 Bank', account: values.id, secret: totpSecret })}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  // A database error's message quotes the failed statement's parameters (the hash, the TOTP secret):
  // only our own input errors are printed as they are.
  process.stderr.write(
    `add-psu: ${error instanceof PsuDirectoryInputError ? error.message : databaseFailure(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await database.close();
}
