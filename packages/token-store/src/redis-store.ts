import { Redis } from 'ioredis';
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
import { createRedisGrantIndex } from './redis-grant-index.js';
import { createRedisGrantUsage } from './redis-grant-usage.js';
import { createRedisPaymentStores } from './redis-payments.js';
import { ACTIVE, REDEEM_CODE, ROTATE_REFRESH, ROTATED_REFRESH, USED } from './redis-scripts.js';
import { hashSecret } from './secrets.js';
import {
  type CodePeek,
  type CodeRedemption,
  REDEEMED_CODE_RETENTION_SECONDS,
  type RefreshTokenLookup,
  type RotationOutcome,
  secondsUntil,
  type TokenStore,
} from './store.js';

/*
 * Key layout, under a configurable prefix (default `psd2:`):
 *   c:<sha256(code)>        'A'|'U' + JSON code record          TTL: code lifetime, then retention once used
 *   g:<grantId>             JSON grant record                   TTL: grant expiry; deleting it revokes the grant
 *   a:<sha256(token)>       binary access token record          TTL: token lifetime
 *   r:<sha256(token)>       'A' + JSON refresh record, or       TTL: grant expiry
 *                           'U<rotated at, ms>:<successor's sha256>:' + JSON once rotated (kept to detect reuse)
 *   x:<clientId>            the client's marker (client-markers.ts): deleted, suspended or a period
 *                                                               TTL: longer than any token of the client
 *                                                               lives; none while it refuses something
 *   s:<sha256(subject)>     the subject's grant ids (redis-grant-index.ts), written with the grant
 *   u:<grantId>             the grant's last use (redis-grant-usage.ts)  TTL: the grant's remaining life
 *   p:…, q:…                payment requests and pushed requests (redis-payments.ts)
 *
 * Every command names all its keys, so scripts stay valid on one Redis node or a Sentinel pair.
 */

export interface RedisTokenStoreOptions {
  readonly url: string;
  /** Namespaces every key; tests use one per file. */
  readonly keyPrefix?: string;
  /** Upper bound on any single command, queueing included. */
  readonly commandTimeoutMs?: number;
  readonly now?: () => number;
}

type RedisWithScripts = Redis & {
  redeemCode(key: string, retentionSeconds: number, clientId: string): Promise<[string, string?]>;
  rotateRefresh(
    oldKey: string,
    grantKey: string,
    clientKey: string,
    newRefreshKey: string,
    newAccessKey: string,
    expectedSuccessorKey: string,
    newRefreshRecord: string,
    newRefreshTtl: number,
    newAccessValue: Buffer,
    newAccessTtl: number,
    presentingClientId: string,
    presentingThumbprint: string,
    nowMs: number,
    graceMs: number,
    newRefreshHash: string,
    expectedSuccessorHash: string,
  ): Promise<RotationOutcome>;
};

export function createRedisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const prefix = options.keyPrefix ?? 'psd2:';
  const redis = new Redis(options.url, {
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    // Fail fast while Redis is down rather than queueing requests behind reconnects.
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  }) as RedisWithScripts;
  // Errors surface on the commands; the connection's own error events would otherwise crash the process.
  redis.on('error', () => undefined);
  redis.defineCommand('redeemCode', { numberOfKeys: 1, lua: REDEEM_CODE });
  redis.defineCommand('rotateRefresh', { numberOfKeys: 6, lua: ROTATE_REFRESH });

  const codeKey = (code: string) => `${prefix}c:${hashSecret(code)}`;
  const grantKey = (grantId: string) => `${prefix}g:${grantId}`;
  const accessKey = (token: string) => `${prefix}a:${hashSecret(token)}`;
  const refreshKeyOfHash = (hash: string) => `${prefix}r:${hash}`;
  const refreshKey = (token: string) => refreshKeyOfHash(hashSecret(token));
  const clientKey = (clientId: string) => `${prefix}x:${clientId}`;

  /** Every record lives in Redis until its own expiry, no longer. */
  const setUntilExpiry = async (key: string, value: string | Buffer, expiresAt: number) => {
    await redis.set(key, value, 'EX', secondsUntil(expiresAt, nowSeconds()));
  };

  /**
   * A record is dead once its grant is gone or its client's marker refuses it (client-markers.ts). One
   * MGET reads both, in the same round trip the EXISTS of earlier versions took.
   */
  async function lineageActive(record: {
    readonly clientId: string;
    readonly grantId?: string | undefined;
    readonly issuedAt: number;
    readonly scope: string;
  }): Promise<boolean> {
    if (record.grantId === undefined)
      return markerAdmits(await redis.get(clientKey(record.clientId)), record);
    const [grant, marker] = await redis.mget(grantKey(record.grantId), clientKey(record.clientId));
    return grant !== null && markerAdmits(marker, record);
  }

  return {
    ...createRedisPaymentStores(redis, { prefix, grantKey }, nowSeconds),
    ...createRedisGrantIndex(redis, { prefix, grantKey, clientKey }, nowSeconds),
    ...createRedisClientMarkers(redis, clientKey, now),
    ...createRedisGrantUsage(redis, { prefix, grantKey }),

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

    findAccessToken: (token) =>
      guarded(async () => {
        const value = await redis.getBuffer(accessKey(token));
        if (value === null) return undefined;
        const record: AccessTokenRecord = decodeAccessToken(value);
        if (record.expiresAt <= nowSeconds()) return undefined;
        return (await lineageActive(record)) ? record : undefined;
      }),

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

    rotateRefreshToken: (oldToken, request) =>
      guarded(async () => {
        const { next, presenter, expectedSuccessor } = request;
        const at = now();
        const nextHash = hashSecret(next.refreshToken);
        return redis.rotateRefresh(
          refreshKey(oldToken),
          grantKey(request.grantId),
          clientKey(presenter.clientId),
          refreshKeyOfHash(nextHash),
          accessKey(next.accessToken),
          expectedSuccessor === undefined ? refreshKey(oldToken) : refreshKeyOfHash(expectedSuccessor),
          JSON.stringify(next.refreshRecord),
          secondsUntil(next.refreshRecord.expiresAt, Math.floor(at / 1000)),
          encodeAccessToken(next.accessRecord),
          secondsUntil(next.accessRecord.expiresAt, Math.floor(at / 1000)),
          presenter.clientId,
          presenter.certificateThumbprint,
          at,
          request.reuseGraceSeconds * 1000,
          nextHash,
          expectedSuccessor ?? '',
        );
      }),

    ping: () =>
      guarded(async () => {
        await redis.ping();
      }),

    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
