import { createClientCertificateResolver } from '@psd2/certificates';
import { createClientRegistryFromSettings } from '@psd2/client-registry-client';
import { runHttpService } from '@psd2/http';
import { timeClientRegistryCalls, timeTokenStoreOperations } from '@psd2/telemetry';
import { createTokenStoreFromSettings } from '@psd2/token-store';
import { createRevocationApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'revocation',
  configSchema,
  build: async (config, logger) => {
    const registry = timeClientRegistryCalls(
      createClientRegistryFromSettings(config, { cacheTtlMs: config.CLIENT_REGISTRY_CACHE_MS }),
    );
    const store = timeTokenStoreOperations(createTokenStoreFromSettings(config));
    return {
      app: createRevocationApp({ logger, registry, store, certificates: createClientCertificateResolver() }),
      onClose: async () => {
        registry.close();
        await store.close();
      },
    };
  },
});
