import { env, loadConfig } from '@psd2/config';
import { createLogger } from '@psd2/logging';
import { migrateAndClose } from '@psd2/postgres';
import { connectPostgres } from '@psd2/psu-directory';
import { z } from 'zod';

/*
 * `pnpm --filter @psd2/authorization-service migrate`: applies the PSU directory's migrations to
 * DATABASE_URL and exits, for a Kubernetes Job run before a bank deployment rolls out (the way the
 * client registry's `migrate` is run). Same command line as the registry's: `dist/migrate.js`.
 */

const config = loadConfig(
  z.object({ DATABASE_URL: env.requiredUrl(['postgres', 'postgresql']), LOG_LEVEL: env.logLevel('info') }),
  { processName: 'psu-directory-migrate' },
);
const logger = createLogger({ name: 'psu-directory-migrate', level: config.LOG_LEVEL });
const database = connectPostgres({ url: config.DATABASE_URL.href, poolSize: 2, connectTimeoutMs: 10_000 });
process.exitCode = await migrateAndClose(database, logger, 'PSU directory');
logger.flush();
