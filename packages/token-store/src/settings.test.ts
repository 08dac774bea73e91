import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '@psd2/config';
import { z } from 'zod';
import { sharedStateRules, tokenStoreSettings } from './settings.js';

/*
 * The shared-state rules once, on the settings alone; each service's config test only shows that its
 * schema applies them.
 */

const schema = z.object(tokenStoreSettings).superRefine(sharedStateRules);
const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

function refusedVariables(source: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(schema, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('token store settings', () => {
  it('run as a bank when DEPLOYMENT_MODE is unset', () => {
    expect(parseConfig(schema, REDIS).DEPLOYMENT_MODE).toBe('bank');
  });

  it('refuse bank mode without REDIS_URL, naming it', () => {
    expect(refusedVariables({})).toEqual(['REDIS_URL']);
    expect(() => parseConfig(schema, { DEPLOYMENT_MODE: 'bank' })).toThrow(
      'REDIS_URL is required when DEPLOYMENT_MODE is bank',
    );
  });

  it("refuse the development launcher's shared store in bank mode", () => {
    expect(
      refusedVariables({ ...REDIS, TOKEN_STORE_URL: 'http://127.0.0.1:9000', TOKEN_STORE_SECRET: 's' }),
    ).toEqual(['TOKEN_STORE_URL']);
  });

  it("keep state in this process, or the launcher's store, only when sandbox is asked for", () => {
    expect(parseConfig(schema, { DEPLOYMENT_MODE: 'sandbox' }).REDIS_URL).toBeUndefined();
    const shared = { DEPLOYMENT_MODE: 'sandbox', TOKEN_STORE_URL: 'http://127.0.0.1:9000' };
    expect(parseConfig(schema, { ...shared, TOKEN_STORE_SECRET: 's' }).TOKEN_STORE_URL?.port).toBe('9000');
    expect(refusedVariables(shared)).toEqual(['TOKEN_STORE_SECRET']);
  });
});
