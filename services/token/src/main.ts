import { createResolverFromSettings } from '@psd2/client-authentication';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { publicIssuer } from '@psd2/edge-config';
import { runHttpService } from '@psd2/http';
import { createTokenStoreFromSettings } from '@psd2/token-store';
import { createTokenApp } from './app.js';
import { configSchema } from './config.js';

const GRANT_LIFETIME_SECONDS = 180 * 24 * 3600;

await runHttpService({
  name: 'token',
  configSchema,
  build: async (config, logger) => {
    const registry = createClientRegistryFromSettings(config, {
      cacheTtlMs: config.CLIENT_REGISTRY_CACHE_MS,
    });
    const store = createTokenStoreFromSettings(config);
    if (config.REDIS_URL === undefined) {
      logger.warn('REDIS_URL is unset: tokens live in this process only (embedded default)');
    }
    const app = createTokenApp({
      logger,
      registry,
      store,
      certificates: createResolverFromSettings(config),
      tokens: {
        accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        grantLifetimeSeconds: GRANT_LIFETIME_SECONDS,
      },
      metadata: { issuer: publicIssuer(config), deploymentMode: config.DEPLOYMENT_MODE },
      introspectionAllowedOrganizations: config.INTROSPECTION_ALLOWED_ORGANIZATIONS,
    });
    return {
      app,
      onClose: async () => {
        registry.close();
        await store.close();
      },
    };
  },
});
