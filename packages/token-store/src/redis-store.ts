import { decodeAccessToken, encodeAccessToken } from './access-token-codec.js';
import { markerAdmits } from './client-markers.js';
import { guarded } from './errors.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  GrantRecord,
  RefreshTokenRecord,
} from './records.js';
import { createRedisClientMarkers } from './redis-client-markers.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisConnection,
} from './redis-connection.js';
import { createRedisGrantIndex } from './redis-grant-index.js';
import { createRedisGrantUsage } from './redis-grant-usage.js';
import { tokenStoreKeys } from './redis-keys.js';
import { createRedisPaymentStores } from './redis-payments.js';
import { createRedisRotation } from './redis-rotation.js';
import { ACTIVE, REDEEM_CODE, ROTATED_REFRESH, USED } from './redis-scripts.js';
import {
  type CodePeek,
  type CodeRedemption,
  REDEEMED_CODE_RETENTION_SECONDS,
  type RefreshTokenLookup,
  secondsUntil,
  type TokenStore,
} from './store.js';

/*
 * The token store on one Redis or a Redis Cluster (redis-connection.ts); key layout and hash slots in
 * redis-keys.ts. Every script and MULTI touches keys of one slot; a read that needs several records
 * sends one command per key in the same round trip.
 */

export type RedisTokenStoreOptions = RedisConnection & {
  /** Namespaces every key; tests use one per file. */
  readonly keyPrefix?: string;
  /** Upper bound on any single command, queueing included. */
  readonly commandTimeoutMs?: number;
  readonly now?: () => number;
};

type RedisWithScripts = RedisClient & {
  redeemCode(key: string, retentionSeconds: number, clientId: string): Promise<[string, string?]>;
};

