import { env, loadConfig } from '@psd2/config';
import { createLogger } from '@psd2/logging';
import { migrateAndClose } from '@psd2/postgres';
import { z } from 'zod';
import { connectPostgres } from './db/database.js';

/*
 * `pnpm --filter @psd2/client-registry-service migrate`: applies the committed migrations to
 * DATABASE_URL and exits. The Kubernetes Job runs this before the new registry version rolls out.
 */

const config = loadConfig(
  z.object({
    DATABASE_URL: env.requiredUrl(['postgres', 'postgresql']),
    LOG_LEVEL: env.logLevel('info'),
  }),
  { processName: 'client-registry-migrate' },
);
const logger = createLogger({ name: 'client-registry-migrate', level: config.LOG_LEVEL });
const database = connectPostgres({ url: config.DATABASE_URL.href, poolSize: 2, connectTimeoutMs: 10_000 });
process.exitCode = await migrateAndClose(database, logger, 'client registry');
logger.flush();
