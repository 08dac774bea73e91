import { runHttpService } from '@psd2/http';
import { createTokenApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'token',
  configSchema,
  build: async (_config, logger) => ({ app: createTokenApp({ logger }) }),
});
