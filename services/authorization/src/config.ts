import { clientRegistrySettings } from '@psd2/client-registry-client';
import { databaseRequiredInBankMode, env, pushedAuthorizationSettings } from '@psd2/config';
import { issuerSettings } from '@psd2/edge-config';
import { sharedStateRules, tokenStoreSettings } from '@psd2/token-store';
import { z } from 'zod';

/** Everything the authorization service reads from its environment, validated once at start-up. */
const settings = z.object({
  ...env.httpServiceFields(8082),
  // ISSUER (or https://localhost:EDGE_PORT): `iss` of every authorization response (RFC 9207).
  ...issuerSettings,
  // DEPLOYMENT_MODE: `bank` (the default: real PSUs only, nothing seeded) or `sandbox` (the
  // simulated-PSU page, and the bank page with seeded PSUs, for demos).
  // REDIS_URL, REDIS_KEY_PREFIX: codes, grants and sessions. Required in bank mode; unset in a sandbox,
  // all three live in this process.
  ...tokenStoreSettings,
  ...clientRegistrySettings,
  // PAR_REQUIRED (RFC 9126 §5): unset, required in bank mode (the pages refuse plain requests) and not
  // in a sandbox.
  ...pushedAuthorizationSettings,
  // How long the customer has to approve a payment pushed to /oauth2/par.
  PAR_PAYMENT_REQUEST_SECONDS: env.integer({ min: 60, max: 3600, default: 600 }),
  // In sandbox mode, whether the bank sign-in page is served too (against the seeded sandbox PSUs).
  SANDBOX_BANK_PAGE: env.flag(true),
  // The built-in PSU directory. Required in bank mode; unset in a sandbox: the embedded PGlite
  // database in PGLITE_DATA_DIR.
  DATABASE_URL: env.optionalUrl(['postgres', 'postgresql']),
  PGLITE_DATA_DIR: env.text('.local/pglite/psu-directory'),
  // With PostgreSQL, migrations run here only when asked; the embedded database always migrates.
  MIGRATE_ON_START: env.flag(false),
  CLIENT_REGISTRY_CACHE_MS: env.integer({ min: 0, max: 5000, default: 2000 }),
  // RFC 7636 S256 on every authorization request; turning it off is for legacy TPPs only.
  PKCE_REQUIRED: env.flag(true),
  // PSD2 RTS Art. 4(3)(d): at most five minutes without activity once the PSU is authenticated.
  SESSION_IDLE_SECONDS: env.integer({ min: 1, max: 300, default: 300 }),
  // Before sign-in completes (every anonymous page load makes a session): a short life, never longer
  // than SESSION_IDLE_SECONDS, so that page loads cannot pile sessions up in Redis.
  SESSION_ANONYMOUS_SECONDS: env.integer({ min: 1, max: 300, default: 180 }),
  // Per client address (as the services see it behind the trusted edge), per minute: sessions opened by
  // the two authorization pages, and sign-in + one-time-code posts. Generous: many customers can share
  // one address behind a carrier's NAT. Beyond: the 429 page with Retry-After.
  RATE_LIMIT_SESSIONS_PER_ADDRESS: env.integer({ min: 1, max: 1_000_000, default: 120 }),
  RATE_LIMIT_SIGNIN_PER_ADDRESS: env.integer({ min: 1, max: 1_000_000, default: 60 }),
  // Sign-in + one-time-code posts of one authorization request, per five minutes (a whole sign-in is 2).
  RATE_LIMIT_SIGNIN_PER_SESSION: env.integer({ min: 1, max: 1000, default: 12 }),
  // Pushes to /oauth2/par per TPP organisation (all its clients), per minute. Beyond: 429 JSON with
  // Retry-After. Each push with a payment keeps a payment request for a day (the payment API reads it).
  RATE_LIMIT_PAR_PER_ORGANISATION: env.integer({ min: 1, max: 1_000_000, default: 300 }),
  // scrypt checks at once (each ~32 MiB on libuv's pool, 4 threads unless UV_THREADPOOL_SIZE says more),
  // checks allowed to wait, and how long; beyond either, the 503 page.
  PASSWORD_CHECK_CONCURRENCY: env.integer({ min: 1, max: 64, default: 2 }),
  PASSWORD_CHECK_QUEUE: env.integer({ min: 0, max: 10_000, default: 32 }),
  PASSWORD_CHECK_QUEUE_TIMEOUT_MS: env.integer({ min: 1, max: 60_000, default: 2000 }),
  // PSD2 RTS Art. 4(3)(b): no more than five failed attempts in a row before a temporary block.
  PSU_MAX_FAILED_ATTEMPTS: env.integer({ min: 1, max: 5, default: 5 }),
  PSU_LOCK_SECONDS: env.integer({ min: 1, max: 7 * 24 * 3600, default: 900 }),
  // Sandbox mode only: the PSUs seeded at start, `id:Display name`, comma-separated.
  SANDBOX_PSUS: env.list(['psu-alice:Alice Martin', 'psu-bruno:Bruno Lefèvre', 'psu-chloe:Chloé Bernard']),
  // Sandbox mode only: the seeded PSUs' password and TOTP secret, public demo values (see the README).
  SANDBOX_PSU_PASSWORD: env.text('sandbox-password'),
  SANDBOX_TOTP_SECRET: env.text('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'),
});

/** Validated once at start-up; bank mode (the default) requires REDIS_URL and DATABASE_URL. */
export const configSchema = settings.superRefine((config, ctx) => {
  sharedStateRules(config, ctx);
  databaseRequiredInBankMode(config, ctx);
});

export type AuthorizationConfig = z.output<typeof configSchema>;

/** `id:Display name` entries of SANDBOX_PSUS. */
export function parseSandboxPsus(entries: readonly string[]): { psuId: string; displayName: string }[] {
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      throw new Error(`SANDBOX_PSUS entries must look like id:Display name, got "${entry}"`);
    }
    return { psuId: entry.slice(0, colon).trim(), displayName: entry.slice(colon + 1).trim() };
  });
}
