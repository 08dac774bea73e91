import { encodeAccessToken } from './access-token-codec.js';
import type { RedisClient } from './redis-connection.js';
import type { TokenStoreKeys } from './redis-keys.js';
import { ACTIVE, RETIRE_SUCCESSOR, ROTATE_REFRESH } from './redis-scripts.js';
import { hashSecret } from './secrets.js';
import { type RotationOutcome, type RotationRequest, secondsUntil } from './store.js';

/*
 * Refresh token rotation in steps of one key each, so that it runs on a Redis Cluster, where the old
 * token, its successor, the grant and the client's marker each live in a slot of their own:
 * 1. in one round trip: store the new refresh and access tokens, read whether the grant exists and the
 *    client's marker. The new tokens are stored first so that no later failure can leave a retired
 *    token pointing at a successor that was never stored (its retry would then count as reuse); until
 *    this call answers nobody knows their values, and they are deleted again unless the rotation
 *    happens.
 * 2. ROTATE_REFRESH on the presented token: the single-use decision, atomic as before.
 * 3. what the decision asks: reuse deletes the grant; a retry within the grace window retires the
 *    successor it replaces (RETIRE_SUCCESSOR), and is reuse after all if that successor was used.
 * A grant revoked or a client suspended between 1 and 2 is still honoured: every use of a token checks
 * its grant and its client's marker again (lineage), so tokens issued in that moment are dead.
 */

type RotationCommands = RedisClient & {
  rotateRefresh(
    oldKey: string,
    presentingClientId: string,
    presentingThumbprint: string,
    nowMs: number,
    graceMs: number,
    newRefreshHash: string,
    expectedSuccessorHash: string,
    grantExists: '1' | '0',
    marker: string,
  ): Promise<RotationOutcome | 'repointed'>;
  retireSuccessor(key: string, nowMs: number, newRefreshHash: string): Promise<number>;
};

export function createRedisRotation(
  client: RedisClient,
  keys: TokenStoreKeys,
  now: () => number,
): (oldToken: string, request: RotationRequest) => Promise<RotationOutcome> {
  const redis = client as RotationCommands;
  redis.defineCommand('rotateRefresh', { numberOfKeys: 1, lua: ROTATE_REFRESH });
  redis.defineCommand('retireSuccessor', { numberOfKeys: 1, lua: RETIRE_SUCCESSOR });

  return async (oldToken, request) => {
    const { next, presenter, expectedSuccessor } = request;
    const at = now();
    const atSeconds = Math.floor(at / 1000);
    const nextHash = hashSecret(next.refreshToken);
    const nextRefreshKey = keys.refreshOfHash(nextHash);
    const nextAccessKey = keys.access(next.accessToken);
    const [, , grantExists, marker] = await Promise.all([
      redis.set(
        nextRefreshKey,
        ACTIVE + JSON.stringify(next.refreshRecord),
        'EX',
        secondsUntil(next.refreshRecord.expiresAt, atSeconds),
      ),
      redis.set(
        nextAccessKey,
        encodeAccessToken(next.accessRecord),
        'EX',
        secondsUntil(next.accessRecord.expiresAt, atSeconds),
      ),
      redis.exists(keys.grant(request.grantId)),
      redis.get(keys.client(presenter.clientId)),
    ]);
    const decision = await redis.rotateRefresh(
      keys.refresh(oldToken),
      presenter.clientId,
      presenter.certificateThumbprint,
      at,
      request.reuseGraceSeconds * 1000,
      nextHash,
      expectedSuccessor ?? '',
      grantExists > 0 ? '1' : '0',
      marker === null ? '0' : `1${marker}`,
    );
    const outcome = await settle(decision);
    if (outcome !== 'rotated' && outcome !== 'retried') {
      // Never handed out: dropped now rather than left to their TTL.
      await redis.del(nextRefreshKey).catch(() => 0);
      await redis.del(nextAccessKey).catch(() => 0);
    }
    return outcome;

    async function settle(answer: RotationOutcome | 'repointed'): Promise<RotationOutcome> {
      if (answer === 'repointed' && expectedSuccessor !== undefined) {
        const retired = await redis.retireSuccessor(keys.refreshOfHash(expectedSuccessor), at, nextHash);
        if (retired === 1) return 'retried';
      } else if (answer !== 'reused' && answer !== 'repointed') {
        return answer;
      }
      await redis.del(keys.grant(request.grantId));
      return 'reused';
    }
  };
}
