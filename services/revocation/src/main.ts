import { createResolverFromSettings } from '@psd2/client-authentication';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { runHttpService } from '@psd2/http';
import { instruments, timeAsyncMethods } from '@psd2/telemetry';
import { createTokenStoreFromSettings } from '@psd2/token-store';
import { createRevocationApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'revocation',
  configSchema,
  build: async (config, logger) => {
    // Latency metrics per operation; the wrappers never read arguments (they hold tokens).
    const registry = timeAsyncMethods(
      createClientRegistryFromSettings(config, { cacheTtlMs: config.CLIENT_REGISTRY_CACHE_MS }),
      () => instruments().registryCallDuration,
      { operationAttribute: 'psd2.client_registry.operation', skip: ['close', 'waitForReady'] },
    );
    const store = timeAsyncMethods(
      createTokenStoreFromSettings(config),
      () => instruments().tokenStoreDuration,
      { operationAttribute: 'psd2.token_store.operation', skip: ['close', 'ping'] },
    );
    return {
      app: createRevocationApp({ logger, registry, store, certificates: createResolverFromSettings(config) }),
      onClose: async () => {
        registry.close();
        await store.close();
      },
    };
  },
});
