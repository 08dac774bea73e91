import {
  markerIsPermanent,
  markerOnDelete,
  markerOnReinstate,
  markerOnRestore,
  markerOnSuspend,
  untilPeriodStarts,
} from './client-markers.js';
import { guarded } from './errors.js';
import type { RedisClient } from './redis-connection.js';
import { SET_CLIENT_MARKER } from './redis-scripts.js';
import { CLIENT_REVOCATION_RETENTION_SECONDS, type TokenStore } from './store.js';

/*
 * The writes of a client's marker `x:<clientId>` on Redis (rules: client-markers.ts). Each is a
 * compare-and-set: read, decide in JavaScript, write only if the marker is still what was read, else
 * read again. A client deletion and an operator suspension at the same moment therefore never
 * overwrite each other.
 */

type MarkerCommands = RedisClient & {
  setClientMarker(key: string, expected: string, next: string, ttl: string): Promise<number>;
};

type ClientMarkerWrites = Pick<
  TokenStore,
  'revokeClient' | 'restoreClient' | 'suspendClient' | 'reinstateClient'
>;

const MAX_ATTEMPTS = 8;

export function createRedisClientMarkers(
  client: RedisClient,
  clientKey: (clientId: string) => string,
  now: () => number,
): ClientMarkerWrites {
  const redis = client as MarkerCommands;
  redis.defineCommand('setClientMarker', { numberOfKeys: 1, lua: SET_CLIENT_MARKER });

  /** Applies `decide` (undefined: leave the marker; `{ next: undefined }`: remove it); returns what it wrote. */
  async function changeMarker(
    clientId: string,
    decide: (current: string | undefined) => { readonly next: string | undefined } | undefined,
  ): Promise<string | undefined> {
    const key = clientKey(clientId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = (await redis.get(key)) ?? undefined;
      const decision = decide(current);
      if (decision === undefined) return undefined;
      const { next } = decision;
      const ttl =
        next === undefined || markerIsPermanent(next) ? '0' : String(CLIENT_REVOCATION_RETENTION_SECONDS);
      const expected = current === undefined ? '0' : `1${current}`;
      if ((await redis.setClientMarker(key, expected, next === undefined ? '0' : `1${next}`, ttl)) === 1)
        return next;
    }
    throw new Error(`the marker of client ${clientId} kept changing`);
  }

  const writeUnlessKept = (next: string | undefined) => (next === undefined ? undefined : { next });

  return {
    revokeClient: (clientId) =>
      guarded(async () => {
        await changeMarker(clientId, (current) => ({ next: markerOnDelete(current, now()) }));
      }),

    restoreClient: (clientId) =>
      guarded(async () => {
        await changeMarker(clientId, (current) => ({ next: markerOnRestore(current) }));
      }),

    suspendClient: (clientId) =>
      guarded(async () => {
        await changeMarker(clientId, (current) => writeUnlessKept(markerOnSuspend(current, now())));
      }),

    reinstateClient: (clientId, refusedScopes = []) =>
      guarded(async () => {
        const written = await changeMarker(clientId, (current) =>
          writeUnlessKept(markerOnReinstate(current, refusedScopes, now())),
        );
        if (written !== undefined) await untilPeriodStarts(written, now);
      }),
  };
}
