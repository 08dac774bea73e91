import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@psd2/config';
import { configSchema } from './config.js';

// The rules themselves are tested once, in packages/token-store/src/settings.test.ts.
describe('registration configuration', () => {
  it('runs as a bank when DEPLOYMENT_MODE is unset, which requires REDIS_URL', () => {
    expect(parseConfig(configSchema, { REDIS_URL: 'redis://127.0.0.1:6379' }).DEPLOYMENT_MODE).toBe('bank');
    expect(() => parseConfig(configSchema, {})).toThrow('REDIS_URL is required when DEPLOYMENT_MODE is bank');
    expect(parseConfig(configSchema, { DEPLOYMENT_MODE: 'sandbox' }).REDIS_URL).toBeUndefined();
  });
});
