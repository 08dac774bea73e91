import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '@psd2/config';
import { z } from 'zod';
import { redisConnectionFromSettings, sharedStateRules, tokenStoreSettings } from './settings.js';

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

  it('choose a Redis Cluster with REDIS_CLUSTER_NODES, TLS on unless set false', () => {
    const cluster = parseConfig(schema, { REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.2:6380,[::1]:7000' });
    expect(redisConnectionFromSettings(cluster)).toEqual({
      clusterNodes: [
        { host: 'redis-0', port: 6379 },
        { host: '10.0.0.2', port: 6380 },
        { host: '::1', port: 7000 },
      ],
      username: undefined,
      password: undefined,
      tls: true,
    });
    const plain = parseConfig(schema, {
      REDIS_CLUSTER_NODES: '127.0.0.1:7101',
      REDIS_USERNAME: 'psd2',
      REDIS_PASSWORD: 'secret',
      REDIS_TLS: 'false',
    });
    expect(redisConnectionFromSettings(plain)).toMatchObject({
      username: 'psd2',
      password: 'secret',
      tls: false,
    });
    expect(redisConnectionFromSettings(parseConfig(schema, REDIS))).toEqual({
      url: 'redis://127.0.0.1:6379',
    });
  });

  it('refuse a malformed node list, both REDIS_URL and REDIS_CLUSTER_NODES, and cluster settings without a cluster', () => {
    expect(refusedVariables({ REDIS_CLUSTER_NODES: 'redis-0' })).toEqual(['REDIS_CLUSTER_NODES']);
    expect(refusedVariables({ REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:99999' })).toEqual([
      'REDIS_CLUSTER_NODES',
    ]);
    expect(() => parseConfig(schema, { ...REDIS, REDIS_CLUSTER_NODES: 'redis-0:6379' })).toThrow(
      'REDIS_CLUSTER_NODES and REDIS_URL are both set',
    );
    expect(refusedVariables({ ...REDIS, REDIS_PASSWORD: 'secret', REDIS_TLS: 'true' })).toEqual([
      'REDIS_PASSWORD',
      'REDIS_TLS',
    ]);
  });

  it('refuse a key prefix with a brace, which would put every key in one cluster slot', () => {
    expect(refusedVariables({ ...REDIS, REDIS_KEY_PREFIX: '{psd2}:' })).toEqual(['REDIS_KEY_PREFIX']);
  });
});
