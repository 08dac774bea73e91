export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateLimitOptions,
} from './rate-limit.js';
