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
import { paymentRequestStatus } from './payment-requests.js';
import { PAYMENT_REQUEST_RETENTION_SECONDS } from './payment-store.js';
import type { BoundPaymentToken, PaymentDecision, PaymentRequestRecord } from './records.js';
import { generateGrantId, generateOpaqueToken, generatePaymentRequestId, hashSecret } from './secrets.js';
import type { TokenStore } from './store.js';

/*
 * Payment consent in the contract suite: payment requests (decision once, completion revoking the
 * consent) and pushed authorization requests (RFC 9126: single use, bound to their client). Run by
 * describeTokenStoreContract for every implementation.
 */

export interface PaymentContractSubject {
  readonly store: TokenStore;
  dumpStorage(): Promise<string>;
}

const approval = (grantId: string, decidedAt = nowSeconds()): PaymentDecision => ({
  outcome: 'approved',
  subject: 'psu-0001',
  grantId,
  scaBinding: 'bmFtZS1hbmQtYW1vdW50LWJvdW5k',
  decidedAt,
});
const rejection = (decidedAt = nowSeconds()): PaymentDecision => ({
  outcome: 'rejected',
  subject: 'psu-0002',
  decidedAt,
});

function boundToken(lifetime = 300): BoundPaymentToken {
  const at = nowSeconds();
  return {
    accessTokenHash: hashSecret(generateOpaqueToken()),
    certificateThumbprint: THUMBPRINT,
    issuedAt: at,
    expiresAt: at + lifetime,
  };
}

