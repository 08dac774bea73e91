import { type DeploymentMode, env } from '@psd2/config';
import type { z } from 'zod';
import { createMemoryTokenStore } from './memory-store.js';
import { createRedisTokenStore } from './redis-store.js';
import { createRemoteTokenStore } from './remote-store.js';
import type { TokenStore } from './store.js';

/** The environment every service that uses the token store honours. */
export const tokenStoreSettings = {
  /** `bank` (the default) or `sandbox`; bank mode requires REDIS_URL (`sharedStateRules`). */
  DEPLOYMENT_MODE: env.deploymentMode(),
  /** The production store. */
  REDIS_URL: env.optionalUrl(['redis', 'rediss']),
  /** Namespaces every key, so several deployments (or test files) can share one Redis. */
  REDIS_KEY_PREFIX: env.text('psd2:'),
  /**
   * Sandbox only: without Redis, `pnpm start` shares one in-process store between the services through
   * the launcher (loopback only, guarded by TOKEN_STORE_SECRET). Neither set: this process's own store.
   */
  TOKEN_STORE_URL: env.optionalUrl(['http']),
  TOKEN_STORE_SECRET: env.optionalText(),
};

interface SharedStateSettings {
  readonly DEPLOYMENT_MODE: DeploymentMode;
  readonly REDIS_URL?: URL | undefined;
  readonly TOKEN_STORE_URL?: URL | undefined;
  readonly TOKEN_STORE_SECRET?: string | undefined;
}

/**
 * The start-up checks of `tokenStoreSettings`, for a service schema's `.superRefine(...)`. In bank mode
 * codes, grants, tokens, sessions, revocation markers and rate limits live in Redis only: a store in
 * one process gives every replica its own truth (a code redeemable once per replica, a deleted client's
 * tokens alive on the others, a rate limit counted per replica), and the launcher's shared store is a
 * development convenience that keeps nothing across a restart.
 */
export function sharedStateRules(config: SharedStateSettings, ctx: z.RefinementCtx): void {
  if (config.DEPLOYMENT_MODE === 'bank') {
    if (config.REDIS_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message:
          'is required when DEPLOYMENT_MODE is bank (the default): an absolute URL with scheme redis: or rediss:',
      });
    }
    if (config.TOKEN_STORE_URL !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOKEN_STORE_URL'],
        message:
          "is the development launcher's store: not allowed when DEPLOYMENT_MODE is bank (set REDIS_URL)",
      });
    }
  }
  if (config.TOKEN_STORE_URL !== undefined && config.TOKEN_STORE_SECRET === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['TOKEN_STORE_SECRET'],
      message: 'is required with TOKEN_STORE_URL: a non-empty string',
    });
  }
}

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
    // sharedStateRules refuses this at start-up; kept so that a caller that skipped them fails loudly.
    if (config.TOKEN_STORE_SECRET === undefined) throw new Error('TOKEN_STORE_URL needs TOKEN_STORE_SECRET');
    return createRemoteTokenStore({ url: config.TOKEN_STORE_URL.origin, secret: config.TOKEN_STORE_SECRET });
  }
  return createMemoryTokenStore();
}
