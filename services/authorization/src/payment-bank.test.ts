import { describe, expect, it } from '@jest/globals';
import { paymentBinding } from '@psd2/payment-details';
import { DETAIL, PAY_REDIRECT, PSU, paymentTestbed, redirectParams } from './payment.test-support.js';

/*
 * The bank flow for a payment, in process: full SCA with the amount and payee on the code step
 * (dynamic linking, PSD2 RTS Art. 5), then approve or reject; an approval whose payment changed since
 * the code step, or was decided meanwhile, gets no code. And PAR_REQUIRED.
 */

const bed = paymentTestbed();
const BANK = '/oauth2/fr/banque/oauth2_authorization.aspx';
const CONSENT = '/oauth2/fr/banque/consent';

async function authenticated() {
  const requestUri = await bed.pushPayment();
  const used = { client_id: 'pisp-1', request_uri: requestUri };
  const browser = await bed.start(BANK, used);
  const otp = await bed.toOtp(browser);
  const consent = await bed.sendOtp(browser);
  return { browser, otp, consent };
}

/** The payment request of the code a redirect carries, or of the request the testbed pushed last. */
async function paymentOfCode(code: string) {
  const peek = await bed.store.peekAuthorizationCode(code);
  const grant = await bed.store.findGrant(peek?.record.grantId ?? '');
  return { grant, payment: await bed.store.findPaymentRequest(grant?.paymentRequestId ?? '') };
}

describe('the bank flow for a payment', () => {
  it('shows the amount and payee on the code step and the consent, then approves: a code', async () => {
    const { browser, otp, consent } = await authenticated();
    for (const html of [otp, consent]) {
      expect(html).toContain('123,50');
      expect(html).toContain('Merchant A');
      expect(html).toContain('DE02 •••• 8603');
      expect(html).not.toContain('DE02100100109307118603');
    }
    expect(consent).toContain('Ref Number Merchant');
    // The client's name is escaped.
    expect(consent).toContain('&lt;b&gt;pisp-1&lt;/b&gt;');
    const decided = await bed.post(browser, CONSENT, { decision: 'grant' });
    expect(decided.status).toBe(303);
    expect(decided.headers.get('location')?.startsWith(`${PAY_REDIRECT}?`)).toBe(true);
    const params = redirectParams(decided);
    expect(params.get('state')).toBe('pay-state');
    const { grant, payment } = await paymentOfCode(params.get('code') ?? '');
    expect(grant).toMatchObject({ scope: 'pisp', subject: PSU.psuId, authorizationDetails: [DETAIL] });
    expect(payment).toMatchObject({
      status: 'approved',
      subject: PSU.psuId,
      grantId: grant?.grantId,
      scaBinding: paymentBinding(DETAIL),
    });
  });

  it('reject: access_denied and the payment rejected by that PSU', async () => {
    const { browser } = await authenticated();
    const decided = await bed.post(browser, CONSENT, { decision: 'deny' });
    expect(redirectParams(decided).get('error')).toBe('access_denied');
  });

  it('in English: the amount as the English read it', async () => {
    const browser = await bed.start('/oauth2/en/banque/oauth2_authorization.aspx', {
      client_id: 'pisp-1',
      request_uri: await bed.pushPayment(),
    });
    const otp = await bed.toOtp(browser, 'en');
    expect(otp).toContain('€123.50');
    expect(await bed.sendOtp(browser, 'en')).toContain('€123.50');
  });

  it('the stored payment changed between the code step and the approval: refused, no code', async () => {
    const requestUri = await bed.pushPayment();
    const browser = await bed.start(BANK, { client_id: 'pisp-1', request_uri: requestUri });
    await bed.toOtp(browser);
    await bed.sendOtp(browser);
    // The payment request this flow carries: the only pending one the testbed's client has.
    const pending = await findPending();
    await bed.store.createPaymentRequest({
      ...pending,
      detail: { ...pending.detail, instructedAmount: { currency: 'EUR', amount: '9999.00' } },
    });
    const decided = await bed.post(browser, CONSENT, { decision: 'grant' });
    expect(decided.status).toBe(400);
    expect(decided.headers.get('location')).toBeNull();
    expect(await decided.text()).toContain('Le paiement a changé');
    expect((await bed.store.findPaymentRequest(pending.paymentRequestId))?.status).toBe('pending');
  });

  it('expired between the code step and the approval: invalid_request to the client, no code', async () => {
    const requestUri = await bed.pushPayment();
    const browser = await bed.start(BANK, { client_id: 'pisp-1', request_uri: requestUri });
    await bed.toOtp(browser);
    await bed.sendOtp(browser);
    const pending = await findPending();
    await bed.store.createPaymentRequest({ ...pending, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const decided = await bed.post(browser, CONSENT, { decision: 'grant' });
    expect(decided.status).toBe(303);
    expect(redirectParams(decided).get('error')).toBe('invalid_request');
    expect(redirectParams(decided).get('code')).toBeNull();
    expect((await bed.store.findPaymentRequest(pending.paymentRequestId))?.status).toBe('pending');
  });

  it('decided meanwhile (at the store’s atomic decision): no code, the new grant revoked', async () => {
    const { browser } = await authenticated();
    const decide = bed.store.decidePaymentRequest;
    let grantId = '';
    bed.store.decidePaymentRequest = async (_id, decision) => {
      if (decision.outcome === 'approved') grantId = decision.grantId;
      return 'not_pending';
    };
    try {
      const decided = await bed.post(browser, CONSENT, { decision: 'grant' });
      expect(decided.status).toBe(303);
      expect(redirectParams(decided).get('error')).toBe('invalid_request');
      expect(redirectParams(decided).get('code')).toBeNull();
      expect(grantId).not.toBe('');
      expect(await bed.store.findGrant(grantId)).toBeUndefined();
    } finally {
      bed.store.decidePaymentRequest = decide;
    }
  });
});

/** Pending payment requests are not listed by the store: the test keeps the ids it pushed. */
const pushedIds: string[] = [];
const createPaymentRequest = bed.store.createPaymentRequest;
bed.store.createPaymentRequest = async (record) => {
  pushedIds.push(record.paymentRequestId);
  await createPaymentRequest(record);
};
async function findPending() {
  for (const id of [...pushedIds].reverse()) {
    const record = await bed.store.findPaymentRequest(id);
    if (record?.status === 'pending') return record;
  }
  throw new Error('no pending payment request');
}

describe('PAR_REQUIRED', () => {
  const required = paymentTestbed({ parRequired: true });
  const plain = () => ({
    response_type: 'code',
    client_id: 'tpp-a-1',
    redirect_uri: PAY_REDIRECT,
    scope: 'aisp',
    state: 's',
    code_challenge: required.challenge,
    code_challenge_method: 'S256',
  });

  it('refuses a plain request after the client checks: invalid_request to the client', async () => {
    const response = await required.open(BANK, plain());
    expect(response.status).toBe(302);
    expect(redirectParams(response).get('error')).toBe('invalid_request');
    expect(redirectParams(response).get('error_description')).toContain('pushed authorization request');
    // An unregistered redirect URI is still a page: nothing is redirected to it.
    const unverified = await required.open(BANK, { ...plain(), redirect_uri: 'https://evil.example/cb' });
    expect(unverified.status).toBe(400);
  });

  it('takes pushed requests, aisp too', async () => {
    const pushed = await required.push('tpp-a', { ...plain(), client_id: 'tpp-a-1' });
    expect(pushed.status).toBe(201);
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    expect((await required.open(BANK, { client_id: 'tpp-a-1', request_uri })).status).toBe(200);
  });
});
