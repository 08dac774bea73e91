export { decodeAccessToken, encodeAccessToken } from './access-token-codec.js';
export { TokenStoreUnavailableError } from './errors.js';
export {
  DEFAULT_GRANT_LIST_LIMIT,
  type GrantIndexStore,
  type GrantListOptions,
  MAX_GRANT_LIST_LIMIT,
} from './grant-index.js';
export {
  GRANT_USE_INTERVAL_SECONDS,
  type GrantUsageStore,
  MAX_GRANT_USAGE_LOOKUP,
} from './grant-usage.js';
export { createMemoryTokenStore, type MemoryTokenStore } from './memory-store.js';
export { newPaymentRequest, paymentRequestStatus } from './payment-requests.js';
export {
  PAYMENT_REQUEST_RETENTION_SECONDS,
  type PaymentCompletionOutcome,
  type PaymentDecisionOutcome,
  type PaymentRequestStore,
  type PushedRequestStore,
  type PushedRequestUse,
} from './payment-store.js';
export type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  BoundPaymentToken,
  GrantRecord,
  PaymentDecision,
  PaymentRequestRecord,
  PaymentRequestStatus,
  PushedRequestRecord,
  RefreshTokenRecord,
} from './records.js';
export {
  type ClusterNode,
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisConnection,
  redisMasters,
} from './redis-connection.js';
export { type TokenStoreKeys, tokenStoreKeys } from './redis-keys.js';
export { createRedisTokenStore, type RedisTokenStoreOptions } from './redis-store.js';
export { createRemoteTokenStore, hostTokenStore, type TokenStoreHost } from './remote-store.js';
export {
  generateGrantId,
  generateOpaqueToken,
  generatePaymentRequestId,
  generateRequestUri,
  hashSecret,
} from './secrets.js';
export {
  createTokenStoreFromSettings,
  redisConnectionFromSettings,
  sharedStateRules,
  tokenStoreSettings,
} from './settings.js';
export type {
  CodePeek,
  CodeRedemption,
  IssuedTokens,
  RefreshPresenter,
  RefreshTokenLookup,
  RotationOutcome,
  RotationRequest,
  TokenStore,
} from './store.js';
