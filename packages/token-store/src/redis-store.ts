import { Redis } from 'ioredis';
import { decodeAccessToken, encodeAccessToken } from './access-token-codec.js';
import { guarded } from './errors.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  GrantRecord,
  RefreshTokenRecord,
} from './records.js';
import { createRedisGrantIndex } from './redis-grant-index.js';
import { createRedisGrantUsage } from './redis-grant-usage.js';
import { createRedisPaymentStores } from './redis-payments.js';
import { ACTIVE, REDEEM_CODE, ROTATE_REFRESH, ROTATED_REFRESH, USED } from './redis-scripts.js';
import { hashSecret } from './secrets.js';
import {
  CLIENT_REVOCATION_RETENTION_SECONDS,
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
 *   x:<clientId>            revocation time (ms)                TTL: longer than any token of the client lives
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
   * A token is dead once its grant is gone or its client was revoked. One EXISTS answers both: it
   * counts a key once per mention, so with the grant named twice the count is 2 exactly when the grant
   * exists and the client's revocation marker does not (grant 0|2 + marker 0|1).
   */
  async function lineageActive(clientId: string, grantId: string | undefined): Promise<boolean> {
    if (grantId === undefined) return (await redis.exists(clientKey(clientId))) === 0;
    const grant = grantKey(grantId);
    return (await redis.exists(grant, grant, clientKey(clientId))) === 2;
  }

  return {
    ...createRedisPaymentStores(redis, { prefix, grantKey }, nowSeconds),
    ...createRedisGrantIndex(redis, { prefix, grantKey, clientKey }, nowSeconds),
    ...createRedisGrantUsage(redis, { prefix, grantKey }),

    findGrant: (grantId) =>
      guarded(async () => {
        const value = await redis.get(grantKey(grantId));
        if (value === null) return undefined;
        const grant = JSON.parse(value) as GrantRecord;
        if (grant.expiresAt <= nowSeconds()) return undefined;
        return (await lineageActive(grant.clientId, undefined)) ? grant : undefined;
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
        return (await lineageActive(record.clientId, record.grantId)) ? record : undefined;
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
        if (!(await lineageActive(record.clientId, record.grantId))) return undefined;
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

    revokeClient: (clientId) =>
      guarded(async () => {
        await redis.set(clientKey(clientId), String(now()), 'EX', CLIENT_REVOCATION_RETENTION_SECONDS);
      }),

    restoreClient: (clientId) =>
      guarded(async () => {
        await redis.del(clientKey(clientId));
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
