import {
  markerAdmits,
  markerOnDelete,
  markerOnReinstate,
  markerOnRestore,
  markerOnSuspend,
  untilPeriodStarts,
} from './client-markers.js';
import { ExpiringMap } from './expiring-map.js';
import { createMemoryGrantIndex } from './memory-grant-index.js';
import { createMemoryGrantUsage } from './memory-grant-usage.js';
import { createMemoryPaymentStores } from './memory-payments.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  GrantRecord,
  RefreshTokenRecord,
} from './records.js';
import { hashSecret } from './secrets.js';
import {
  type CodePeek,
  type CodeRedemption,
  REDEEMED_CODE_RETENTION_SECONDS,
  type RefreshTokenLookup,
  type RotationOutcome,
  type RotationRequest,
  type TokenStore,
} from './store.js';

/*
 * The embedded store for `pnpm start` on a laptop with no Redis, and the second implementation the
 * contract tests hold to the same behaviour. JavaScript runs each method's synchronous part without
 * interruption, which is what makes redemption and rotation atomic here.
 */

/** A refresh token once rotated: when (ms), and the key of the token it was exchanged for. */
interface Retirement {
  readonly at: number;
  readonly successor: string;
}

interface StoredRefresh {
  readonly record: RefreshTokenRecord;
  retired?: Retirement;
}

export interface MemoryTokenStore extends TokenStore {
  /** Every key held, for tests that check no secret is stored in clear. */
  debugKeys(): string[];
}

