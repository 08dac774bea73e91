import { describe, expect, it } from '@jest/globals';
import { paymentBinding } from '@psd2/payment-details';
import { newPaymentRequest } from '@psd2/token-store';
import { DETAIL, PAY_REDIRECT, PSU, paymentTestbed, redirectParams } from './payment.test-support.js';

/*
 * The two authorization pages with a pushed request (RFC 9126 §4) or a payment request of the bank's
 * payment API, in process: single use, bound to the client, expiry, and what a refusal costs whom.
 */

const bed = paymentTestbed();
const BANK = '/oauth2/fr/banque/oauth2_authorization.aspx';
const SANDBOX = '/oauth2/fr/sandbox/signin.html';

function expectPage(response: Response, status = 400): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
}

/** A payment request as the payment API registers it (STET path). */
async function registered(clientId = 'pisp-1', lifetimeSeconds = 600) {
  const record = newPaymentRequest({
    clientId,
    detail: DETAIL,
    origin: 'payment_api',
    resourceId: 'stet-1',
    now: Math.floor(Date.now() / 1000) + bed.clock.offset,
    lifetimeSeconds,
  });
  await bed.store.createPaymentRequest(record);
  return record.paymentRequestId;
}

/** The consent URL the payment API builds, completed by the TPP. */
const stetQuery = (paymentRequestId: string, overrides: Record<string, string> = {}) => ({
  response_type: 'code',
  client_id: 'pisp-1',
  scope: 'pisp',
  payment_request_id: paymentRequestId,
  redirect_uri: PAY_REDIRECT,
  state: 'stet-state',
  code_challenge: bed.challenge,
  code_challenge_method: 'S256',
  ...overrides,
});

describe('request_uri', () => {
  it('is used once: the pushed request is shown, a second use is the error page', async () => {
    const requestUri = await bed.pushPayment();
    const first = await bed.open(SANDBOX, { client_id: 'pisp-1', request_uri: requestUri });
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('123,50');
    expect(html).toContain('Merchant A');
    expectPage(await bed.open(SANDBOX, { client_id: 'pisp-1', request_uri: requestUri }));
  });

  it('of another client is refused, and its owner can still use it', async () => {
    const requestUri = await bed.pushPayment();
    const foreign = await bed.open(BANK, { client_id: 'tpp-a-1', request_uri: requestUri });
    expectPage(foreign);
    expect(await foreign.text()).toContain('lien d’autorisation');
    expect((await bed.open(BANK, { client_id: 'pisp-1', request_uri: requestUri })).status).toBe(200);
  });

  it('expired, unknown, without client_id, repeated: the error page, never a 500', async () => {
    const requestUri = await bed.pushPayment();
    bed.clock.offset += 61;
    try {
      expectPage(await bed.open(BANK, { client_id: 'pisp-1', request_uri: requestUri }));
    } finally {
      bed.clock.offset -= 61;
    }
    expectPage(
      await bed.open(BANK, { client_id: 'pisp-1', request_uri: 'urn:ietf:params:oauth:request_uri:x' }),
    );
    const another = await bed.pushPayment();
    expectPage(await bed.open(BANK, { request_uri: another }));
    expectPage(await bed.open(BANK, `client_id=pisp-1&request_uri=${another}&request_uri=${another}`));
  });

  it('takes the pushed parameters only: the query’s others are ignored', async () => {
    const requestUri = await bed.pushPayment();
    const browser = await bed.start(SANDBOX, {
      client_id: 'pisp-1',
      request_uri: requestUri,
      redirect_uri: 'https://evil.example/cb',
      state: 'forged',
      scope: 'aisp',
    });
    const decided = await bed.post(browser, '/oauth2/fr/sandbox/consent', {
      decision: 'deny',
      psu: PSU.psuId,
    });
    expect(decided.headers.get('location')?.startsWith(`${PAY_REDIRECT}?`)).toBe(true);
    expect(redirectParams(decided).get('state')).toBe('pay-state');
  });
});

