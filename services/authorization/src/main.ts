import { runHttpService } from '@psd2/http';
import { createAuthorizationApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'authorization',
  configSchema,
  build: async (_config, logger) => ({ app: createAuthorizationApp({ logger }) }),
});
