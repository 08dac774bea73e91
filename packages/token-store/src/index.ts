export { decodeAccessToken, encodeAccessToken } from './access-token-codec.js';
export { TokenStoreUnavailableError } from './errors.js';
export { createMemoryTokenStore, type MemoryTokenStore } from './memory-store.js';
export type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  GrantRecord,
  RefreshTokenRecord,
} from './records.js';
export { createRedisTokenStore, type RedisTokenStoreOptions } from './redis-store.js';
export { createRemoteTokenStore, hostTokenStore, type TokenStoreHost } from './remote-store.js';
export { generateGrantId, generateOpaqueToken, hashSecret } from './secrets.js';
export { createTokenStoreFromSettings, sharedStateRules, tokenStoreSettings } from './settings.js';
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
