export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateLimitOptions,
} from './rate-limit.js';
export { withinRateLimit } from './within-rate.js';
