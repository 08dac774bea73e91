import { closeRedisClient, createRedisClient, type RedisConnection } from '@psd2/token-store';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/*
 * A fixed-window request counter per key (an organisation, a client address, a session), on
 * rate-limiter-flexible. In Redis, so that every replica counts against the same budget; in process
 * when no Redis is set (one replica, the laptop default). Each counter is one key, so it runs on a
 * Redis Cluster as on one Redis. A fixed window lets a burst of up to twice
 * the limit straddle a boundary: for refusing floods, an acceptable price for one round trip and one
 * short-lived key per counted key.
 */

export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until the window resets: the Retry-After of a refusal. */
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): Promise<RateDecision>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitOptions {
  /** What is counted, e.g. `registration`: keys of different limiters never collide. */
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

type Counter = RateLimiterMemory | RateLimiterRedis;

/**
 * The library answers a refusal by rejecting with its result; anything else it rejects with (Redis
 * down, a timeout) is passed on untouched, so isDependencyUnavailable still recognises it.
 */
async function hit(counter: Counter, key: string): Promise<RateDecision> {
  const decide = (result: RateLimiterRes, allowed: boolean): RateDecision => ({
    allowed,
    retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
  });
  try {
    return decide(await counter.consume(key), true);
  } catch (error) {
    if (error instanceof RateLimiterRes) return decide(error, false);
    throw error;
  }
}

export function createRedisRateLimiter(
  options: RateLimitOptions & RedisConnection & { readonly keyPrefix: string },
): RateLimiter {
  const redis = createRedisClient(options);
  // The library joins prefix and key with ':', so the Redis key stays `<prefix>rl:<name>:<key>`.
  const counter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${options.keyPrefix}rl:${options.name}`,
    points: options.limit,
    duration: options.windowSeconds,
  });
  return {
    hit: (key) => hit(counter, key),
    async ping() {
      await redis.ping();
    },
    async close() {
      await closeRedisClient(redis);
    },
  };
}

/** The same counter in process memory; each window's entry is dropped when the window ends. */
export function createMemoryRateLimiter(options: RateLimitOptions): RateLimiter {
  const counter = new RateLimiterMemory({
    keyPrefix: `rl:${options.name}`,
    points: options.limit,
    duration: options.windowSeconds,
  });
  return {
    hit: (key) => hit(counter, key),
    async ping() {},
    async close() {},
  };
}
