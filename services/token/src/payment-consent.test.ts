import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { RegisteredClient } from '@psd2/client-registry-client';
import { identityOf, plantConsent, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import {
  PAYMENT_INITIATION_EXAMPLE,
  type PaymentInitiationDetail,
  paymentBinding,
} from '@psd2/payment-details';
import {
  type GrantRecord,
  generateGrantId,
  generateOpaqueToken,
  hashSecret,
  newPaymentRequest,
} from '@psd2/token-store';
import { PAYMENT_TTL_SECONDS, useInProcessTokenApp } from './app.test-support.js';

/*
 * A pisp code is one approved payment (RFC 9396 payment_initiation): the token endpoint checks the
 * payment request, answers a short-lived certificate-bound token with authorization_details and no
 * refresh token, and records the token on the request; introspection names the payment. In process
 * with the embedded store: consents are planted as the authorization service writes them.
 */

const app = useInProcessTokenApp();

const PAYMENT = PAYMENT_INITIATION_EXAMPLE;
const OTHER_PAYMENT: PaymentInitiationDetail = {
  ...PAYMENT,
  instructedAmount: { currency: 'EUR', amount: '9999.00' },
};

interface Planted {
  readonly code: string;
  readonly verifier: string;
  readonly grantId: string;
  readonly paymentRequestId: string;
}

type Decision = 'approved' | 'pending' | 'rejected' | 'approved by another grant';

/** A payment request decided as `decision`, its grant and code, as the authorization service writes them. */
async function plantPayment(
  client: RegisteredClient,
  options: {
    readonly decision?: Decision;
    readonly grant?: Partial<GrantRecord>;
    /** Grant members the authorization service would have written, left out. */
    readonly omit?: readonly ('authorizationDetails' | 'paymentRequestId')[];
    readonly requested?: PaymentInitiationDetail;
  } = {},
): Promise<Planted> {
  const { store } = app();
  const now = Math.floor(Date.now() / 1000);
  const request = newPaymentRequest({
    clientId: client.clientId,
    detail: options.requested ?? PAYMENT,
    origin: 'pushed',
    now,
    lifetimeSeconds: 600,
  });
  await store.createPaymentRequest(request);
  const grantId = generateGrantId();
  const grant: GrantRecord = {
    grantId,
    clientId: client.clientId,
    organizationId: client.organizationId,
    subject: 'psu-0001',
    scope: 'pisp',
    authTime: now,
    createdAt: now,
    expiresAt: now + 600,
    authorizationDetails: [PAYMENT],
    paymentRequestId: request.paymentRequestId,
    ...options.grant,
  };
  const { authorizationDetails, paymentRequestId, ...bare } = grant;
  const omit = options.omit ?? [];
  await store.createGrant({
    ...bare,
    ...(omit.includes('authorizationDetails') ? {} : { authorizationDetails }),
    ...(omit.includes('paymentRequestId') ? {} : { paymentRequestId }),
  });
  const decision = options.decision ?? 'approved';
  if (decision === 'rejected') {
    await store.decidePaymentRequest(request.paymentRequestId, { outcome: 'rejected', decidedAt: now });
  } else if (decision !== 'pending') {
    await store.decidePaymentRequest(request.paymentRequestId, {
      outcome: 'approved',
      subject: 'psu-0001',
      grantId: decision === 'approved' ? grantId : generateGrantId(),
      scaBinding: paymentBinding(PAYMENT),
      decidedAt: now,
    });
  }
  const verifier = randomBytes(32).toString('base64url');
  const code = generateOpaqueToken();
  await store.saveAuthorizationCode(code, {
    clientId: client.clientId,
    redirectUri: TEST_REDIRECT_URI,
    scope: options.grant?.scope ?? 'pisp',
    grantId,
    subject: 'psu-0001',
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    issuedAt: now,
    expiresAt: now + 60,
  });
  return { code, verifier, grantId, paymentRequestId: request.paymentRequestId };
}

const exchange = (client: RegisteredClient, planted: Planted) =>
  app().post('psp-pi', '/oauth2/token', {
    grant_type: 'authorization_code',
    client_id: client.clientId,
    code: planted.code,
    redirect_uri: TEST_REDIRECT_URI,
    code_verifier: planted.verifier,
  });
const introspect = async (token: string) =>
  (await app().post('psp-as', '/oauth2/introspect', { token })).json() as Promise<Record<string, unknown>>;

async function expectInvalidGrant(response: Response): Promise<void> {
  expect({ status: response.status, body: await response.json() }).toMatchObject({
    status: 400,
    body: { error: 'invalid_grant' },
  });
}

describe('a pisp code (one approved payment)', () => {
  let pisp: RegisteredClient;
  beforeAll(() => {
    pisp = app().addClient('psp-pi', {
      scope: 'pisp',
      grantTypes: ['authorization_code', 'client_credentials'],
    });
  });

  it('buys a short-lived bound token with authorization_details and no refresh token, recorded on the request', async () => {
    const planted = await plantPayment(pisp);
    const response = await exchange(pisp, planted);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { access_token: string };
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: PAYMENT_TTL_SECONDS,
      scope: 'pisp',
      authorization_details: [PAYMENT],
    });

    const thumbprint = identityOf(app().pki, 'psp-pi').x5tS256;
    const request = await app().store.findPaymentRequest(planted.paymentRequestId);
    expect(request?.token).toEqual({
      accessTokenHash: hashSecret(body.access_token),
      certificateThumbprint: thumbprint,
      issuedAt: expect.any(Number),
      expiresAt: expect.any(Number),
    });
    expect((request?.token?.expiresAt ?? 0) - (request?.token?.issuedAt ?? 0)).toBe(PAYMENT_TTL_SECONDS);

    expect(await introspect(body.access_token)).toMatchObject({
      active: true,
      scope: 'pisp',
      sub: 'psu-0001',
      client_id: pisp.clientId,
      cnf: { 'x5t#S256': thumbprint },
      authorization_details: [PAYMENT],
      payment_request_id: planted.paymentRequestId,
    });
  });

  it('lets the bank API tell the token of payment A from that of payment B', async () => {
    const [a, b] = [await plantPayment(pisp), await plantPayment(pisp)];
    const tokenA = ((await (await exchange(pisp, a)).json()) as { access_token: string }).access_token;
    const tokenB = ((await (await exchange(pisp, b)).json()) as { access_token: string }).access_token;
    expect((await introspect(tokenA)).payment_request_id).toBe(a.paymentRequestId);
    expect((await introspect(tokenB)).payment_request_id).toBe(b.paymentRequestId);
  });

  it('is dead once the payment is executed: the token is inactive', async () => {
    const planted = await plantPayment(pisp);
    const { access_token: token } = (await (await exchange(pisp, planted)).json()) as {
      access_token: string;
    };
    expect(
      await app().store.completePaymentRequest(planted.paymentRequestId, 'executed', Date.now() / 1000),
    ).toBe('completed');
    expect(await introspect(token)).toEqual({ active: false });
  });

  it.each([
    ['a payment request still pending', { decision: 'pending' }],
    ['a rejected payment request', { decision: 'rejected' }],
    ['a payment request approved by another grant', { decision: 'approved by another grant' }],
    ['a grant without authorization_details', { omit: ['authorizationDetails'] }],
    ['a grant without its payment request', { omit: ['paymentRequestId'] }],
    ['a grant carrying no payment at all', { omit: ['authorizationDetails', 'paymentRequestId'] }],
    ['a grant of two payments', { grant: { authorizationDetails: [PAYMENT, PAYMENT] } }],
    ['a consent for another payment than the request', { requested: OTHER_PAYMENT }],
  ] as const)('is invalid_grant for %s, and binds no token', async (_case, options) => {
    const planted = await plantPayment(pisp, options);
    await expectInvalidGrant(await exchange(pisp, planted));
    expect((await app().store.findPaymentRequest(planted.paymentRequestId))?.token).toBeUndefined();
  });

  it('is invalid_grant for a payment consent that also carries aisp', async () => {
    const client = app().addClient('tpp-a', {
      scope: 'aisp pisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const planted = await plantPayment(client, { grant: { scope: 'aisp pisp' } });
    const response = await app().post('tpp-a', '/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: client.clientId,
      code: planted.code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: planted.verifier,
    });
    await expectInvalidGrant(response);
  });

  it('never looks a payment up for an aisp code or a grant up to introspect a non-payment token', async () => {
    const aisp = app().addClient('psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const { store } = app();
    const lookups = { payment: 0, grant: 0 };
    const { findPaymentRequest, findGrant } = store;
    store.findPaymentRequest = async (id) => {
      lookups.payment += 1;
      return findPaymentRequest(id);
    };
    try {
      const planted = await plantConsent(store, aisp, 'aisp');
      const response = await app().post('psp-ai', '/oauth2/token', {
        grant_type: 'authorization_code',
        client_id: aisp.clientId,
        code: planted.code,
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: planted.verifier,
      });
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ scope: 'aisp', expires_in: 3600, refresh_token: expect.any(String) });
      expect(body).not.toHaveProperty('authorization_details');
      expect(lookups.payment).toBe(0);

      const own = await app().post('psp-pi', '/oauth2/token', {
        grant_type: 'client_credentials',
        client_id: pisp.clientId,
      });
      const ownToken = String(((await own.json()) as Record<string, unknown>).access_token);
      store.findGrant = async (id) => {
        lookups.grant += 1;
        return findGrant(id);
      };
      for (const token of [String(body.access_token), ownToken]) {
        const introspection = await introspect(token);
        expect(introspection).toMatchObject({ active: true });
        expect(introspection).not.toHaveProperty('payment_request_id');
      }
      expect(lookups.grant).toBe(0);
    } finally {
      store.findPaymentRequest = findPaymentRequest;
      store.findGrant = findGrant;
    }
  });
});
