import { type DeploymentMode, env } from '@psd2/config';
import { z } from 'zod';
import { createMemoryTokenStore } from './memory-store.js';
import type { ClusterNode, RedisConnection } from './redis-connection.js';
import { KEY_PREFIX_PATTERN } from './redis-keys.js';
import { createRedisTokenStore } from './redis-store.js';
import { createRemoteTokenStore } from './remote-store.js';
import type { TokenStore } from './store.js';

/** The environment every service that uses the token store honours. */
export const tokenStoreSettings = {
  /** `bank` (the default) or `sandbox`; bank mode requires REDIS_URL (`sharedStateRules`). */
  DEPLOYMENT_MODE: env.deploymentMode(),
  /** The production store on one Redis (or the address of a proxy in front of several). */
  REDIS_URL: env.optionalUrl(['redis', 'rediss']),
  /** The production store on a Redis Cluster, instead of REDIS_URL: `host:port,host:port,...`. */
  REDIS_CLUSTER_NODES: clusterNodesField(),
  /** With REDIS_CLUSTER_NODES: the ACL user and password (REDIS_URL carries its own in the URL). */
  REDIS_USERNAME: env.optionalText(),
  REDIS_PASSWORD: env.optionalText(),
  /** With REDIS_CLUSTER_NODES: TLS to every node (on unless set false, like rediss: for REDIS_URL). */
  REDIS_TLS: env.optionalFlag(),
  /** Namespaces every key, so several deployments (or test files) can share one Redis. */
  REDIS_KEY_PREFIX: env.text('psd2:'),
  /**
   * Sandbox only: without Redis, `pnpm start` shares one in-process store between the services through
   * the launcher (loopback only, guarded by TOKEN_STORE_SECRET). Neither set: this process's own store.
   */
  TOKEN_STORE_URL: env.optionalUrl(['http']),
  TOKEN_STORE_SECRET: env.optionalText(),
};

function clusterNodesField() {
  return z
    .string()
    .optional()
    .transform((raw, ctx): ClusterNode[] | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const nodes = raw.split(',').map((item) => /^([\w.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(item.trim()));
      const parsed = nodes.flatMap((match) =>
        match?.[1] !== undefined && Number(match[2]) >= 1 && Number(match[2]) <= 65535
          ? [{ host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) }]
          : [],
      );
      if (parsed.length !== nodes.length) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of host:port' });
        return z.NEVER;
      }
      return parsed;
    });
}

interface SharedStateSettings {
  readonly DEPLOYMENT_MODE: DeploymentMode;
  readonly REDIS_URL?: URL | undefined;
  readonly REDIS_CLUSTER_NODES?: readonly ClusterNode[] | undefined;
  readonly REDIS_USERNAME?: string | undefined;
  readonly REDIS_PASSWORD?: string | undefined;
  readonly REDIS_TLS?: boolean | undefined;
  readonly REDIS_KEY_PREFIX?: string | undefined;
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
  redisConnectionRules(config, ctx);
  if (config.DEPLOYMENT_MODE === 'bank') {
    if (config.REDIS_URL === undefined && config.REDIS_CLUSTER_NODES === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message:
          'is required when DEPLOYMENT_MODE is bank (the default): an absolute URL with scheme redis: or rediss: (or set REDIS_CLUSTER_NODES)',
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

/** One Redis or a cluster, never both; cluster credentials only with a cluster; no brace in the prefix. */
function redisConnectionRules(config: SharedStateSettings, ctx: z.RefinementCtx): void {
  if (config.REDIS_URL !== undefined && config.REDIS_CLUSTER_NODES !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_CLUSTER_NODES'],
      message: 'and REDIS_URL are both set: set REDIS_URL for one Redis or REDIS_CLUSTER_NODES for a cluster',
    });
  }
  if (config.REDIS_CLUSTER_NODES === undefined) {
    for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS'] as const) {
      if (config[name] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'applies to REDIS_CLUSTER_NODES only (REDIS_URL carries its credentials and TLS itself)',
        });
      }
    }
  }
  if (config.REDIS_KEY_PREFIX !== undefined && !KEY_PREFIX_PATTERN.test(config.REDIS_KEY_PREFIX)) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_KEY_PREFIX'],
      message: 'must not contain { or } (Redis Cluster would hash keys by a part of the prefix)',
    });
  }
}

interface RedisConnectionSettings {
  readonly REDIS_URL?: URL | undefined;
  readonly REDIS_CLUSTER_NODES?: readonly ClusterNode[] | undefined;
  readonly REDIS_USERNAME?: string | undefined;
  readonly REDIS_PASSWORD?: string | undefined;
  readonly REDIS_TLS?: boolean | undefined;
}

/**
 * The Redis the settings name, for the token store and every other Redis user of a service (rate
 * limits, sessions); undefined when neither REDIS_URL nor REDIS_CLUSTER_NODES is set.
 */
export function redisConnectionFromSettings(config: RedisConnectionSettings): RedisConnection | undefined {
  if (config.REDIS_URL !== undefined) return { url: config.REDIS_URL.href };
  if (config.REDIS_CLUSTER_NODES === undefined) return undefined;
  return {
    clusterNodes: config.REDIS_CLUSTER_NODES,
    username: config.REDIS_USERNAME,
    password: config.REDIS_PASSWORD,
    tls: config.REDIS_TLS ?? true,
  };
}

export function createTokenStoreFromSettings(
  config: RedisConnectionSettings & {
    readonly REDIS_KEY_PREFIX: string;
    readonly TOKEN_STORE_URL?: URL | undefined;
    readonly TOKEN_STORE_SECRET?: string | undefined;
  },
): TokenStore {
  const redis = redisConnectionFromSettings(config);
  if (redis !== undefined) return createRedisTokenStore({ ...redis, keyPrefix: config.REDIS_KEY_PREFIX });
  if (config.TOKEN_STORE_URL !== undefined) {
    // sharedStateRules refuses this at start-up; kept so that a caller that skipped them fails loudly.
    if (config.TOKEN_STORE_SECRET === undefined) throw new Error('TOKEN_STORE_URL needs TOKEN_STORE_SECRET');
    return createRemoteTokenStore({ url: config.TOKEN_STORE_URL.origin, secret: config.TOKEN_STORE_SECRET });
  }
  return createMemoryTokenStore();
}
