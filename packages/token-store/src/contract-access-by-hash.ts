import { describe, expect, it } from '@jest/globals';
import {
  accessRecord,
  type ContractClock,
  grant,
  nowSeconds,
  paymentGrant,
  paymentRequest,
  THUMBPRINT,
} from './contract-fixtures.js';
import { generateOpaqueToken, hashSecret } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * findAccessTokenByHash in the contract suite: what the payment API hears about a payment request's
 * bound token (it holds the SHA-256, never the value) must be what introspection hears about the value,
 * in every state a token can be in. So each case asks both ways and requires the same answer.
 */

export function describeAccessTokenByHashContract(getStore: () => TokenStore, clock: ContractClock): void {
  /** The answer by hash, after checking that it is the answer by value. */
  async function byHash(token: string) {
    const store = getStore();
    const [ofValue, ofHash] = await Promise.all([
      store.findAccessToken(token),
      store.findAccessTokenByHash(hashSecret(token)),
    ]);
    expect(ofHash).toEqual(ofValue);
    return ofHash;
  }

  async function tokenOfNewGrant(clientId: string) {
    const store = getStore();
    const g = grant(clientId);
    await store.createGrant(g);
    const token = generateOpaqueToken();
    const record = accessRecord(clientId, g.grantId);
    await store.saveAccessToken(token, record);
    return { g, token, record };
  }

  describe('access tokens found by their hash', () => {
    it('answers the record of an active token, from a grant or client credentials', async () => {
      const { token, record } = await tokenOfNewGrant('client-hash-1');
      expect(await byHash(token)).toEqual(record);
      const machine = generateOpaqueToken();
      const machineRecord = accessRecord('client-hash-1');
      await getStore().saveAccessToken(machine, machineRecord);
      expect(await byHash(machine)).toEqual(machineRecord);
    });

    it('answers nothing once the grant is revoked (consent withdrawn), and leaves other grants alone', async () => {
      const withdrawn = await tokenOfNewGrant('client-hash-2');
      const kept = await tokenOfNewGrant('client-hash-2');
      await getStore().revokeGrant(withdrawn.g.grantId);
      expect(await byHash(withdrawn.token)).toBeUndefined();
      expect(await byHash(kept.token)).toEqual(kept.record);
    });

    it('answers nothing once the token itself is revoked (RFC 7009)', async () => {
      const { token } = await tokenOfNewGrant('client-hash-3');
      expect(await getStore().revokeAccessToken(token)).toBe(true);
      expect(await byHash(token)).toBeUndefined();
    });

    it('answers nothing once the client is suspended or deleted, and for a refused role', async () => {
      const store = getStore();
      const suspended = await tokenOfNewGrant('client-hash-suspended');
      const deleted = await tokenOfNewGrant('client-hash-deleted');
      const other = await tokenOfNewGrant('client-hash-untouched');
      await store.suspendClient('client-hash-suspended');
      await store.revokeClient('client-hash-deleted');
      expect(await byHash(suspended.token)).toBeUndefined();
      expect(await byHash(deleted.token)).toBeUndefined();
      expect(await byHash(other.token)).toEqual(other.record);

      // A role suspension: a period refusing pisp. A pisp token issued in it is refused, an aisp one not.
      await store.reinstateClient('client-hash-role', ['pisp']);
      const [pisp, aisp] = [generateOpaqueToken(), generateOpaqueToken()];
      await store.saveAccessToken(pisp, accessRecord('client-hash-role'));
      await store.saveAccessToken(aisp, { ...accessRecord('client-hash-role'), scope: 'aisp' });
      expect(await byHash(pisp)).toBeUndefined();
      expect(await byHash(aisp)).toBeDefined();
    });

    it("answers nothing after the token's expiry", async () => {
      const token = generateOpaqueToken();
      // Two seconds and a clock moved past them, for the reason contract.ts gives for access tokens.
      await getStore().saveAccessToken(token, accessRecord('client-hash-4', undefined, 2));
      expect(await byHash(token)).toBeDefined();
      clock.offsetMs = 3100;
      expect(await byHash(token)).toBeUndefined();
    });

    it('answers nothing for a payment whose outcome was reported (the bound token the API reads)', async () => {
      const store = getStore();
      const request = paymentRequest('client-hash-5');
      await store.createPaymentRequest(request);
      const g = paymentGrant(request);
      await store.createGrant(g);
      const decidedAt = nowSeconds();
      await store.decidePaymentRequest(request.paymentRequestId, {
        outcome: 'approved',
        subject: 'psu-0001',
        grantId: g.grantId,
        scaBinding: 'binding',
        decidedAt,
      });
      const token = generateOpaqueToken();
      const record = { ...accessRecord(g.clientId, g.grantId, 300), scope: 'pisp' };
      await store.saveAccessToken(token, record);
      await store.bindPaymentToken(request.paymentRequestId, {
        accessTokenHash: hashSecret(token),
        certificateThumbprint: THUMBPRINT,
        issuedAt: record.issuedAt,
        expiresAt: record.expiresAt,
      });
      const boundHash = async () => {
        const found = await store.findPaymentRequest(request.paymentRequestId);
        return store.findAccessTokenByHash(found?.token?.accessTokenHash ?? '');
      };
      expect(await boundHash()).toEqual(record);
      await store.completePaymentRequest(request.paymentRequestId, 'executed', nowSeconds());
      expect(await boundHash()).toBeUndefined();
      expect(await byHash(token)).toBeUndefined();
    });

    it('knows nothing of an unknown hash, nor of a token value given in place of its hash', async () => {
      const store = getStore();
      const { token } = await tokenOfNewGrant('client-hash-6');
      expect(await store.findAccessTokenByHash(hashSecret(generateOpaqueToken()))).toBeUndefined();
      expect(await store.findAccessTokenByHash(token)).toBeUndefined();
      expect(await store.findAccessTokenByHash('')).toBeUndefined();
    });
  });
}