describe('payment_request_id (the payment API’s consent URL)', () => {
  it('opens the pages with the registered payment', async () => {
    const page = await bed.open(BANK, stetQuery(await registered()));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="customer_id"');
    // The sandbox's simulated customer approves or rejects a payment, in those words.
    const sandbox = await bed.open('/oauth2/en/sandbox/signin.html', stetQuery(await registered()));
    const html = await sandbox.text();
    expect(html).toMatch(/value="grant">Approve</);
    expect(html).toMatch(/value="deny">Reject</);
  });

  it('of another client: the error page, and the owner’s request untouched', async () => {
    const id = await registered();
    const foreign = await bed.open(BANK, stetQuery(id, { client_id: 'tpp-a-1', scope: 'pisp' }));
    expectPage(foreign);
    expect((await bed.store.findPaymentRequest(id))?.status).toBe('pending');
    expect((await bed.open(BANK, stetQuery(id))).status).toBe(200);
    expectPage(await bed.open(BANK, stetQuery('unknown-id')));
  });

  it('expired or decided: invalid_request back to the client', async () => {
    const expired = await registered('pisp-1', 60);
    bed.clock.offset += 60;
    let response: Response;
    try {
      response = await bed.open(BANK, stetQuery(expired));
    } finally {
      bed.clock.offset -= 60;
    }
    expect(response.status).toBe(302);
    expect(redirectParams(response).get('error')).toBe('invalid_request');
    expect(redirectParams(response).get('error_description')).toContain('expired');
    expect(redirectParams(response).get('state')).toBe('stet-state');

    const decided = await registered();
    await bed.store.decidePaymentRequest(decided, {
      outcome: 'rejected',
      decidedAt: Math.floor(Date.now() / 1000),
    });
    const again = await bed.open(SANDBOX, stetQuery(decided));
    expect(redirectParams(again).get('error_description')).toContain('decided');
  });

  it('with another scope: invalid_scope', async () => {
    const response = await bed.open(BANK, stetQuery(await registered(), { scope: 'pisp aisp' }));
    expect(redirectParams(response).get('error')).toBe('invalid_scope');
  });
});

describe('plain requests', () => {
  const plain = (overrides: Record<string, string>) => ({
    response_type: 'code',
    client_id: 'tpp-a-1',
    redirect_uri: PAY_REDIRECT,
    scope: 'aisp',
    state: 's',
    code_challenge: bed.challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });

  it('pisp without a payment: invalid_request, by the redirect', async () => {
    const response = await bed.open(BANK, plain({ scope: 'pisp' }));
    expect(response.status).toBe(302);
    expect(redirectParams(response).get('error')).toBe('invalid_request');
    expect(redirectParams(response).get('error_description')).toContain('payment');
  });

  it('authorization_details on the front channel: invalid_request', async () => {
    const response = await bed.open(SANDBOX, plain({ authorization_details: JSON.stringify([DETAIL]) }));
    expect(redirectParams(response).get('error')).toBe('invalid_request');
  });

  it('aisp as before, when PAR is not required', async () => {
    expect((await bed.open(BANK, plain({}))).status).toBe(200);
  });
});

describe('the sandbox decision', () => {
  it('approve: a code, the payment approved and bound to what was shown', async () => {
    const browser = await bed.start(SANDBOX, { client_id: 'pisp-1', request_uri: await bed.pushPayment() });
    const decided = await bed.post(browser, '/oauth2/fr/sandbox/consent', {
      decision: 'grant',
      psu: PSU.psuId,
    });
    expect(decided.status).toBe(303);
    const code = redirectParams(decided).get('code') ?? '';
    const peek = await bed.store.peekAuthorizationCode(code);
    expect(peek?.record).toMatchObject({ clientId: 'pisp-1', scope: 'pisp', subject: PSU.psuId });
    const grant = await bed.store.findGrant(peek?.record.grantId ?? '');
    expect(grant).toMatchObject({ scope: 'pisp', authorizationDetails: [DETAIL] });
    const payment = await bed.store.findPaymentRequest(grant?.paymentRequestId ?? '');
    expect(payment).toMatchObject({
      status: 'approved',
      subject: PSU.psuId,
      grantId: grant?.grantId,
      scaBinding: paymentBinding(DETAIL),
    });
  });

  it('reject: access_denied, the payment rejected', async () => {
    const id = await registered();
    const browser = await bed.start(SANDBOX, stetQuery(id));
    const decided = await bed.post(browser, '/oauth2/fr/sandbox/consent', {
      decision: 'deny',
      psu: PSU.psuId,
    });
    expect(redirectParams(decided).get('error')).toBe('access_denied');
    expect(redirectParams(decided).get('state')).toBe('stet-state');
    expect((await bed.store.findPaymentRequest(id))?.status).toBe('rejected');
  });
});
