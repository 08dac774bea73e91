import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { describeAccessTokenByHashContract } from './contract-access-by-hash.js';
import {
  accessRecord,
  type ContractClock,
  codeRecord,
  grant,
  nowSeconds,
  refreshRecord,
  storedGrantWithTokens,
} from './contract-fixtures.js';
import { describeGrantUsageContract } from './contract-grant-usage.js';
import { describeGrantsBySubjectContract } from './contract-grants-by-subject.js';
import { describePaymentContract } from './contract-payments.js';
import { describePushedRequestContract } from './contract-pushed.js';
import { describeRefreshTokenContract } from './contract-refresh.js';
import { describeSuspensionContract } from './contract-suspension.js';
import { generateOpaqueToken } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * The behaviour every TokenStore must have. Each implementation's test file runs this suite, so the
 * embedded store cannot drift from the Redis one. The store reads time from `clock`, which a test may
 * move forward (grace windows) and always puts back.
 */

export type { ContractClock } from './contract-fixtures.js';

export interface ContractSubject {
  readonly store: TokenStore;
  /** Everything the implementation holds, as text, to prove no secret value is stored. */
  dumpStorage(): Promise<string>;
  dispose(): Promise<void>;
}

export function describeTokenStoreContract(
  name: string,
  create: (clock: ContractClock) => Promise<ContractSubject>,
): void {
  describe(`TokenStore contract: ${name}`, () => {
    const clock: ContractClock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
    let subject: ContractSubject;
    let store: TokenStore;
    beforeAll(async () => {
      subject = await create(clock);
      store = subject.store;
    });
    afterEach(() => {
      clock.offsetMs = 0;
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
        // read as expired at once. Two seconds leave the first read at least a second. The store's
        // clock is then moved past the expiry (Redis's own TTL removes the key later).
        await store.saveAccessToken(token, accessRecord('client-at-2', undefined, 2));
        expect(await store.findAccessToken(token)).toBeDefined();
        clock.offsetMs = 3100;
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
        const record = { ...codeRecord(g), codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' };
        await store.saveAuthorizationCode(code, record);
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'unused', record });
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'unused', record });
        expect(await store.redeemAuthorizationCode(code, g.clientId)).toEqual({
          outcome: 'redeemed',
          record,
        });
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'redeemed', record });

        const issued = generateOpaqueToken();
        await store.saveAccessToken(issued, accessRecord(g.clientId, g.grantId));
        expect(await store.findAccessToken(issued)).toBeDefined();

        expect(await store.redeemAuthorizationCode(code, g.clientId)).toEqual({
          outcome: 'replayed',
          record,
        });
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(issued)).toBeUndefined();
      });

      it('changes nothing when another client presents a code, unused or redeemed', async () => {
        const g = grant('client-code-owner');
        await store.createGrant(g);
        const code = generateOpaqueToken();
        const record = codeRecord(g);
        await store.saveAuthorizationCode(code, record);
        expect(await store.redeemAuthorizationCode(code, 'client-code-thief')).toEqual({
          outcome: 'foreign',
        });
        expect(await store.peekAuthorizationCode(code)).toEqual({ state: 'unused', record });
        expect(await store.redeemAuthorizationCode(code, g.clientId)).toEqual({
          outcome: 'redeemed',
          record,
        });

        const issued = generateOpaqueToken();
        await store.saveAccessToken(issued, accessRecord(g.clientId, g.grantId));
        expect(await store.redeemAuthorizationCode(code, 'client-code-thief')).toEqual({
          outcome: 'foreign',
        });
        expect(await store.findGrant(g.grantId)).toEqual(g);
        expect(await store.findAccessToken(issued)).toBeDefined();
      });

      it('lets exactly one of several concurrent redemptions win; other clients change nothing', async () => {
        const g = grant('client-code-2');
        await store.createGrant(g);
        const code = generateOpaqueToken();
        await store.saveAuthorizationCode(code, codeRecord(g));
        const callers = [g.clientId, 'client-code-2-thief', g.clientId, 'client-code-2-thief', g.clientId];
        const outcomes = (
          await Promise.all(callers.map((clientId) => store.redeemAuthorizationCode(code, clientId)))
        ).map(({ outcome }) => outcome);
        expect(outcomes.sort()).toEqual(['foreign', 'foreign', 'redeemed', 'replayed', 'replayed']);
      });

      it('knows nothing of an unknown code', async () => {
        expect(await store.peekAuthorizationCode(generateOpaqueToken())).toBeUndefined();
        expect(await store.redeemAuthorizationCode(generateOpaqueToken(), 'client-code-3')).toEqual({
          outcome: 'unknown',
        });
      });
    });

    describeAccessTokenByHashContract(() => store, clock);
    describeRefreshTokenContract(() => store, clock);
    describePaymentContract(() => subject, clock);
    describePushedRequestContract(() => subject, clock);
    describeGrantsBySubjectContract(() => store, clock);
    describeSuspensionContract(() => store);
    describeGrantUsageContract(() => store, clock);

    describe('grants and clients', () => {
      it('revoking a grant makes every token of it inactive at once', async () => {
        const { g, access, refresh } = await storedGrantWithTokens(store, 'client-grant-1');
        await store.revokeGrant(g.grantId);
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(access)).toBeUndefined();
        expect(await store.lookupRefreshToken(refresh)).toBeUndefined();
      });

      it('revoking a client makes all its tokens inactive and leaves other clients alone', async () => {
        const { g, access: codeGrantToken, refresh } = await storedGrantWithTokens(store, 'client-deleted');
        const clientCredentialsToken = generateOpaqueToken();
        const otherClientToken = generateOpaqueToken();
        await store.saveAccessToken(clientCredentialsToken, accessRecord(g.clientId));
        await store.saveAccessToken(otherClientToken, accessRecord('client-kept'));
        // A grant of the same client revoked before: both reasons at once still mean inactive.
        const revoked = await storedGrantWithTokens(store, 'client-deleted');
        await store.revokeGrant(revoked.g.grantId);

        await store.revokeClient(g.clientId);
        expect(await store.findAccessToken(revoked.access)).toBeUndefined();
        expect(await store.findAccessToken(codeGrantToken)).toBeUndefined();
        expect(await store.findAccessToken(clientCredentialsToken)).toBeUndefined();
        expect(await store.lookupRefreshToken(refresh)).toBeUndefined();
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findAccessToken(otherClientToken)).toBeDefined();
      });

      it('restoring a revoked client makes its tokens active again, and nothing of other clients', async () => {
        const {
          g,
          access: token,
          refresh,
        } = await storedGrantWithTokens(store, 'client-kept-after-failed-delete');
        const other = await storedGrantWithTokens(store, 'client-deleted-meanwhile');
        await store.revokeClient(g.clientId);
        await store.revokeClient(other.g.clientId);
        expect(await store.findAccessToken(token)).toBeUndefined();

        await store.restoreClient(g.clientId);
        expect(await store.findAccessToken(token)).toBeDefined();
        expect((await store.lookupRefreshToken(refresh))?.state).toBe('active');
        expect(await store.findGrant(g.grantId)).toEqual(g);
        expect(await store.findAccessToken(other.access)).toBeUndefined();
      });

      it('forgets a grant when it expires', async () => {
        // Two seconds, not one, for the reason given for access tokens above.
        const g = grant('client-grant-2', { expiresAt: nowSeconds() + 2 });
        await store.createGrant(g);
        expect(await store.findGrant(g.grantId)).toEqual(g);
        clock.offsetMs = 3100;
        expect(await store.findGrant(g.grantId)).toBeUndefined();
      });
    });

    it('never stores a token or code value in clear', async () => {
      const g = grant('client-secrets');
      await store.createGrant(g);
      const values = [generateOpaqueToken(), generateOpaqueToken(), generateOpaqueToken()] as const;
      await store.saveAccessToken(values[0], accessRecord(g.clientId, g.grantId));
      await store.saveRefreshToken(values[1], refreshRecord(g));
      await store.saveAuthorizationCode(values[2], codeRecord(g));
      const storage = await subject.dumpStorage();
      expect(storage.length).toBeGreaterThan(0);
      for (const value of values) expect(storage).not.toContain(value);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
