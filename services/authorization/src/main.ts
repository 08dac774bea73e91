import { createClientCertificateResolver } from '@psd2/certificates';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { pushedAuthorizationRequired } from '@psd2/config';
import { publicIssuer } from '@psd2/edge-config';
import { runHttpService } from '@psd2/http';
import { connectPostgres, createCheckGate, createPsuDirectory, openPglite } from '@psd2/psu-directory';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimitOptions } from '@psd2/rate-limit';
import { timeClientRegistryCalls, timeTokenStoreOperations } from '@psd2/telemetry';
import { createTokenStoreFromSettings, redisConnectionFromSettings } from '@psd2/token-store';
import { createAuthorizationApp } from './app.js';
import { configSchema, parseSandboxPsus } from './config.js';
import { createMemorySessionStore, createRedisSessionStore } from './session/stores.js';

await runHttpService({
  name: 'authorization',
  configSchema,
  build: async (config, logger) => {
    const sandbox = config.DEPLOYMENT_MODE === 'sandbox';
    const database =
      config.DATABASE_URL === undefined
        ? await openPglite(config.PGLITE_DATA_DIR)
        : connectPostgres({
            url: config.DATABASE_URL.href,
            onConnectionError: (error) => logger.warn({ err: error }, 'a pooled database connection failed'),
          });
    // Nobody else migrates an embedded database, and a sandbox owns its demo directory; a bank's
    // PostgreSQL is migrated by its deployment (or MIGRATE_ON_START).
    if (database.kind === 'pglite' || sandbox || config.MIGRATE_ON_START) await database.migrate();
    const directory = createPsuDirectory({
      db: database.db,
      maxFailedAttempts: config.PSU_MAX_FAILED_ATTEMPTS,
      lockSeconds: config.PSU_LOCK_SECONDS,
      gate: createCheckGate({
        concurrency: config.PASSWORD_CHECK_CONCURRENCY,
        queueLimit: config.PASSWORD_CHECK_QUEUE,
        queueTimeoutMs: config.PASSWORD_CHECK_QUEUE_TIMEOUT_MS,
      }),
    });
    if (sandbox) {
      for (const psu of parseSandboxPsus(config.SANDBOX_PSUS)) {
        await directory.addPsuIfAbsent({
          ...psu,
          password: config.SANDBOX_PSU_PASSWORD,
          totpSecret: config.SANDBOX_TOTP_SECRET,
        });
      }
    }

    const tokenStore = timeTokenStoreOperations(createTokenStoreFromSettings(config));
    const lifetimes = {
      idleSeconds: config.SESSION_IDLE_SECONDS,
      anonymousSeconds: config.SESSION_ANONYMOUS_SECONDS,
    };
    const redis = redisConnectionFromSettings(config);
    const sessions =
      redis === undefined
        ? createMemorySessionStore(lifetimes)
        : createRedisSessionStore({ ...redis, keyPrefix: config.REDIS_KEY_PREFIX, ...lifetimes });
    const limiter = (options: RateLimitOptions) =>
      redis === undefined
        ? createMemoryRateLimiter(options)
        : createRedisRateLimiter({ ...options, ...redis, keyPrefix: config.REDIS_KEY_PREFIX });
    const throttles = {
      sessionsPerAddress: limiter({
        name: 'authz-sessions-address',
        limit: config.RATE_LIMIT_SESSIONS_PER_ADDRESS,
        windowSeconds: 60,
      }),
      signInPerAddress: limiter({
        name: 'authz-signin-address',
        limit: config.RATE_LIMIT_SIGNIN_PER_ADDRESS,
        windowSeconds: 60,
      }),
      signInPerSession: limiter({
        name: 'authz-signin-session',
        limit: config.RATE_LIMIT_SIGNIN_PER_SESSION,
        windowSeconds: 300,
      }),
      pushedRequestsPerOrganisation: limiter({
        name: 'authz-par-organisation',
        limit: config.RATE_LIMIT_PAR_PER_ORGANISATION,
        windowSeconds: 60,
      }),
    };
    if (redis === undefined) {
      logger.warn(
        'REDIS_URL is unset: sessions, codes and grants live in this process only (embedded default)',
      );
    }
    const registry = timeClientRegistryCalls(
      createClientRegistryFromSettings(config, { cacheTtlMs: config.CLIENT_REGISTRY_CACHE_MS }),
    );
    logger.info(
      {
        mode: config.DEPLOYMENT_MODE,
        database: database.kind,
        pkceRequired: config.PKCE_REQUIRED,
        parRequired: pushedAuthorizationRequired(config),
      },
      'authorization pages configured',
    );
    const app = createAuthorizationApp({
      logger,
      issuer: publicIssuer(config),
      mode: config.DEPLOYMENT_MODE,
      bankPageInSandbox: config.SANDBOX_BANK_PAGE,
      pkceRequired: config.PKCE_REQUIRED,
      parRequired: pushedAuthorizationRequired(config),
      certificates: createClientCertificateResolver(),
      paymentRequestSeconds: config.PAR_PAYMENT_REQUEST_SECONDS,
      registry,
      tokenStore,
      sessions,
      throttles,
      authenticator: directory,
      psus: directory,
      readiness: {
        sessions: () => sessions.ping(),
        tokenStore: () => tokenStore.ping(),
        psuDirectory: () => database.ping(),
      },
    });
    return {
      app,
      onClose: async () => {
        registry.close();
        await Promise.allSettled([
          tokenStore.close(),
          sessions.close(),
          database.close(),
          ...Object.values(throttles).map((throttle) => throttle.close()),
        ]);
      },
    };
  },
});
