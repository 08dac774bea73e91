import { createClientCertificateResolver } from '@psd2/certificates';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { publicIssuer } from '@psd2/edge-config';
import { runHttpService } from '@psd2/http';
import { createMemoryRateLimiter, createRedisRateLimiter } from '@psd2/rate-limit';
import { timeClientRegistryCalls, timeTokenStoreOperations } from '@psd2/telemetry';
import { createTokenStoreFromSettings, redisConnectionFromSettings } from '@psd2/token-store';
import { createRegistrationApp } from './app.js';
import { configSchema } from './config.js';

/** Bound on one registry call, retries included. */
const REGISTRY_DEADLINE_MS = 2000;

await runHttpService({
  name: 'registration',
  configSchema,
  build: async (config, logger) => {
    // Management reads must see the latest version (PUT sends it back as expectedVersion): no cache.
    const registry = timeClientRegistryCalls(
      createClientRegistryFromSettings(config, { cacheTtlMs: 0, deadlineMs: REGISTRY_DEADLINE_MS }),
    );
    const tokenStore = timeTokenStoreOperations(createTokenStoreFromSettings(config));
    const rate = {
      name: 'registration',
      limit: config.REGISTRATION_RATE_LIMIT,
      windowSeconds: config.REGISTRATION_RATE_WINDOW_SECONDS,
    };
    const redis = redisConnectionFromSettings(config);
    const rateLimiter =
      redis === undefined
        ? createMemoryRateLimiter(rate)
        : createRedisRateLimiter({ ...rate, ...redis, keyPrefix: config.REDIS_KEY_PREFIX });
    return {
      app: createRegistrationApp({
        logger,
        registry,
        certificates: createClientCertificateResolver(),
        tokenStore,
        // The registry commits nothing after its caller's deadline; the margin covers the deadline's
        // trip to the registry and the commit's round trip.
        registryCommitHorizonMs: REGISTRY_DEADLINE_MS + 1000,
        rateLimiter,
        issuer: publicIssuer(config),
        maxClientsPerOrganisation: config.MAX_CLIENTS_PER_ORGANISATION,
        maxBodyBytes: config.REGISTRATION_MAX_BODY_BYTES,
      }),
      async onClose() {
        registry.close();
        await Promise.all([tokenStore.close(), rateLimiter.close()]);
      },
    };
  },
});
