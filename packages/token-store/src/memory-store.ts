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
  type IssuedTokens,
  REDEEMED_CODE_RETENTION_SECONDS,
  type RefreshTokenLookup,
  type RotationOutcome,
  type TokenStore,
} from './store.js';

/*
 * The embedded store for `pnpm start` on a laptop with no Redis, and the second implementation the
 * contract tests hold to the same behaviour. JavaScript runs each method's synchronous part without
 * interruption, which is what makes redemption and rotation atomic here.
 */

interface Entry<T> {
  value: T;
  expiresAtMs: number;
  used?: boolean;
}

class ExpiringMap<T> {
  readonly #entries = new Map<string, Entry<T>>();
  constructor(private readonly now: () => number) {}

  get(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: Entry<T>): void {
    this.#entries.set(key, entry);
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  sweep(): void {
    const at = this.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAtMs <= at) this.#entries.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }
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
  const refreshTokens = new ExpiringMap<RefreshTokenRecord>(now);
  const revokedClients = new Set<string>();
  const sweeper = setInterval(() => {
    for (const map of [codes, grants, accessTokens, refreshTokens]) map.sweep();
  }, 30_000);
  sweeper.unref();

  const until = (expiresAt: number) => expiresAt * 1000;
  const lineageActive = (clientId: string, grantId: string | undefined) =>
    !revokedClients.has(clientId) && (grantId === undefined || grants.get(grantId) !== undefined);

  return {
    async createGrant(grant) {
      grants.set(grant.grantId, { value: grant, expiresAtMs: until(grant.expiresAt) });
    },
    async findGrant(grantId) {
      const grant = grants.get(grantId)?.value;
      return grant !== undefined && lineageActive(grant.clientId, undefined) ? grant : undefined;
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
    async redeemAuthorizationCode(code): Promise<CodeRedemption> {
      const key = hashSecret(code);
      const entry = codes.get(key);
      if (entry === undefined) return { outcome: 'unknown' };
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
      const record = accessTokens.get(hashSecret(token))?.value;
      return record !== undefined && lineageActive(record.clientId, record.grantId) ? record : undefined;
    },
    async revokeAccessToken(token) {
      return accessTokens.delete(hashSecret(token));
    },

    async saveRefreshToken(token, record) {
      refreshTokens.set(hashSecret(token), { value: record, expiresAtMs: until(record.expiresAt) });
    },
    async lookupRefreshToken(token): Promise<RefreshTokenLookup | undefined> {
      const entry = refreshTokens.get(hashSecret(token));
      if (entry === undefined || !lineageActive(entry.value.clientId, entry.value.grantId)) return undefined;
      return { state: entry.used ? 'rotated' : 'active', record: entry.value };
    },
    async rotateRefreshToken(oldToken, grantId, next: IssuedTokens): Promise<RotationOutcome> {
      const entry = refreshTokens.get(hashSecret(oldToken));
      if (entry === undefined) return 'unknown';
      if (grants.get(grantId) === undefined || revokedClients.has(next.refreshRecord.clientId))
        return 'revoked';
      if (entry.used) {
        grants.delete(grantId);
        return 'reused';
      }
      entry.used = true;
      refreshTokens.set(hashSecret(next.refreshToken), {
        value: next.refreshRecord,
        expiresAtMs: until(next.refreshRecord.expiresAt),
      });
      accessTokens.set(hashSecret(next.accessToken), {
        value: next.accessRecord,
        expiresAtMs: until(next.accessRecord.expiresAt),
      });
      return 'rotated';
    },

    async revokeClient(clientId) {
      revokedClients.add(clientId);
    },

    async restoreClient(clientId) {
      revokedClients.delete(clientId);
    },

    async ping() {},
    async close() {
      clearInterval(sweeper);
    },
    debugKeys() {
      return [codes, grants, accessTokens, refreshTokens].flatMap((map) => [...map.keys()]);
    },
  };
}
