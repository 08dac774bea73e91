import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Language,
  PaymentKind,
  PaymentOutcome,
  PaymentRequestStatus,
} from '@psd2/payment-consent-proto';
import {
  createMemoryTokenStore,
  hashSecret,
  type TokenStore,
  TokenStoreUnavailableError,
} from '@psd2/token-store';
import {
  approveAsTheCustomer,
  BOUND_THUMBPRINT,
  fakeRegistry,
  ISSUER,
  issueBoundToken,
  pispClient,
  SAMPLE_DETAILS,
  sampleRequest,
  startTestApi,
  type TestApi,
} from './test-support.js';

/*
 * The real gRPC server on a loopback port, called by a real grpc-js client, over the in-process token
 * store and a fake registry: the payment API's whole conversation, and each way it can go wrong.
 */

let clock = 1_900_000_000;
const now = () => clock;
const store = createMemoryTokenStore({ now: () => clock * 1000 });
const registry = fakeRegistry([
  pispClient('pisp-client'),
  pispClient('aisp-client', { scope: 'aisp' }),
  pispClient('cc-only', { grantTypes: ['client_credentials'] }),
]);
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ store, registry, now });
});
afterAll(async () => {
  await api.close();
  await store.close();
});

describe('the payment API conversation', () => {
  it('registers, reads pending, reads the approval and token, reports executed: the consent ends', async () => {
    const registered = await api.register(sampleRequest('pisp-client'));
    expect(registered.paymentRequestId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(registered.expiresAt).toEqual(new Date((clock + 900) * 1000));
    const url = new URL(registered.consentApprovalUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/oauth2/fr/banque/oauth2_authorization.aspx`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'pisp-client',
      scope: 'pisp',
      payment_request_id: registered.paymentRequestId,
    });

    const pending = (await api.get(registered.paymentRequestId)).paymentRequest;
    expect(pending).toMatchObject({
      status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
      clientId: 'pisp-client',
      resourceId: 'pr-2026-0001',
      kind: PaymentKind.PAYMENT_KIND_INITIATE,
      details: sampleRequest('pisp-client').details,
      createdAt: new Date(clock * 1000),
    });
    expect(pending?.decidedAt).toBeUndefined();
    expect(pending?.boundToken).toBeUndefined();

    clock += 30;
    const { grantId } = await approveAsTheCustomer(store, registered.paymentRequestId, clock);
    const grant = { grantId, clientId: 'pisp-client' };
    const accessToken = await issueBoundToken(store, registered.paymentRequestId, grant, clock);
    const approved = (await api.get(registered.paymentRequestId)).paymentRequest;
    expect(approved).toMatchObject({
      status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED,
      decidedAt: new Date(clock * 1000),
      subject: 'psu-0001',
      grantId,
      boundToken: {
        accessTokenSha256: hashSecret(accessToken),
        cnfX5tS256: BOUND_THUMBPRINT,
        issuedAt: new Date(clock * 1000),
        expiresAt: new Date((clock + 300) * 1000),
        active: true,
      },
    });
    expect(await store.findGrant(grantId)).toBeDefined();
    expect(await store.findAccessToken(accessToken)).toBeDefined();

    clock += 5;
    const reported = await api.report({
      paymentRequestId: registered.paymentRequestId,
      outcome: PaymentOutcome.PAYMENT_OUTCOME_EXECUTED,
    });
    expect(reported).toEqual({
      status: PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXECUTED,
      completedAt: new Date(clock * 1000),
    });
    // The consent ends with the payment: its token is inactive at once (introspection: active false).
    expect(await store.findGrant(grantId)).toBeUndefined();
    expect(await store.findAccessToken(accessToken)).toBeUndefined();
    const executed = (await api.get(registered.paymentRequestId)).paymentRequest;
    expect(executed?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXECUTED);
    expect(executed?.completedAt).toEqual(new Date(clock * 1000));
    expect(executed?.boundToken?.active).toBe(false);

    // A retried report (its answer lost) gets the same answer; the other outcome is refused.
    clock += 5;
    expect(
      await api.report({
        paymentRequestId: registered.paymentRequestId,
        outcome: PaymentOutcome.PAYMENT_OUTCOME_EXECUTED,
      }),
    ).toEqual(reported);
    expect(
      await api.failure(
        api.report({
          paymentRequestId: registered.paymentRequestId,
          outcome: PaymentOutcome.PAYMENT_OUTCOME_CANCELLED,
        }),
      ),
    ).toEqual({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining('is executed, not approved'),
    });
  });

  it('gives a cancellation in English on the sandbox page in sandbox mode', async () => {
    const sandbox = await startTestApi({ store, registry, now, mode: 'sandbox' });
    try {
      const registered = await sandbox.register(
        sampleRequest('pisp-client', {
          kind: PaymentKind.PAYMENT_KIND_CANCEL,
          details: { ...SAMPLE_DETAILS, paymentId: 'payment-42' },
          language: 2,
          expiresInSeconds: 60,
        }),
      );
      expect(registered.consentApprovalUrl).toMatch(
        new RegExp(
          `^${ISSUER}/oauth2/en/sandbox/signin\\.html\\?response_type=code&client_id=pisp-client&scope=pisp&payment_request_id=`,
        ),
      );
      expect(registered.expiresAt).toEqual(new Date((clock + 60) * 1000));
      const read = (await sandbox.get(registered.paymentRequestId)).paymentRequest;
      expect(read?.kind).toBe(PaymentKind.PAYMENT_KIND_CANCEL);
      expect(read?.details?.paymentId).toBe('payment-42');
    } finally {
      await sandbox.close();
    }
  });

  it('reports a request nobody decided in time as EXPIRED, and refuses to complete it', async () => {
    const registered = await api.register(sampleRequest('pisp-client', { expiresInSeconds: 60 }));
    clock += 60;
    expect((await api.get(registered.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED,
    );
    expect(
      await api.failure(
        api.report({
          paymentRequestId: registered.paymentRequestId,
          outcome: PaymentOutcome.PAYMENT_OUTCOME_CANCELLED,
        }),
      ),
    ).toEqual({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining('is expired, not approved'),
    });
  });
});

describe('refusals', () => {
  it('answers INVALID_ARGUMENT naming the proto field of faulty details', async () => {
    const details = SAMPLE_DETAILS;
    const cases: [Parameters<typeof sampleRequest>[1], string][] = [
      [
        { details: { ...details, instructedAmount: { currency: 'EUR', amount: '12.345' } } },
        'details.instructed_amount.amount',
      ],
      [
        { details: { ...details, instructedAmount: { currency: 'XYZ', amount: '1' } } },
        'details.instructed_amount.currency',
      ],
      [{ details: { ...details, creditorIban: 'DE00100100109307118603' } }, 'details.creditor_iban'],
      [{ details: { ...details, creditorName: '' } }, 'details.creditor_name'],
      [{ details: { ...details, debtorIban: 'FR76' } }, 'details.debtor_iban'],
      [{ details: { ...details, paymentId: 'p-1' } }, 'details.payment_id is only for a cancellation'],
      [{ kind: PaymentKind.PAYMENT_KIND_CANCEL }, 'details.payment_id is required'],
      [{ kind: PaymentKind.PAYMENT_KIND_UNSPECIFIED }, 'kind is required'],
      [{ details: undefined }, 'details is required'],
      [{ resourceId: '' }, 'resource_id is required'],
      [{ clientId: '' }, 'client_id is required'],
      [{ expiresInSeconds: 9 }, 'expires_in_seconds must be from 10 to 3600'],
      [{ expiresInSeconds: 3601 }, 'expires_in_seconds must be from 10 to 3600'],
      [{ language: 7 as Language }, 'language must be'],
    ];
    for (const [changes, message] of cases) {
      const failure = await api.failure(api.register(sampleRequest('pisp-client', changes)));
      expect({ changes, failure }).toEqual({
        changes,
        failure: { code: status.INVALID_ARGUMENT, details: expect.stringContaining(message) },
      });
    }
  });

  it('answers NOT_FOUND for an unknown client or payment request', async () => {
    expect(await api.failure(api.register(sampleRequest('nobody')))).toEqual({
      code: status.NOT_FOUND,
      details: 'no client nobody in the registry',
    });
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not/an id', 'x'.repeat(500)]) {
      expect((await api.failure(api.get(id))).code).toBe(status.NOT_FOUND);
    }
    expect(
      (
        await api.failure(
          api.report({
            paymentRequestId: 'AAAAAAAAAAAAAAAAAAAAAA',
            outcome: PaymentOutcome.PAYMENT_OUTCOME_EXECUTED,
          }),
        )
      ).code,
    ).toBe(status.NOT_FOUND);
    expect(await api.failure(api.get(''))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'payment_request_id is required',
    });
  });

  it('answers FAILED_PRECONDITION for a client that may not ask for payment consent', async () => {
    expect(await api.failure(api.register(sampleRequest('aisp-client')))).toEqual({
      code: status.FAILED_PRECONDITION,
      details: 'client aisp-client is not registered for the pisp scope',
    });
    expect(await api.failure(api.register(sampleRequest('cc-only')))).toEqual({
      code: status.FAILED_PRECONDITION,
      details: 'client cc-only is not registered for the authorization_code grant type',
    });
  });

  it('answers UNAVAILABLE while the registry or the token store is down, and stays SERVING', async () => {
    registry.down = true;
    try {
      expect((await api.failure(api.register(sampleRequest('pisp-client')))).code).toBe(status.UNAVAILABLE);
    } finally {
      registry.down = false;
    }

    const down = new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return () => Promise.reject(new TokenStoreUnavailableError(new Error('connection refused')));
      },
    }) as TokenStore;
    const outage = await startTestApi({ store: down, registry, now });
    try {
      // Every replica shares the store: health is the replica's own state, so it stays SERVING.
      expect(outage.server.health.serving).toBe(true);
      expect(await outage.failure(outage.register(sampleRequest('pisp-client')))).toEqual({
        code: status.UNAVAILABLE,
        details: 'a dependency (token store or client registry) is unavailable',
      });
      expect((await outage.failure(outage.get('AAAAAAAAAAAAAAAAAAAAAA'))).code).toBe(status.UNAVAILABLE);
    } finally {
      await outage.close();
    }
    expect(api.server.health.serving).toBe(true);
  });
});
