import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PaymentOutcome, PaymentRequestStatus } from '@psd2/payment-consent-proto';
import { createIsolatedRedisPrefix, testRedisUrl } from '@psd2/testing';
import { createRedisTokenStore, hashSecret } from '@psd2/token-store';
import { Redis } from 'ioredis';
import {
  approveAsTheCustomer,
  BOUND_THUMBPRINT,
  fakeRegistry,
  issueBoundToken,
  pispClient,
  sampleRequest,
  startTestApi,
  type TestApi,
} from './test-support.js';

/*
 * The same conversation over real Redis (this file's own key prefix): what the pages, the token
 * service and this API share in production.
 */

const keyPrefix = createIsolatedRedisPrefix('payment-consent');
const store = createRedisTokenStore({ url: testRedisUrl(), keyPrefix });
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ store, registry: fakeRegistry([pispClient('pisp-client')]) });
});
afterAll(async () => {
  await api.close();
  await store.close();
  const inspector = new Redis(testRedisUrl());
  const keys = await inspector.keys(`${keyPrefix}*`);
  if (keys.length > 0) await inspector.del(...keys);
  inspector.disconnect();
});

describe('the payment-consent API over Redis', () => {
  it('registers, reads, sees the approval and its token, and ends the consent on CANCELLED', async () => {
    const registered = await api.register(sampleRequest('pisp-client'));
    expect((await api.get(registered.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
    );

    const now = Math.floor(Date.now() / 1000);
    const { grantId } = await approveAsTheCustomer(store, registered.paymentRequestId, now);
    const grant = { grantId, clientId: 'pisp-client' };
    const accessToken = await issueBoundToken(store, registered.paymentRequestId, grant, now);
    const approved = (await api.get(registered.paymentRequestId)).paymentRequest;
    expect(approved).toMatchObject({
      status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED,
      grantId,
      subject: 'psu-0001',
      boundToken: { accessTokenSha256: hashSecret(accessToken), cnfX5tS256: BOUND_THUMBPRINT, active: true },
    });

    expect(
      await api.report({
        paymentRequestId: registered.paymentRequestId,
        outcome: PaymentOutcome.PAYMENT_OUTCOME_CANCELLED,
      }),
    ).toMatchObject({ status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CANCELLED });
    expect(await store.findGrant(grantId)).toBeUndefined();
    const cancelled = (await api.get(registered.paymentRequestId)).paymentRequest;
    expect(cancelled?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CANCELLED);
    expect(cancelled?.boundToken?.active).toBe(false);
  });
});
