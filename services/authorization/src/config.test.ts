import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig, pushedAuthorizationRequired } from '@psd2/config';
import { configSchema, parseSandboxPsus } from './config.js';

const STORES = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://127.0.0.1/psu' };

function refusedVariables(source: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(configSchema, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('authorization configuration', () => {
  it('defaults to a bank with PKCE required, five-minute sessions and a five-attempt lockout', () => {
    const config = parseConfig(configSchema, STORES);
    expect(config).toMatchObject({
      PORT: 8082,
      DEPLOYMENT_MODE: 'bank',
      PKCE_REQUIRED: true,
      SESSION_IDLE_SECONDS: 300,
      PSU_MAX_FAILED_ATTEMPTS: 5,
      PSU_LOCK_SECONDS: 900,
      REDIS_KEY_PREFIX: 'psd2:',
    });
  });

  it('refuses to start in bank mode without REDIS_URL or DATABASE_URL, naming each', () => {
    expect(refusedVariables({})).toEqual(['REDIS_URL', 'DATABASE_URL']);
    expect(refusedVariables({ DATABASE_URL: STORES.DATABASE_URL })).toEqual(['REDIS_URL']);
    expect(refusedVariables({ REDIS_URL: STORES.REDIS_URL })).toEqual(['DATABASE_URL']);
    expect(
      refusedVariables({ ...STORES, TOKEN_STORE_URL: 'http://127.0.0.1:9000', TOKEN_STORE_SECRET: 's' }),
    ).toEqual(['TOKEN_STORE_URL']);
  });

  it('keeps sessions, codes and PSUs in this process only when sandbox is asked for', () => {
    const config = parseConfig(configSchema, { DEPLOYMENT_MODE: 'sandbox' });
    expect(config).toMatchObject({ DEPLOYMENT_MODE: 'sandbox', SANDBOX_BANK_PAGE: true });
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('refuses values outside what PSD2 allows', () => {
    expect(() => parseConfig(configSchema, { ...STORES, SESSION_IDLE_SECONDS: '301' })).toThrow(
      /SESSION_IDLE_SECONDS/,
    );
    expect(() => parseConfig(configSchema, { ...STORES, PSU_MAX_FAILED_ATTEMPTS: '6' })).toThrow(
      /PSU_MAX_FAILED_ATTEMPTS/,
    );
    expect(() => parseConfig(configSchema, { DEPLOYMENT_MODE: 'production' })).toThrow(/DEPLOYMENT_MODE/);
  });

  it('requires pushed requests in bank mode unless PAR_REQUIRED says otherwise; not in a sandbox', () => {
    expect(pushedAuthorizationRequired(parseConfig(configSchema, STORES))).toBe(true);
    expect(pushedAuthorizationRequired(parseConfig(configSchema, { ...STORES, PAR_REQUIRED: 'false' }))).toBe(
      false,
    );
    expect(pushedAuthorizationRequired(parseConfig(configSchema, { DEPLOYMENT_MODE: 'sandbox' }))).toBe(
      false,
    );
    expect(parseConfig(configSchema, STORES).PAR_PAYMENT_REQUEST_SECONDS).toBe(600);
    expect(refusedVariables({ ...STORES, PAR_REQUIRED: 'maybe', PAR_PAYMENT_REQUEST_SECONDS: '10' })).toEqual(
      ['PAR_REQUIRED', 'PAR_PAYMENT_REQUEST_SECONDS'],
    );
  });

  it('reads the sandbox PSUs as id:name pairs', () => {
    expect(parseSandboxPsus(['a:Alice', ' b : Bob Dupont '])).toEqual([
      { psuId: 'a', displayName: 'Alice' },
      { psuId: 'b', displayName: 'Bob Dupont' },
    ]);
    expect(() => parseSandboxPsus(['no-name'])).toThrow(/SANDBOX_PSUS/);
  });
});
