import { env } from '@psd2/config';
import { createMemoryTokenStore } from './memory-store.js';
import { createRedisTokenStore } from './redis-store.js';
import { createRemoteTokenStore } from './remote-store.js';
import type { TokenStore } from './store.js';

/** The environment every service that uses the token store honours. */
export const tokenStoreSettings = {
  /** The production store. */
  REDIS_URL: env.optionalUrl(['redis', 'rediss']),
  /** Namespaces every key, so several deployments (or test files) can share one Redis. */
  REDIS_KEY_PREFIX: env.text('psd2:'),
  /**
   * Without Redis, `pnpm start` shares one in-process store between the services through the
   * launcher (loopback only, guarded by TOKEN_STORE_SECRET). Neither set: this process's own store.
   */
  TOKEN_STORE_URL: env.optionalUrl(['http']),
  TOKEN_STORE_SECRET: env.optionalText(),
};

export function createTokenStoreFromSettings(config: {
  readonly REDIS_URL?: URL | undefined;
  readonly REDIS_KEY_PREFIX: string;
  readonly TOKEN_STORE_URL?: URL | undefined;
  readonly TOKEN_STORE_SECRET?: string | undefined;
}): TokenStore {
  if (config.REDIS_URL !== undefined) {
    return createRedisTokenStore({ url: config.REDIS_URL.href, keyPrefix: config.REDIS_KEY_PREFIX });
  }
  if (config.TOKEN_STORE_URL !== undefined) {
    if (config.TOKEN_STORE_SECRET === undefined) throw new Error('TOKEN_STORE_URL needs TOKEN_STORE_SECRET');
    return createRemoteTokenStore({ url: config.TOKEN_STORE_URL.origin, secret: config.TOKEN_STORE_SECRET });
  }
  return createMemoryTokenStore();
}
