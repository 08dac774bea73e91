import { createClientCertificateResolver } from '@psd2/certificates';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { pushedAuthorizationRequired } from '@psd2/config';
import { publicIssuer } from '@psd2/edge-config';
import { runHttpService } from '@psd2/http';
import { timeClientRegistryCalls, timeTokenStoreOperations } from '@psd2/telemetry';
import { createTokenStoreFromSettings, redisConnectionFromSettings } from '@psd2/token-store';
import { startActiveGrantsGauge } from './active-grants.js';
import { createTokenApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'token',
  configSchema,
  build: async (config, logger) => {
    const registry = timeClientRegistryCalls(
      createClientRegistryFromSettings(config, { cacheTtlMs: config.CLIENT_REGISTRY_CACHE_MS }),
    );
    const store = timeTokenStoreOperations(createTokenStoreFromSettings(config));
    if (config.INTROSPECTION_ALLOWED_ORGANIZATIONS.length === 0) {
      logger.warn('INTROSPECTION_ALLOWED_ORGANIZATIONS is unset: nobody may introspect tokens');
    }
    const redis = redisConnectionFromSettings(config);
    if (redis === undefined) {
      logger.warn('REDIS_URL is unset: tokens live in this process only (embedded default)');
    }
    const activeGrants =
      redis === undefined
        ? undefined
        : startActiveGrantsGauge({ ...redis, keyPrefix: config.REDIS_KEY_PREFIX });
    const app = createTokenApp({
      logger,
      registry,
      store,
      certificates: createClientCertificateResolver(),
      tokens: {
        accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        paymentAccessTokenTtlSeconds: config.PAYMENT_ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenRotation: config.REFRESH_TOKEN_ROTATION,
        refreshTokenReuseGraceSeconds: config.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
      },
      metadata: {
        issuer: publicIssuer(config),
        deploymentMode: config.DEPLOYMENT_MODE,
        pushedAuthorizationRequired: pushedAuthorizationRequired(config),
        introspectionEndpoint: config.INTROSPECTION_ENDPOINT?.href,
      },
      introspectionAllowedOrganizations: config.INTROSPECTION_ALLOWED_ORGANIZATIONS,
    });
    return {
      app,
      onClose: async () => {
        registry.close();
        await store.close();
        await activeGrants?.close();
      },
    };
  },
});