export function describePaymentContract(subjectOf: () => PaymentContractSubject, clock: ContractClock): void {
  const storeOf = () => subjectOf().store;

  /** A stored request approved with a stored pisp grant, and an access token issued under that grant. */
  async function approvedWithToken(clientId: string) {
    const store = storeOf();
    const request = paymentRequest(clientId);
    await store.createPaymentRequest(request);
    const g = paymentGrant(request);
    await store.createGrant(g);
    expect(await store.decidePaymentRequest(request.paymentRequestId, approval(g.grantId))).toBe('decided');
    const token = generateOpaqueToken();
    await store.saveAccessToken(token, { ...accessRecord(clientId, g.grantId, 300), scope: 'pisp' });
    return { request, g, token };
  }

  describe('payment requests', () => {
    it('finds a request as registered, from the payment API or a pushed request', async () => {
      const store = storeOf();
      const fromApi = paymentRequest('client-pay-1', { resourceId: 'stet-resource-0042' });
      const pushed = paymentRequest('client-pay-1', { origin: 'pushed' });
      await store.createPaymentRequest(fromApi);
      await store.createPaymentRequest(pushed);
      expect(await store.findPaymentRequest(fromApi.paymentRequestId)).toEqual(fromApi);
      const found = await store.findPaymentRequest(pushed.paymentRequestId);
      expect(found).toEqual(pushed);
      expect(found).not.toHaveProperty('resourceId');
      expect(found?.status).toBe('pending');
    });

    it('records an approval once: a second decision changes nothing', async () => {
      const store = storeOf();
      const request = paymentRequest('client-pay-2');
      await store.createPaymentRequest(request);
      const decision = approval(generateGrantId());
      expect(await store.decidePaymentRequest(request.paymentRequestId, decision)).toBe('decided');
      const { outcome: _approved, ...fields } = decision;
      const approved: PaymentRequestRecord = { ...request, ...fields, status: 'approved' };
      expect(await store.findPaymentRequest(request.paymentRequestId)).toEqual(approved);
      expect(await store.decidePaymentRequest(request.paymentRequestId, rejection())).toBe('not_pending');
      const other = approval(generateGrantId());
      expect(await store.decidePaymentRequest(request.paymentRequestId, other)).toBe('not_pending');
      expect(await store.findPaymentRequest(request.paymentRequestId)).toEqual(approved);
    });

    it('records a rejection once', async () => {
      const store = storeOf();
      const request = paymentRequest('client-pay-3');
      await store.createPaymentRequest(request);
      const decision = rejection();
      expect(await store.decidePaymentRequest(request.paymentRequestId, decision)).toBe('decided');
      const later = approval(generateGrantId());
      expect(await store.decidePaymentRequest(request.paymentRequestId, later)).toBe('not_pending');
      expect(await store.findPaymentRequest(request.paymentRequestId)).toEqual({
        ...request,
        status: 'rejected',
        subject: 'psu-0002',
        decidedAt: decision.decidedAt,
      });
    });

    it('refuses a decision at or after the request expires, and keeps the request readable', async () => {
      const store = storeOf();
      const request = paymentRequest('client-pay-4', { lifetimeSeconds: 60 });
      await store.createPaymentRequest(request);
      const late = approval(generateGrantId(), request.expiresAt);
      expect(await store.decidePaymentRequest(request.paymentRequestId, late)).toBe('expired');
      expect(
        await store.decidePaymentRequest(request.paymentRequestId, rejection(request.expiresAt + 1)),
      ).toBe('expired');
      const found = await store.findPaymentRequest(request.paymentRequestId);
      expect(found).toEqual(request);
      expect(found && paymentRequestStatus(found, request.expiresAt)).toBe('expired');
      // Just in time still counts.
      const inTime = approval(generateGrantId(), request.expiresAt - 1);
      expect(await store.decidePaymentRequest(request.paymentRequestId, inTime)).toBe('decided');
    });

    it('lets exactly one of several concurrent decisions win', async () => {
      const store = storeOf();
      const request = paymentRequest('client-pay-5');
      await store.createPaymentRequest(request);
      const decisions = [
        approval(generateGrantId()),
        rejection(),
        approval(generateGrantId()),
        approval(generateGrantId()),
        rejection(),
      ];
      const outcomes = await Promise.all(
        decisions.map((decision) => store.decidePaymentRequest(request.paymentRequestId, decision)),
      );
      expect([...outcomes].sort()).toEqual([
        'decided',
        'not_pending',
        'not_pending',
        'not_pending',
        'not_pending',
      ]);
      const winner = decisions[outcomes.indexOf('decided')];
      const found = await store.findPaymentRequest(request.paymentRequestId);
      expect(found?.status).toBe(winner?.outcome);
      expect(found?.grantId).toBe(winner?.outcome === 'approved' ? winner.grantId : undefined);
    });

    it('binds the issued token to the request; the last one wins', async () => {
      const store = storeOf();
      const { request } = await approvedWithToken('client-pay-6');
      const [first, second] = [boundToken(), boundToken(600)];
      await store.bindPaymentToken(request.paymentRequestId, first);
      expect((await store.findPaymentRequest(request.paymentRequestId))?.token).toEqual(first);
      await store.bindPaymentToken(request.paymentRequestId, second);
      const found = await store.findPaymentRequest(request.paymentRequestId);
      expect(found?.token).toEqual(second);
      expect(found?.status).toBe('approved');
    });

    it.each(['executed', 'cancelled'] as const)(
      'completion (%s) revokes the consent: its token is inactive at once',
      async (status) => {
        const store = storeOf();
        const { request, g, token } = await approvedWithToken(`client-pay-7-${status}`);
        const bound = boundToken();
        await store.bindPaymentToken(request.paymentRequestId, bound);
        const unrelated = grant(g.clientId);
        await store.createGrant(unrelated);
        expect(await store.findAccessToken(token)).toBeDefined();

        const completedAt = nowSeconds();
        expect(await store.completePaymentRequest(request.paymentRequestId, status, completedAt)).toBe(
          'completed',
        );
        expect(await store.findAccessToken(token)).toBeUndefined();
        expect(await store.findGrant(g.grantId)).toBeUndefined();
        expect(await store.findGrant(unrelated.grantId)).toEqual(unrelated);
        const found = await store.findPaymentRequest(request.paymentRequestId);
        expect(found).toMatchObject({ status, completedAt, grantId: g.grantId, token: bound });
        expect(await store.completePaymentRequest(request.paymentRequestId, 'executed', completedAt)).toBe(
          'not_approved',
        );
        expect(await store.decidePaymentRequest(request.paymentRequestId, rejection())).toBe('not_pending');
      },
    );

    it('completes only an approved request: pending or rejected ones are not_approved and unchanged', async () => {
      const store = storeOf();
      const pending = paymentRequest('client-pay-8');
      const rejected = paymentRequest('client-pay-8');
      await store.createPaymentRequest(pending);
      await store.createPaymentRequest(rejected);
      await store.decidePaymentRequest(rejected.paymentRequestId, rejection());
      const before = await store.findPaymentRequest(rejected.paymentRequestId);
      for (const status of ['executed', 'cancelled'] as const) {
        expect(await store.completePaymentRequest(pending.paymentRequestId, status, nowSeconds())).toBe(
          'not_approved',
        );
        expect(await store.completePaymentRequest(rejected.paymentRequestId, status, nowSeconds())).toBe(
          'not_approved',
        );
      }
      expect(await store.findPaymentRequest(pending.paymentRequestId)).toEqual(pending);
      expect(await store.findPaymentRequest(rejected.paymentRequestId)).toEqual(before);
      // Still decidable: the failed completion did not touch the pending request.
      const g = paymentGrant(pending);
      expect(await store.decidePaymentRequest(pending.paymentRequestId, approval(g.grantId))).toBe('decided');
    });

    it('knows nothing of an unknown request, and binding a token does not create one', async () => {
      const store = storeOf();
      const unknown = generatePaymentRequestId();
      expect(await store.findPaymentRequest(unknown)).toBeUndefined();
      expect(await store.decidePaymentRequest(unknown, approval(generateGrantId()))).toBe('unknown');
      expect(await store.completePaymentRequest(unknown, 'executed', nowSeconds())).toBe('unknown');
      await store.bindPaymentToken(unknown, boundToken());
      expect(await store.findPaymentRequest(unknown)).toBeUndefined();
      expect(await store.decidePaymentRequest(unknown, rejection())).toBe('unknown');
    });

    it('forgets a request once its retention after expiry has passed', async () => {
      const store = storeOf();
      const request = paymentRequest('client-pay-9', { lifetimeSeconds: 2 });
      await store.createPaymentRequest(request);
      clock.offsetMs = 3100;
      expect(await store.findPaymentRequest(request.paymentRequestId)).toEqual(request);
      clock.offsetMs = (2 + PAYMENT_REQUEST_RETENTION_SECONDS + 1) * 1000 + 100;
      expect(await store.findPaymentRequest(request.paymentRequestId)).toBeUndefined();
    });
  });

  it('keeps the payment details and payment request of a pisp grant', async () => {
    const store = storeOf();
    const request = paymentRequest('client-pay-grant');
    const g = paymentGrant(request);
    await store.createGrant(g);
    expect(await store.findGrant(g.grantId)).toEqual(g);
    expect((await store.findGrant(g.grantId))?.authorizationDetails).toEqual([request.detail]);
  });
}