export function createRedisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const keys = tokenStoreKeys(options.keyPrefix ?? 'psd2:');
  const redis = createRedisClient(options, {
    commandTimeoutMs: options.commandTimeoutMs ?? 1000,
    enableAutoPipelining: true,
  }) as RedisWithScripts;
  redis.defineCommand('redeemCode', { numberOfKeys: 1, lua: REDEEM_CODE });

  const codeKey = keys.code;
  const grantKey = keys.grant;
  const accessKey = keys.access;
  const refreshKey = keys.refresh;
  const clientKey = keys.client;
  const rotate = createRedisRotation(redis, keys, now);

  /** Every record lives in Redis until its own expiry, no longer. */
  const setUntilExpiry = async (key: string, value: string | Buffer, expiresAt: number) => {
    await redis.set(key, value, 'EX', secondsUntil(expiresAt, nowSeconds()));
  };

  /**
   * A record is dead once its grant is gone or its client's marker refuses it (client-markers.ts). Both
   * are read in one round trip (auto-pipelined; on a cluster each from its own master).
   */
  async function lineageActive(record: {
    readonly clientId: string;
    readonly grantId?: string | undefined;
    readonly issuedAt: number;
    readonly scope: string;
  }): Promise<boolean> {
    if (record.grantId === undefined)
      return markerAdmits(await redis.get(clientKey(record.clientId)), record);
    const [grant, marker] = await Promise.all([
      redis.exists(grantKey(record.grantId)),
      redis.get(clientKey(record.clientId)),
    ]);
    return grant > 0 && markerAdmits(marker, record);
  }

  /** findAccessToken's rules, for the token stored at `key` (found by its value or by its hash). */
  async function activeAccessTokenAt(key: string): Promise<AccessTokenRecord | undefined> {
    const value = await redis.getBuffer(key);
    if (value === null) return undefined;
    const record: AccessTokenRecord = decodeAccessToken(value);
    if (record.expiresAt <= nowSeconds()) return undefined;
    return (await lineageActive(record)) ? record : undefined;
  }

  return {
    ...createRedisPaymentStores(redis, keys, nowSeconds),
    ...createRedisGrantIndex(redis, keys, nowSeconds),
    ...createRedisClientMarkers(redis, clientKey, now),
    ...createRedisGrantUsage(redis, keys),

    findGrant: (grantId) =>
      guarded(async () => {
        const value = await redis.get(grantKey(grantId));
        if (value === null) return undefined;
        const grant = JSON.parse(value) as GrantRecord;
        if (grant.expiresAt <= nowSeconds()) return undefined;
        const marker = await redis.get(clientKey(grant.clientId));
        return markerAdmits(marker, { issuedAt: grant.createdAt, scope: grant.scope }) ? grant : undefined;
      }),

    revokeGrant: (grantId) =>
      guarded(async () => {
        await redis.del(grantKey(grantId));
      }),

    saveAuthorizationCode: (code, record) =>
      guarded(() => setUntilExpiry(codeKey(code), ACTIVE + JSON.stringify(record), record.expiresAt)),

    peekAuthorizationCode: (code) =>
      guarded(async (): Promise<CodePeek | undefined> => {
        const value = await redis.get(codeKey(code));
        if (value === null) return undefined;
        const record = JSON.parse(value.slice(1)) as AuthorizationCodeRecord;
        if (value.startsWith(ACTIVE) && record.expiresAt <= nowSeconds()) return undefined;
        return { state: value.startsWith(USED) ? 'redeemed' : 'unused', record };
      }),

    redeemAuthorizationCode: (code, clientId) =>
      guarded(async (): Promise<CodeRedemption> => {
        const [outcome, body] = await redis.redeemCode(
          codeKey(code),
          REDEEMED_CODE_RETENTION_SECONDS,
          clientId,
        );
        if (outcome === 'foreign') return { outcome: 'foreign' };
        if (outcome === 'unknown' || body === undefined) return { outcome: 'unknown' };
        const record = JSON.parse(body) as AuthorizationCodeRecord;
        if (outcome === 'replayed') {
          // The script decided, atomically, that this is the owner's replay; the grant's key is only
          // known from the record, so the revocation that follows is a separate (idempotent) command.
          await redis.del(grantKey(record.grantId));
          return { outcome: 'replayed', record };
        }
        if (record.expiresAt <= nowSeconds()) return { outcome: 'unknown' };
        return { outcome: 'redeemed', record };
      }),

    saveAccessToken: (token, record) =>
      guarded(() => setUntilExpiry(accessKey(token), encodeAccessToken(record), record.expiresAt)),

    findAccessToken: (token) => guarded(() => activeAccessTokenAt(accessKey(token))),

    findAccessTokenByHash: (hash) => guarded(() => activeAccessTokenAt(keys.accessOfHash(hash))),

    revokeAccessToken: (token) => guarded(async () => (await redis.del(accessKey(token))) > 0),

    saveRefreshToken: (token, record) =>
      guarded(() => setUntilExpiry(refreshKey(token), ACTIVE + JSON.stringify(record), record.expiresAt)),

    lookupRefreshToken: (token) =>
      guarded(async (): Promise<RefreshTokenLookup | undefined> => {
        const value = await redis.get(refreshKey(token));
        if (value === null) return undefined;
        const rotated = ROTATED_REFRESH.exec(value);
        const record = JSON.parse(value.slice(rotated?.[0].length ?? 1)) as RefreshTokenRecord;
        if (record.expiresAt <= nowSeconds()) return undefined;
        if (!(await lineageActive(record))) return undefined;
        if (value.startsWith(ACTIVE)) return { state: 'active', record };
        return rotated?.[2] === undefined
          ? { state: 'rotated', record }
          : { state: 'rotated', record, successor: rotated[2] };
      }),

    rotateRefreshToken: (oldToken, request) => guarded(() => rotate(oldToken, request)),

    ping: () =>
      guarded(async () => {
        await redis.ping();
      }),

    close: async () => {
      await closeRedisClient(redis);
    },
  };
}
