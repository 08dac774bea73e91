import { Redis } from 'ioredis';

/*
 * A fixed-window request counter per key (an organisation, a client address, a session). In Redis, so
 * that every replica counts against the same budget; in process when REDIS_URL is unset (one replica,
 * the laptop default). A fixed window lets a burst of up to twice the limit straddle a boundary: for
 * refusing floods, an acceptable price for one round trip and one short-lived key per counted key.
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

/**
 * INCR and EXPIRE in one atomic step: a counter created without its expiry (a crash between two
 * commands) would refuse the organisation forever. Returns the count and the time left in the window.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type RedisWithHit = Redis & { rateLimitHit(key: string, windowSeconds: number): Promise<[number, number]> };

export function createRedisRateLimiter(
  options: RateLimitOptions & { readonly url: string; readonly keyPrefix: string },
): RateLimiter {
  const redis = new Redis(options.url, {
    commandTimeout: 1000,
    connectTimeout: 2000,
    // Fail fast while Redis is down rather than queueing requests behind reconnects.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  }) as RedisWithHit;
  // Errors surface on the commands; an unhandled connection error event would end the process.
  redis.on('error', () => undefined);
  redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT });
  return {
    async hit(key) {
      const [count, ttl] = await redis.rateLimitHit(
        `${options.keyPrefix}rl:${options.name}:${key}`,
        options.windowSeconds,
      );
      return { allowed: count <= options.limit, retryAfterSeconds: Math.max(1, ttl) };
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The same counter in process memory; windows that have ended are dropped so memory stays bounded. */
export function createMemoryRateLimiter(
  options: RateLimitOptions & { readonly now?: () => number },
): RateLimiter {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { count: number; resetsAt: number }>();
  return {
    async hit(key) {
      const at = now();
      if (windows.size > 10_000) {
        for (const [name, window] of windows) if (window.resetsAt <= at) windows.delete(name);
      }
      let window = windows.get(key);
      if (window === undefined || window.resetsAt <= at) {
        window = { count: 0, resetsAt: at + options.windowSeconds * 1000 };
        windows.set(key, window);
      }
      window.count += 1;
      return {
        allowed: window.count <= options.limit,
        retryAfterSeconds: Math.max(1, Math.ceil((window.resetsAt - at) / 1000)),
      };
    },
    async ping() {},
    async close() {},
  };
}
