import { env } from '@psd2/config';
import { createMemoryTokenStore } from './memory-store.js';
import { createRedisTokenStore } from './redis-store.js';
import type { TokenStore } from './store.js';

/** The environment every service that uses the token store honours. */
export const tokenStoreSettings = {
  /** Unset: the in-process store (the embedded default of a laptop), which one process alone can see. */
  REDIS_URL: env.optionalUrl(['redis', 'rediss']),
  /** Namespaces every key, so several deployments (or test files) can share one Redis. */
  REDIS_KEY_PREFIX: env.text('psd2:'),
};

export function createTokenStoreFromSettings(config: {
  readonly REDIS_URL?: URL | undefined;
  readonly REDIS_KEY_PREFIX: string;
}): TokenStore {
  return config.REDIS_URL === undefined
    ? createMemoryTokenStore()
    : createRedisTokenStore({ url: config.REDIS_URL.href, keyPrefix: config.REDIS_KEY_PREFIX });
}
