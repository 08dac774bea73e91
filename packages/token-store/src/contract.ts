import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AccessTokenRecord, GrantRecord, RefreshTokenRecord } from './records.js';
import { generateGrantId, generateOpaqueToken } from './secrets.js';
import type { IssuedTokens, TokenStore } from './store.js';

/*
 * The behaviour every TokenStore must have. Each implementation's test file runs this suite, so the
 * embedded store cannot drift from the Redis one.
 */

export interface ContractSubject {
  readonly store: TokenStore;
  /** Everything the implementation holds, as text, to prove no secret value is stored. */
  dumpStorage(): Promise<string>;
  dispose(): Promise<void>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const THUMBPRINT = 'x4E2qU1yNQX7lU0a2o7kqLIN2y2Jb9gVvFhYb1Z5f3c';

function grant(clientId: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  const at = nowSeconds();
  return {
    grantId: generateGrantId(),
    clientId,
    organizationId: 'PSDFR-ACPR-12345',
    subject: 'psu-0001',
    scope: 'aisp',
    authTime: at,
    createdAt: at,
    expiresAt: at + 180 * 24 * 3600,
    ...overrides,
  };
}

function accessRecord(clientId: string, grantId?: string, lifetime = 3600): AccessTokenRecord {
  const at = nowSeconds();
  return {
    clientId,
    organizationId: 'PSDFR-ACPR-12345',
    scope: grantId ? 'aisp' : 'pisp',
    ...(grantId ? { grantId, subject: 'psu-0001' } : {}),
    issuedAt: at,
    expiresAt: at + lifetime,
    certificateThumbprint: THUMBPRINT,
  };
}

function refreshRecord(g: GrantRecord): RefreshTokenRecord {
  return {
    grantId: g.grantId,
    clientId: g.clientId,
    scope: g.scope,
    issuedAt: nowSeconds(),
    expiresAt: g.expiresAt,
  };
}

function successors(g: GrantRecord): IssuedTokens {
  return {
    accessToken: generateOpaqueToken(),
    accessRecord: accessRecord(g.clientId, g.grantId),
    refreshToken: generateOpaqueToken(),
    refreshRecord: refreshRecord(g),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeTokenStoreContract(name: string, create: () => Promise<ContractSubject>): void {
  describe(`TokenStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: TokenStore;
    beforeAll(async () => {
      subject = await create();
      store = subject.store;
    });
    afterAll(async () => {
      await subject.dispose();
    });

    describe('access tokens', () => {
      it('finds a saved token and nothing for an unknown one', async () => {
        const token = generateOpaqueToken();
        const record = accessRecord('client-at-1');
        await store.saveAccessToken(token, record);
        expect(await store.findAccessToken(token)).toEqual(record);
        expect(await store.findAccessToken(generateOpaqueToken())).toBeUndefined();
      });

      it('forgets a token when it expires', async () => {
        const token = generateOpaqueToken();
        // Expiry is in whole seconds: with a 1 s lifetime, a save just before a second boundary can
        // read as expired at once. Two seconds leave the first read at least a second.
        await store.saveAccessToken(token, accessRecord('client-at-2', undefined, 2));
        expect(await store.findAccessToken(token)).toBeDefined();
        await sleep(3100);
        expect(await store.findAccessToken(token)).toBeUndefined();
      });

      it('revokes one access token without touching its siblings', async () => {
        const g = grant('client-at-3');
        await store.createGrant(g);
        const [first, second] = [generateOpaqueToken(), generateOpaqueToken()];
        await store.saveAccessToken(first, accessRecord(g.clientId, g.grantId));
        await store.saveAccessToken(second, accessRecord(g.clientId, g.grantId));
        expect(await store.revokeAccessToken(first)).toBe(true);
        expect(await store.revokeAccessToken(first)).toBe(false);
        expect(await store.findAccessToken(first)).toBeUndefined();
        expect(await store.findAccessToken(second)).toBeDefined();
        expect(await store.findGrant(g.grantId)).toEqual(g);
      });
    });

    describe('authorization codes', () => {
      it('redeems a code once, then treats it as a replay that revokes the grant', async () => {
        const g = grant('client-code-1');
        await store.createGrant(g);
        const code = generateOpaqueToken();
        const record = {
          clientId: g.clientId,
          redirectUri: 'https://tpp.example/cb',
          scope: g.scope,
          grantId: g.grantId,
          subject: g.subject,
          codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          issuedAt: nowSeconds(),
          expiresAt: nowSeconds() + 60,
        };
        await store.saveAuthorizationCode(code, record);
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'unused', record });
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'unused', record });
        expect(await store.redeemAuthorizationCode(code)).toEqual({ outcome: 'redeemed', record });
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'redeemed', record });

        const issued = generateOpaqueToken();
        await store.saveAccessToken(issued, accessRecord(g.clientId, g.grantId));
        expect(await store.findAccessToken(issued)).toBeDefined();

        expect(await store.redeemAuthorizationCode(code)).toEqual({ outcome: 'replayed', record });
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(issued)).toBeUndefined();
      });

      it('lets exactly one of several concurrent redemptions win', async () => {
        const g = grant('client-code-2');
        await store.createGrant(g);
        const code = generateOpaqueToken();
        await store.saveAuthorizationCode(code, {
          clientId: g.clientId,
          redirectUri: 'https://tpp.example/cb',
          scope: g.scope,
          grantId: g.grantId,
          subject: g.subject,
          issuedAt: nowSeconds(),
          expiresAt: nowSeconds() + 60,
        });
        const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => store.redeemAuthorizationCode(code)));
        expect(outcomes.filter((outcome) => outcome.outcome === 'redeemed')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.outcome === 'replayed')).toHaveLength(4);
      });

      it('knows nothing of an unknown code', async () => {
        expect(await store.peekAuthorizationCode(generateOpaqueToken())).toBeUndefined();
        expect(await store.redeemAuthorizationCode(generateOpaqueToken())).toEqual({ outcome: 'unknown' });
      });
    });

    describe('refresh tokens', () => {
      it('rotates a refresh token: the old one is retired, the new pair is active', async () => {
        const g = grant('client-rt-1');
        await store.createGrant(g);
        const old = generateOpaqueToken();
        await store.saveRefreshToken(old, refreshRecord(g));
        expect(await store.lookupRefreshToken(old)).toMatchObject({ state: 'active' });

        const next = successors(g);
        expect(await store.rotateRefreshToken(old, g.grantId, next)).toBe('rotated');
        expect(await store.lookupRefreshToken(old)).toMatchObject({ state: 'rotated' });
        expect(await store.lookupRefreshToken(next.refreshToken)).toEqual({
          state: 'active',
          record: next.refreshRecord,
        });
        expect(await store.findAccessToken(next.accessToken)).toEqual(next.accessRecord);
      });

      it('treats reuse of a rotated refresh token as theft and revokes the whole grant', async () => {
        const g = grant('client-rt-2');
        await store.createGrant(g);
        const old = generateOpaqueToken();
        await store.saveRefreshToken(old, refreshRecord(g));
        const next = successors(g);
        expect(await store.rotateRefreshToken(old, g.grantId, next)).toBe('rotated');

        expect(await store.rotateRefreshToken(old, g.grantId, successors(g))).toBe('reused');
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(next.accessToken)).toBeUndefined();
        expect(await store.lookupRefreshToken(next.refreshToken)).toBeUndefined();
      });

      it('lets exactly one of two concurrent rotations win', async () => {
        const g = grant('client-rt-3');
        await store.createGrant(g);
        const old = generateOpaqueToken();
        await store.saveRefreshToken(old, refreshRecord(g));
        const outcomes = await Promise.all([
          store.rotateRefreshToken(old, g.grantId, successors(g)),
          store.rotateRefreshToken(old, g.grantId, successors(g)),
        ]);
        expect(outcomes.filter((outcome) => outcome === 'rotated')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome === 'reused')).toHaveLength(1);
      });

      it('refuses to rotate within a revoked grant', async () => {
        const g = grant('client-rt-4');
        await store.createGrant(g);
        const old = generateOpaqueToken();
        await store.saveRefreshToken(old, refreshRecord(g));
        await store.revokeGrant(g.grantId);
        expect(await store.lookupRefreshToken(old)).toBeUndefined();
        const next = successors(g);
        expect(await store.rotateRefreshToken(old, g.grantId, next)).toBe('revoked');
        expect(await store.findAccessToken(next.accessToken)).toBeUndefined();
      });
    });

    describe('grants and clients', () => {
      it('revoking a grant makes every token of it inactive at once', async () => {
        const g = grant('client-grant-1');
        await store.createGrant(g);
        const access = generateOpaqueToken();
        const refresh = generateOpaqueToken();
        await store.saveAccessToken(access, accessRecord(g.clientId, g.grantId));
        await store.saveRefreshToken(refresh, refreshRecord(g));
        await store.revokeGrant(g.grantId);
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(access)).toBeUndefined();
        expect(await store.lookupRefreshToken(refresh)).toBeUndefined();
      });

      it('revoking a client makes all its tokens inactive and leaves other clients alone', async () => {
        const g = grant('client-deleted');
        await store.createGrant(g);
        const codeGrantToken = generateOpaqueToken();
        const clientCredentialsToken = generateOpaqueToken();
        const otherClientToken = generateOpaqueToken();
        await store.saveAccessToken(codeGrantToken, accessRecord(g.clientId, g.grantId));
        await store.saveAccessToken(clientCredentialsToken, accessRecord(g.clientId));
        await store.saveAccessToken(otherClientToken, accessRecord('client-kept'));
        const refresh = generateOpaqueToken();
        await store.saveRefreshToken(refresh, refreshRecord(g));
        // A grant of the same client revoked before: both reasons at once still mean inactive.
        const revokedGrant = grant('client-deleted');
        await store.createGrant(revokedGrant);
        const revokedGrantToken = generateOpaqueToken();
        await store.saveAccessToken(revokedGrantToken, accessRecord(g.clientId, revokedGrant.grantId));
        await store.revokeGrant(revokedGrant.grantId);

        await store.revokeClient(g.clientId);
        expect(await store.findAccessToken(revokedGrantToken)).toBeUndefined();
        expect(await store.findAccessToken(codeGrantToken)).toBeUndefined();
        expect(await store.findAccessToken(clientCredentialsToken)).toBeUndefined();
        expect(await store.lookupRefreshToken(refresh)).toBeUndefined();
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(otherClientToken)).toBeDefined();
      });

      it('restoring a revoked client makes its tokens active again, and nothing of other clients', async () => {
        const g = grant('client-kept-after-failed-delete');
        await store.createGrant(g);
        const token = generateOpaqueToken();
        const refresh = generateOpaqueToken();
        await store.saveAccessToken(token, accessRecord(g.clientId, g.grantId));
        await store.saveRefreshToken(refresh, refreshRecord(g));
        const other = grant('client-deleted-meanwhile');
        await store.createGrant(other);
        const otherToken = generateOpaqueToken();
        await store.saveAccessToken(otherToken, accessRecord(other.clientId, other.grantId));
        await store.revokeClient(g.clientId);
        await store.revokeClient(other.clientId);
        expect(await store.findAccessToken(token)).toBeUndefined();

        await store.restoreClient(g.clientId);
        expect(await store.findAccessToken(token)).toBeDefined();
        expect((await store.lookupRefreshToken(refresh))?.state).toBe('active');
        expect(await store.findGrant(g.grantId)).toEqual(g);
        expect(await store.findAccessToken(otherToken)).toBeUndefined();
      });

      it('forgets a grant when it expires', async () => {
        // Two seconds, not one, for the reason given for access tokens above.
        const g = grant('client-grant-2', { expiresAt: nowSeconds() + 2 });
        await store.createGrant(g);
        expect(await store.findGrant(g.grantId)).toEqual(g);
        await sleep(3100);
        expect(await store.findGrant(g.grantId)).toBeUndefined();
      });
    });

    it('never stores a token or code value in clear', async () => {
      const g = grant('client-secrets');
      await store.createGrant(g);
      const values = [generateOpaqueToken(), generateOpaqueToken(), generateOpaqueToken()] as const;
      await store.saveAccessToken(values[0], accessRecord(g.clientId, g.grantId));
      await store.saveRefreshToken(values[1], refreshRecord(g));
      await store.saveAuthorizationCode(values[2], {
        clientId: g.clientId,
        redirectUri: 'https://tpp.example/cb',
        scope: g.scope,
        grantId: g.grantId,
        subject: g.subject,
        issuedAt: nowSeconds(),
        expiresAt: nowSeconds() + 60,
      });
      const storage = await subject.dumpStorage();
      expect(storage.length).toBeGreaterThan(0);
      for (const value of values) expect(storage).not.toContain(value);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