export function createMemoryTokenStore(options: { now?: () => number } = {}): MemoryTokenStore {
  const now = options.now ?? Date.now;
  const codes = new ExpiringMap<AuthorizationCodeRecord>(now);
  const grants = new ExpiringMap<GrantRecord>(now);
  const accessTokens = new ExpiringMap<AccessTokenRecord>(now);
  const refreshTokens = new ExpiringMap<StoredRefresh>(now);
  // client id → marker, as Redis holds it at x:<clientId> (client-markers.ts). Markers outlive every
  // record of the client here, as the process does not live 181 days.
  const markers = new Map<string, string>();
  const admits = (clientId: string, record: { readonly issuedAt: number; readonly scope: string }) =>
    markerAdmits(markers.get(clientId), record);
  const grantAdmitted = (grant: GrantRecord) =>
    admits(grant.clientId, { issuedAt: grant.createdAt, scope: grant.scope });
  const payments = createMemoryPaymentStores(now, (grantId) => grants.delete(grantId));
  const grantIndex = createMemoryGrantIndex(grants, grantAdmitted);
  const grantUsage = createMemoryGrantUsage(grants);
  const maps = [codes, grants, accessTokens, refreshTokens, ...payments.maps, grantIndex, grantUsage];
  const sweeper = setInterval(() => {
    for (const map of maps) map.sweep();
  }, 30_000);
  sweeper.unref();

  const until = (expiresAt: number) => expiresAt * 1000;
  const lineageActive = (record: {
    readonly clientId: string;
    readonly grantId?: string | undefined;
    readonly issuedAt: number;
    readonly scope: string;
  }) =>
    admits(record.clientId, record) &&
    (record.grantId === undefined || grants.get(record.grantId) !== undefined);
  // findAccessToken and findAccessTokenByHash: one set of rules, whichever the caller holds.
  const activeAccessToken = (hash: string) => {
    const record = accessTokens.get(hash)?.value;
    return record !== undefined && lineageActive(record) ? record : undefined;
  };
  const setMarker = (clientId: string, next: string | undefined) => {
    if (next === undefined) markers.delete(clientId);
    else markers.set(clientId, next);
  };

  return {
    ...payments.stores,
    ...grantIndex.store,
    ...grantUsage.store,

    async createGrant(grant) {
      grants.set(grant.grantId, { value: grant, expiresAtMs: until(grant.expiresAt) });
      grantIndex.add(grant);
    },
    async findGrant(grantId) {
      const grant = grants.get(grantId)?.value;
      return grant !== undefined && grantAdmitted(grant) ? grant : undefined;
    },
    async revokeGrant(grantId) {
      grants.delete(grantId);
    },

    async saveAuthorizationCode(code, record) {
      codes.set(hashSecret(code), { value: record, expiresAtMs: until(record.expiresAt) });
    },
    async peekAuthorizationCode(code): Promise<CodePeek | undefined> {
      const entry = codes.get(hashSecret(code));
      return entry === undefined
        ? undefined
        : { state: entry.used ? 'redeemed' : 'unused', record: entry.value };
    },
    async redeemAuthorizationCode(code, clientId): Promise<CodeRedemption> {
      const key = hashSecret(code);
      const entry = codes.get(key);
      if (entry === undefined) return { outcome: 'unknown' };
      if (entry.value.clientId !== clientId) return { outcome: 'foreign' };
      if (entry.used) {
        grants.delete(entry.value.grantId);
        return { outcome: 'replayed', record: entry.value };
      }
      codes.set(key, {
        value: entry.value,
        used: true,
        expiresAtMs: now() + REDEEMED_CODE_RETENTION_SECONDS * 1000,
      });
      return { outcome: 'redeemed', record: entry.value };
    },

    async saveAccessToken(token, record) {
      accessTokens.set(hashSecret(token), { value: record, expiresAtMs: until(record.expiresAt) });
    },
    async findAccessToken(token) {
      return activeAccessToken(hashSecret(token));
    },
    async findAccessTokenByHash(hash) {
      return activeAccessToken(hash);
    },
    async revokeAccessToken(token) {
      return accessTokens.delete(hashSecret(token));
    },

    async saveRefreshToken(token, record) {
      refreshTokens.set(hashSecret(token), { value: { record }, expiresAtMs: until(record.expiresAt) });
    },
    async lookupRefreshToken(token): Promise<RefreshTokenLookup | undefined> {
      const entry = refreshTokens.get(hashSecret(token));
      if (entry === undefined) return undefined;
      const { record, retired } = entry.value;
      if (!lineageActive(record)) return undefined;
      return retired === undefined
        ? { state: 'active', record }
        : { state: 'rotated', record, successor: retired.successor };
    },
    async rotateRefreshToken(oldToken, request: RotationRequest): Promise<RotationOutcome> {
      const { grantId, presenter, next } = request;
      const stored = refreshTokens.get(hashSecret(oldToken))?.value;
      if (stored === undefined) return 'unknown';
      if (stored.record.clientId !== presenter.clientId) return 'refused';
      if (grants.get(grantId) === undefined || !admits(stored.record.clientId, stored.record))
        return 'revoked';
      const at = now();
      const nextKey = hashSecret(next.refreshToken);
      const storeNext = () => {
        refreshTokens.set(nextKey, {
          value: { record: next.refreshRecord },
          expiresAtMs: until(next.refreshRecord.expiresAt),
        });
        accessTokens.set(hashSecret(next.accessToken), {
          value: next.accessRecord,
          expiresAtMs: until(next.accessRecord.expiresAt),
        });
      };
      const sameCertificate = stored.record.certificateThumbprint === presenter.certificateThumbprint;

      const { retired } = stored;
      if (retired === undefined) {
        if (!sameCertificate) return 'refused';
        stored.retired = { at, successor: nextKey };
        storeNext();
        return 'rotated';
      }
      if (!sameCertificate || at - retired.at >= request.reuseGraceSeconds * 1000) {
        grants.delete(grantId);
        return 'reused';
      }
      if (retired.successor !== request.expectedSuccessor) return 'raced';
      const successor = refreshTokens.get(retired.successor)?.value;
      if (successor === undefined || successor.retired !== undefined) {
        grants.delete(grantId);
        return 'reused';
      }
      // A retry of a request whose answer was lost: the successor was never used, so it is retired in
      // its turn and one token of the grant stays active.
      successor.retired = { at, successor: nextKey };
      stored.retired = { at: retired.at, successor: nextKey };
      storeNext();
      return 'retried';
    },

    async revokeClient(clientId) {
      setMarker(clientId, markerOnDelete(markers.get(clientId), now()));
    },
    async restoreClient(clientId) {
      setMarker(clientId, markerOnRestore(markers.get(clientId)));
    },
    async suspendClient(clientId) {
      const next = markerOnSuspend(markers.get(clientId), now());
      if (next !== undefined) setMarker(clientId, next);
    },
    async reinstateClient(clientId, refusedScopes = []) {
      const next = markerOnReinstate(markers.get(clientId), refusedScopes, now());
      if (next === undefined) return;
      setMarker(clientId, next);
      await untilPeriodStarts(next, now);
    },

    async ping() {},
    async close() {
      clearInterval(sweeper);
    },
    debugKeys() {
      return maps.flatMap((map) => [...map.keys()]);
    },
  };
}
