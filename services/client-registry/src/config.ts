import { databaseRequiredInBankMode, env } from '@psd2/config';
import { sharedStateRules, tokenStoreSettings } from '@psd2/token-store';
import { z } from 'zod';
import { adminSettings, adminSettingsRules } from './admin/config.js';

/** Every environment variable the registry reads. */
const settings = z.object({
  // The token store the admin API suspends and withdraws through (REDIS_URL...); first, so that the
  // registry's own DEPLOYMENT_MODE below is the one documented here.
  ...tokenStoreSettings,
  PORT: env.port(50051),
  HOST: env.host('127.0.0.1'),
  LOG_LEVEL: env.logLevel('info'),
  // `bank` (the default) requires DATABASE_URL; `sandbox` (what `pnpm start` asks for) may use PGlite.
  DEPLOYMENT_MODE: env.deploymentMode(),
  // Unset (sandbox only): the embedded PGlite database, so a laptop needs no PostgreSQL.
  DATABASE_URL: env.optionalUrl(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: env.integer({ min: 1, max: 100, default: 10 }),
  // Where PGlite keeps its files when DATABASE_URL is unset; `memory://` keeps nothing.
  PGLITE_DATA_DIR: env.text('.local/pglite/client-registry'),
  // With PostgreSQL, migrations normally run as a Kubernetes Job (`migrate`); PGlite always migrates.
  MIGRATE_ON_START: env.flag(false),
  REGISTRY_TLS_CERT_FILE: env.optionalText(),
  REGISTRY_TLS_KEY_FILE: env.optionalText(),
  REGISTRY_TLS_CA_FILE: env.optionalText(),
  REGISTRY_PLAINTEXT: env.flag(false),
  HEALTH_PROBE_INTERVAL_MS: env.integer({ min: 100, max: 60_000, default: 2000 }),
  // Bound on any one call, whatever deadline the caller set (or none).
  MAX_CALL_MS: env.integer({ min: 100, max: 60_000, default: 10_000 }),
  // Calls in flight may finish for this long after SIGTERM; with telemetry's flush the process is gone
  // within 10 s (DRAIN_BUDGET_MS, packages/telemetry/src/shutdown.ts).
  SHUTDOWN_GRACE_MS: env.integer({ min: 0, max: 120_000, default: 7000 }),
  // The operators' admin API (admin/config.ts).
  ...adminSettings,
});

/**
 * Validated once at start-up; bank mode (the default) requires DATABASE_URL. The token store's rules
 * (REDIS_URL in bank mode) apply only with the admin API on: nothing else in the registry uses it.
 */
export const registryConfigSchema = settings.superRefine((config, ctx) => {
  databaseRequiredInBankMode(config, ctx);
  if (adminSettingsRules(config, ctx)) sharedStateRules(config, ctx);
});

export type RegistryConfig = z.output<typeof registryConfigSchema>;
