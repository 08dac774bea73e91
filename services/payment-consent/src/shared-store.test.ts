import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PaymentOutcome, PaymentRequestStatus } from '@psd2/payment-consent-proto';
import {
  createMemoryTokenStore,
  createRemoteTokenStore,
  hostTokenStore,
  type TokenStoreHost,
} from '@psd2/token-store';
import {
  approveAsTheCustomer,
  fakeRegistry,
  pispClient,
  sampleRequest,
  startTestApi,
  type TestApi,
} from './test-support.js';

/*
 * `pnpm start` without Redis: the launcher hosts one in-process store and every service, this one
 * included, reaches it over loopback. What this API registers is what the pages decide on.
 */

const launcherStore = createMemoryTokenStore();
let host: TokenStoreHost;
let api: TestApi;

beforeAll(async () => {
  host = await hostTokenStore(launcherStore, { secret: 'launcher-secret' });
  const remote = createRemoteTokenStore({ url: host.url, secret: 'launcher-secret' });
  api = await startTestApi({
    store: remote,
    registry: fakeRegistry([pispClient('pisp-client')]),
    mode: 'sandbox',
  });
});
afterAll(async () => {
  await api.close();
  await host.close();
  await launcherStore.close();
});

describe("the payment-consent API over the launcher's shared store", () => {
  it('registers in the shared store, sees the decision made there, and ends the consent', async () => {
    const registered = await api.register(sampleRequest('pisp-client'));
    expect((await launcherStore.findPaymentRequest(registered.paymentRequestId))?.status).toBe('pending');

    const { grantId } = await approveAsTheCustomer(
      launcherStore,
      registered.paymentRequestId,
      Math.floor(Date.now() / 1000),
    );
    expect((await api.get(registered.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED,
    );
    await api.report({
      paymentRequestId: registered.paymentRequestId,
      outcome: PaymentOutcome.PAYMENT_OUTCOME_EXECUTED,
    });
    expect(await launcherStore.findGrant(grantId)).toBeUndefined();
  });
});
