import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PaymentOutcome, PaymentRequestStatus } from '@psd2/payment-consent-proto';
import {
  createMemoryTokenStore,
  generateGrantId,
  type TokenStore,
  TokenStoreUnavailableError,
} from '@psd2/token-store';
import {
  approveAsTheCustomer,
  fakeRegistry,
  issueBoundToken,
  pispClient,
  sampleRequest,
  startTestApi,
  type TestApi,
} from './test-support.js';

/*
 * bound_token.active: only a reported outcome changes a payment request's status, so after every other
 * event that ends its token the payment API would read APPROVED and a bound token as if usable. The
 * field must give the answer introspection gives. Each case has a client of its own, as suspending or
 * deleting a client ends everything of it.
 */

let clock = 1_900_000_000;
const now = () => clock;
const store = createMemoryTokenStore({ now: () => clock * 1000 });
const CLIENTS = ['withdrawn', 'revoked', 'suspended', 'deleted', 'expired', 'executed', 'foreign', 'outage'];
const registry = fakeRegistry(CLIENTS.map((name) => pispClient(`pisp-${name}`)));
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ store, registry, now });
});
afterAll(async () => {
  await api.close();
  await store.close();
});

/** A request of `clientId` approved by the customer, its token redeemed and bound: active. */
async function approvedWithToken(clientId: string) {
  const { paymentRequestId } = await api.register(sampleRequest(clientId));
  const { grantId } = await approveAsTheCustomer(store, paymentRequestId, clock);
  const accessToken = await issueBoundToken(store, paymentRequestId, { grantId, clientId }, clock);
  const read = async () => (await api.get(paymentRequestId)).paymentRequest;
  expect(await read()).toMatchObject({
    status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED,
    boundToken: { active: true },
  });
  expect(await store.findAccessToken(accessToken)).toBeDefined();
  return { paymentRequestId, grantId, accessToken, read };
}

type Approved = Awaited<ReturnType<typeof approvedWithToken>>;

describe('GetPaymentRequest: bound_token.active', () => {
  it('is absent on a pending request: no token was issued on it yet', async () => {
    const { paymentRequestId } = await api.register(sampleRequest('pisp-withdrawn'));
    expect((await api.get(paymentRequestId)).paymentRequest?.boundToken).toBeUndefined();
  });

  const events: ReadonlyArray<readonly [string, string, (approved: Approved) => Promise<unknown>]> = [
    [
      'the customer withdrew the consent (grant revoked)',
      'pisp-withdrawn',
      ({ grantId }) => store.revokeGrant(grantId),
    ],
    [
      'the TPP revoked the token (RFC 7009)',
      'pisp-revoked',
      ({ accessToken }) => store.revokeAccessToken(accessToken),
    ],
    ['an operator suspended the client', 'pisp-suspended', () => store.suspendClient('pisp-suspended')],
    ['the client was deleted (RFC 7592)', 'pisp-deleted', () => store.revokeClient('pisp-deleted')],
    [
      'the token expired',
      'pisp-expired',
      async () => {
        clock += 300;
      },
    ],
  ];

  it.each(events)('is false, the status still APPROVED, once %s', async (_event, clientId, end) => {
    const approved = await approvedWithToken(clientId);
    await end(approved);
    // Introspection's answer, which the field must repeat.
    expect(await store.findAccessToken(approved.accessToken)).toBeUndefined();
    expect(await approved.read()).toMatchObject({
      status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED,
      boundToken: { active: false },
    });
  });

  it('is false once the payment is reported executed', async () => {
    const approved = await approvedWithToken('pisp-executed');
    await api.report({
      paymentRequestId: approved.paymentRequestId,
      outcome: PaymentOutcome.PAYMENT_OUTCOME_EXECUTED,
    });
    expect(await approved.read()).toMatchObject({
      status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXECUTED,
      boundToken: { active: false },
    });
  });

  it("is false for an active token of another grant: it proves nothing of this payment's consent", async () => {
    const approved = await approvedWithToken('pisp-foreign');
    const other = { grantId: generateGrantId(), clientId: 'pisp-foreign' };
    await store.createGrant({
      ...other,
      organizationId: 'PSDFR-ACPR-12345',
      subject: 'psu-0001',
      scope: 'pisp',
      authTime: clock,
      createdAt: clock,
      expiresAt: clock + 300,
    });
    const stray = await issueBoundToken(store, approved.paymentRequestId, other, clock);
    expect(await store.findAccessToken(stray)).toBeDefined();
    expect((await approved.read())?.boundToken?.active).toBe(false);
  });
});

describe('GetPaymentRequest when the token cannot be checked', () => {
  /** The store, except that asking about a token by its hash fails with `error`. */
  const failingTokenCheck = (error: Error) =>
    new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'findAccessTokenByHash') return () => Promise.reject(error);
        return Reflect.get(target, property, receiver);
      },
    }) as TokenStore;

  it('answers UNAVAILABLE while the store is down, INTERNAL on any other failure: never a guess', async () => {
    const { paymentRequestId } = await approvedWithToken('pisp-outage');
    const cases = [
      [new TokenStoreUnavailableError(new Error('connection refused')), status.UNAVAILABLE],
      [new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), status.INTERNAL],
    ] as const;
    for (const [error, code] of cases) {
      const outage = await startTestApi({ store: failingTokenCheck(error), registry, now });
      try {
        expect((await outage.failure(outage.get(paymentRequestId))).code).toBe(code);
      } finally {
        await outage.close();
      }
    }
  });
});
