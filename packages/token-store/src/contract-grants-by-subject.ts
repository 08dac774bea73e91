import { describe, expect, it } from '@jest/globals';
import {
  accessRecord,
  type ContractClock,
  codeRecord,
  grant,
  nowSeconds,
  paymentGrant,
  paymentRequest,
  refreshRecord,
  rotation,
} from './contract-fixtures.js';
import type { GrantRecord } from './records.js';
import { generateGrantId, generateOpaqueToken } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * The index of grants by subject (issue 18) in the contract suite: exact whatever ends a grant. Run by
 * describeTokenStoreContract for every implementation. Each case uses subjects of its own.
 */

const newSubject = () => `psu-${generateGrantId()}`;

export function describeGrantsBySubjectContract(storeOf: () => TokenStore, clock: ContractClock): void {
  /** Stores grants of `subject` created `ages` seconds ago (in that order) and returns them. */
  async function storedGrants(subject: string, ages: number[], clientId = 'client-index-1') {
    const stored: GrantRecord[] = [];
    for (const age of ages) {
      const g = grant(clientId, { subject, createdAt: nowSeconds() - age, authTime: nowSeconds() - age });
      await storeOf().createGrant(g);
      stored.push(g);
    }
    return stored;
  }

  describe('grants by subject', () => {
    it("lists a customer's grants newest first, and no other customer's", async () => {
      const store = storeOf();
      const subject = newSubject();
      const [oldest, newer] = await storedGrants(subject, [300, 200]);
      // Created last but expiring first (a payment consent): listed first all the same.
      const request = paymentRequest('client-index-pay');
      const payment = { ...paymentGrant(request), subject, createdAt: nowSeconds() - 100 };
      await store.createGrant(payment);
      const [another] = await storedGrants(newSubject(), [50]);

      expect(await store.listGrantsOfSubject(subject)).toEqual([payment, newer, oldest]);
      expect(await store.listGrantsOfSubject(another?.subject ?? '')).toEqual([another]);
      expect(await store.listGrantsOfSubject(newSubject())).toEqual([]);
    });

    it('honours the limit, newest first', async () => {
      const store = storeOf();
      const subject = newSubject();
      const grants = await storedGrants(subject, [50, 40, 30, 20, 10]);
      expect(await store.listGrantsOfSubject(subject, { limit: 2 })).toEqual([grants[4], grants[3]]);
      expect(await store.listGrantsOfSubject(subject, { limit: 5 })).toEqual([...grants].reverse());
      expect(await store.listGrantsOfSubject(subject, { limit: 500 })).toHaveLength(5);
      await expect(store.listGrantsOfSubject(subject, { limit: 0 })).rejects.toThrow();
    });

    it('no longer lists a revoked grant', async () => {
      const store = storeOf();
      const subject = newSubject();
      const [kept, revoked] = await storedGrants(subject, [20, 10]);
      await store.revokeGrant(revoked?.grantId ?? '');
      expect(await store.listGrantsOfSubject(subject)).toEqual([kept]);
      expect(await store.listGrantsOfSubject(subject)).toEqual([kept]);
    });

    it('no longer lists an expired grant', async () => {
      const store = storeOf();
      const subject = newSubject();
      const [kept] = await storedGrants(subject, [20]);
      // Two seconds, as for the other expiries of the contract: then the store's clock moves past it.
      const expiring = grant('client-index-1', { subject, expiresAt: nowSeconds() + 2 });
      await store.createGrant(expiring);
      expect(await store.listGrantsOfSubject(subject)).toEqual([expiring, kept]);
      clock.offsetMs = 3100;
      expect(await store.listGrantsOfSubject(subject)).toEqual([kept]);
      clock.offsetMs = 0;
      // Pruned, not merely hidden: once forgotten, it stays forgotten.
      expect((await store.listGrantsOfSubject(subject)).map((g) => g.grantId)).not.toContain(
        expiring.grantId,
      );
    });

    it('hides the grants of a revoked client, and lists them again after restoreClient', async () => {
      const store = storeOf();
      const subject = newSubject();
      const [other] = await storedGrants(subject, [20], 'client-index-kept');
      const [deleted] = await storedGrants(subject, [10], 'client-index-deleted');
      await store.revokeClient('client-index-deleted');
      expect(await store.listGrantsOfSubject(subject)).toEqual([other]);
      await store.restoreClient('client-index-deleted');
      expect(await store.listGrantsOfSubject(subject)).toEqual([deleted, other]);
    });

    it('no longer lists a grant revoked by a code replay', async () => {
      const store = storeOf();
      const subject = newSubject();
      const [g] = await storedGrants(subject, [10]);
      if (g === undefined) throw new Error('no grant');
      const code = generateOpaqueToken();
      await store.saveAuthorizationCode(code, codeRecord(g));
      expect((await store.redeemAuthorizationCode(code, g.clientId)).outcome).toBe('redeemed');
      expect(await store.listGrantsOfSubject(subject)).toEqual([g]);
      expect((await store.redeemAuthorizationCode(code, g.clientId)).outcome).toBe('replayed');
      expect(await store.listGrantsOfSubject(subject)).toEqual([]);
    });

    it('no longer lists a grant revoked by refresh token reuse', async () => {
      const store = storeOf();
      const subject = newSubject();
      const [g] = await storedGrants(subject, [10]);
      if (g === undefined) throw new Error('no grant');
      const refresh = generateOpaqueToken();
      await store.saveRefreshToken(refresh, refreshRecord(g));
      expect(await store.rotateRefreshToken(refresh, rotation(g))).toBe('rotated');
      expect(await store.listGrantsOfSubject(subject)).toEqual([g]);
      expect(await store.rotateRefreshToken(refresh, rotation(g))).toBe('reused');
      expect(await store.listGrantsOfSubject(subject)).toEqual([]);
    });

    it('no longer lists a payment consent once the payment is completed', async () => {
      const store = storeOf();
      const subject = newSubject();
      const [kept] = await storedGrants(subject, [20], 'client-index-pay');
      const request = paymentRequest('client-index-pay');
      await store.createPaymentRequest(request);
      const g = { ...paymentGrant(request), subject };
      await store.createGrant(g);
      const decision = { subject, grantId: g.grantId, scaBinding: 'b', decidedAt: nowSeconds() };
      expect(
        await store.decidePaymentRequest(request.paymentRequestId, { outcome: 'approved', ...decision }),
      ).toBe('decided');
      await store.saveAccessToken(generateOpaqueToken(), accessRecord(g.clientId, g.grantId, 300));
      expect(await store.listGrantsOfSubject(subject)).toEqual([g, kept]);
      expect(await store.completePaymentRequest(request.paymentRequestId, 'executed', nowSeconds())).toBe(
        'completed',
      );
      expect(await store.listGrantsOfSubject(subject)).toEqual([kept]);
    });
  });
}
