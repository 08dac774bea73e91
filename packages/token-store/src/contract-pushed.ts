import { describe, expect, it } from '@jest/globals';
import { type ContractClock, nowSeconds } from './contract-fixtures.js';
import type { PaymentContractSubject } from './contract-payments.js';
import { generatePaymentRequestId, generateRequestUri, hashSecret } from './secrets.js';

/*
 * Pushed authorization requests in the contract suite (RFC 9126 §4: single use, bound to the client
 * that pushed it, kept until it expires, keyed by the hash of its request_uri). Run by
 * describeTokenStoreContract for every implementation.
 */

export function describePushedRequestContract(
  subjectOf: () => PaymentContractSubject,
  clock: ContractClock,
): void {
  const storeOf = () => subjectOf().store;

  describe('pushed authorization requests', () => {
    const pushedRecord = (clientId: string, lifetime = 60) => ({
      clientId,
      parameters: {
        response_type: 'code',
        scope: 'pisp',
        state: 'af0ifjsldkj',
        redirect_uri: 'https://tpp.example/cb',
      },
      paymentRequestId: generatePaymentRequestId(),
      expiresAt: nowSeconds() + lifetime,
    });

    it('is used once by the client that pushed it', async () => {
      const store = storeOf();
      const requestUri = generateRequestUri();
      const record = pushedRecord('client-par-1');
      await store.savePushedRequest(requestUri, record);
      expect(await store.usePushedRequest(requestUri, record.clientId)).toEqual({ outcome: 'used', record });
      expect(await store.usePushedRequest(requestUri, record.clientId)).toEqual({ outcome: 'unknown' });
      expect(await store.usePushedRequest(generateRequestUri(), record.clientId)).toEqual({
        outcome: 'unknown',
      });
    });

    it('changes nothing when another client presents it: the owner can still use it', async () => {
      const store = storeOf();
      const requestUri = generateRequestUri();
      const record = pushedRecord('client-par-owner');
      await store.savePushedRequest(requestUri, record);
      expect(await store.usePushedRequest(requestUri, 'client-par-thief')).toEqual({ outcome: 'foreign' });
      expect(await store.usePushedRequest(requestUri, record.clientId)).toEqual({ outcome: 'used', record });
    });

    it('lets exactly one of several concurrent uses by its client win', async () => {
      const store = storeOf();
      const requestUri = generateRequestUri();
      const record = pushedRecord('client-par-2');
      await store.savePushedRequest(requestUri, record);
      const uses = await Promise.all(
        [1, 2, 3, 4].map(() => store.usePushedRequest(requestUri, record.clientId)),
      );
      expect(uses.map(({ outcome }) => outcome).sort()).toEqual(['unknown', 'unknown', 'unknown', 'used']);
    });

    it('is unknown once expired', async () => {
      const store = storeOf();
      const requestUri = generateRequestUri();
      // Two seconds, not one, for the reason given for access tokens in contract.ts.
      const record = pushedRecord('client-par-3', 2);
      await store.savePushedRequest(requestUri, record);
      clock.offsetMs = 3100;
      expect(await store.usePushedRequest(requestUri, 'client-par-thief')).toEqual({ outcome: 'unknown' });
      expect(await store.usePushedRequest(requestUri, record.clientId)).toEqual({ outcome: 'unknown' });
    });

    it('never stores the request_uri in clear', async () => {
      const { store, dumpStorage } = subjectOf();
      const requestUris = [generateRequestUri(), generateRequestUri()];
      for (const requestUri of requestUris)
        await store.savePushedRequest(requestUri, pushedRecord('client-par-4'));
      const storage = await dumpStorage();
      for (const requestUri of requestUris) {
        expect(storage).toContain(hashSecret(requestUri));
        expect(storage).not.toContain(requestUri.slice(requestUri.lastIndexOf(':') + 1));
      }
    });
  });
}
