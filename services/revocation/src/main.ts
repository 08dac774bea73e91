import { runHttpService } from '@psd2/http';
import { createRevocationApp } from './app.js';
import { configSchema } from './config.js';

await runHttpService({
  name: 'revocation',
  configSchema,
  build: async (_config, logger) => ({ app: createRevocationApp({ logger }) }),
});
