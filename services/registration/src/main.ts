import { runHttpService } from '@psd2/http';
import { createRegistrationApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'registration',
  configSchema,
  build: async (_config, logger) => ({ app: createRegistrationApp({ logger }) }),
});
