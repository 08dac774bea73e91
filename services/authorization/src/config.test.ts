import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@psd2/config';
import { configSchema, parseSandboxPsus } from './config.js';

describe('authorization configuration', () => {
  it('defaults to a sandbox with PKCE required, five-minute sessions and a five-attempt lockout', () => {
    const config = parseConfig(configSchema, {});
    expect(config).toMatchObject({
      PORT: 8082,
      DEPLOYMENT_MODE: 'sandbox',
      SANDBOX_BANK_PAGE: true,
      PKCE_REQUIRED: true,
      SESSION_IDLE_SECONDS: 300,
      PSU_MAX_FAILED_ATTEMPTS: 5,
      PSU_LOCK_SECONDS: 900,
      REDIS_KEY_PREFIX: 'psd2:',
    });
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('refuses values outside what PSD2 allows', () => {
    expect(() => parseConfig(configSchema, { SESSION_IDLE_SECONDS: '301' })).toThrow(/SESSION_IDLE_SECONDS/);
    expect(() => parseConfig(configSchema, { PSU_MAX_FAILED_ATTEMPTS: '6' })).toThrow(
      /PSU_MAX_FAILED_ATTEMPTS/,
    );
    expect(() => parseConfig(configSchema, { DEPLOYMENT_MODE: 'production' })).toThrow(/DEPLOYMENT_MODE/);
  });

  it('reads the sandbox PSUs as id:name pairs', () => {
    expect(parseSandboxPsus(['a:Alice', ' b : Bob Dupont '])).toEqual([
      { psuId: 'a', displayName: 'Alice' },
      { psuId: 'b', displayName: 'Bob Dupont' },
    ]);
    expect(() => parseSandboxPsus(['no-name'])).toThrow(/SANDBOX_PSUS/);
  });
});
