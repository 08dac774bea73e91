import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectPaymentConsentApi,
  type PaymentConsentApi,
  PaymentKind,
  PaymentOutcome,
  PaymentRequestStatus,
} from '@psd2/payment-consent-proto';
import { PAYMENT_INITIATION_EXAMPLE } from '@psd2/payment-details';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import {
  approvedInSandbox as approved,
  decideInBrowser,
  launchBrowser,
  onBankPage,
  REDIRECT_URI,
} from './browser.js';
import { type E2eSystem, itMatchedTheDocument, startE2e } from './harness.js';
import { asThePisp, PAYMENT, registerPayment as register } from './stet-payments.js';

/*
 * The STET way in: the bank's payment API registers the payment over the internal gRPC API (never
 * through the edge), gives the PISP the consent-approval URL, and the PISP adds redirect_uri, state and
 * PKCE as for any authorization request. The payment API then reads the decision and the bound token,
 * and reports the payment executed, which ends the token.
 */

const AS_DETAIL = PAYMENT_INITIATION_EXAMPLE;

let e2e: E2eSystem;
let browser: Browser;
let bank: oidc.Configuration;
let pisp: oidc.Configuration;
let paymentApi: PaymentConsentApi;

beforeAll(async () => {
  [e2e, browser] = await Promise.all([startE2e({ label: 'e2e-payment-api' }), launchBrowser()]);
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
  pisp = await e2e.register('psp-pi', {
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    scope: 'pisp',
    client_name: 'Paiement Facile',
  });
  paymentApi = connectPaymentConsentApi(e2e.system.paymentConsentAddress);
}, 60_000);

afterAll(async () => {
  paymentApi?.close();
  await browser?.close();
  await e2e?.stop();
});

const introspect = (token: string) => oidc.tokenIntrospection(bank, token);
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** A payment of the PISP's client registered by the payment API (stet-payments.ts). */
const registerPayment = (kind: PaymentKind, changes?: Parameters<typeof register>[3]) =>
  register(paymentApi, pisp.clientMetadata().client_id, kind, changes);

/** The customer approves the payment API's payment on the sandbox page; the PISP redeems the code. */
const approvedInSandbox = async (consentApprovalUrl: string, psuId: string, shows: readonly string[]) =>
  approved(e2e, browser, pisp, await asThePisp(consentApprovalUrl), { psuId, shows });

describe('payment consent registered by the bank payment API (STET)', () => {
  it('initiation on the bank page: SCA bound to the payment, a pisp token the payment API can match, ended once executed', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_INITIATE);
    const consentUrl = new URL(registered.consentApprovalUrl);
    expect(consentUrl.origin).toBe(e2e.system.edgeUrl);
    expect(consentUrl.searchParams.get('payment_request_id')).toBe(registered.paymentRequestId);
    expect((await paymentApi.get(registered.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
    );

    const authorization = await asThePisp(registered.consentApprovalUrl);
    const callback = await decideInBrowser(e2e, browser, onBankPage(pisp, authorization.url), {
      page: 'bank',
      psuId: 'psu-chloe',
      decision: 'grant',
      shows: ['123,50 €', 'Merchant A', 'DE02 •••• 8603', 'Ref Number Merchant'],
    });
    const tokens = await oidc.authorizationCodeGrant(pisp, callback, {
      pkceCodeVerifier: authorization.verifier,
      expectedState: authorization.state,
    });
    expect(tokens).toMatchObject({ scope: 'pisp', authorization_details: [AS_DETAIL] });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.expires_in).toBeLessThanOrEqual(300);

    // The bank's API: introspection names the payment the token is for...
    expect(await introspect(tokens.access_token)).toMatchObject({
      active: true,
      scope: 'pisp',
      sub: 'psu-chloe',
      authorization_details: [AS_DETAIL],
      payment_request_id: registered.paymentRequestId,
      cnf: { 'x5t#S256': e2e.thumbprint('psp-pi') },
    });
    // ...and the payment API reads the decision and the token bound to it.
    const approved = (await paymentApi.get(registered.paymentRequestId)).paymentRequest;
    expect(approved?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED);
    expect(approved?.subject).toBe('psu-chloe');
    expect(approved?.boundToken?.accessTokenSha256).toBe(sha256(tokens.access_token));
    expect(approved?.boundToken?.cnfX5tS256).toBe(e2e.thumbprint('psp-pi'));
    expect(approved?.boundToken?.active).toBe(true);

    const outcome = await paymentApi.report({
      paymentRequestId: registered.paymentRequestId,
      outcome: PaymentOutcome.PAYMENT_OUTCOME_EXECUTED,
    });
    expect(outcome.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXECUTED);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await paymentApi.get(registered.paymentRequestId)).paymentRequest?.boundToken?.active).toBe(
      false,
    );
  });

  it('the PISP revokes its token at /oauth2/revoke: still APPROVED, but bound_token.active false', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_INITIATE, { amount: '15.00' });
    const tokens = await approvedInSandbox(registered.consentApprovalUrl, 'psu-alice', ['15,00 €']);
    const read = async () => (await paymentApi.get(registered.paymentRequestId)).paymentRequest;
    const bound = { accessTokenSha256: sha256(tokens.access_token), cnfX5tS256: e2e.thumbprint('psp-pi') };
    expect((await read())?.boundToken).toMatchObject({ ...bound, active: true });

    // RFC 7009 through the edge, with the PISP's QWAC; only ReportPaymentOutcome changes the status.
    await oidc.tokenRevocation(pisp, tokens.access_token, { token_type_hint: 'access_token' });
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    const revoked = await read();
    expect(revoked?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED);
    expect(revoked?.boundToken).toMatchObject({ ...bound, active: false });
  });

  it("a token for payment A is refused for payment B: introspection names A's request", async () => {
    const [first, second] = await Promise.all([
      registerPayment(PaymentKind.PAYMENT_KIND_INITIATE, { amount: '10.00' }),
      registerPayment(PaymentKind.PAYMENT_KIND_INITIATE, { amount: '9999.99' }),
    ]);
    const tokens = await approvedInSandbox(first.consentApprovalUrl, 'psu-alice', ['10,00 €']);
    const answer = await introspect(tokens.access_token);
    expect(answer.payment_request_id).toBe(first.paymentRequestId);
    expect(answer.payment_request_id).not.toBe(second.paymentRequestId);
    // Payment B is untouched: still waiting for its own consent.
    expect((await paymentApi.get(second.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
    );
  });

  it('initiation, rejected after SCA on the bank page: access_denied, REJECTED, no token', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_INITIATE, { amount: '42.00' });
    const authorization = await asThePisp(registered.consentApprovalUrl);
    const callback = await decideInBrowser(e2e, browser, onBankPage(pisp, authorization.url), {
      page: 'bank',
      // Not psu-chloe, who signs in on the bank page above: one code per customer per 30 s (TOTP replay).
      psuId: 'psu-bruno',
      decision: 'deny',
      shows: ['42,00 €', 'Merchant A'],
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
    const rejected = (await paymentApi.get(registered.paymentRequestId)).paymentRequest;
    expect(rejected?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_REJECTED);
    expect(rejected?.boundToken).toBeUndefined();
  });

  it('the consent-approval URL replayed after the approval: back to the PISP, the decision unchanged', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_INITIATE);
    const authorization = await asThePisp(registered.consentApprovalUrl);
    await decideInBrowser(e2e, browser, authorization.url, {
      page: 'sandbox',
      psuId: 'psu-alice',
      decision: 'grant',
    });
    // A second customer (or the same one) replaying the URL gets no second consent for the payment.
    const replay = await e2e.call(undefined, `${authorization.url.pathname}${authorization.url.search}`);
    expect(replay.status).toBe(302);
    const location = new URL(replay.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
    const approved = (await paymentApi.get(registered.paymentRequestId)).paymentRequest;
    expect(approved?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED);
    expect(approved?.subject).toBe('psu-alice');
  });

  it('invalid payment details: INVALID_ARGUMENT naming the field', async () => {
    const register = (details: Partial<typeof PAYMENT>) =>
      paymentApi.register({
        clientId: pisp.clientMetadata().client_id,
        resourceId: 'pmt-invalid',
        kind: PaymentKind.PAYMENT_KIND_INITIATE,
        details: { ...PAYMENT, ...details },
        language: 0,
      });
    // gRPC status 3 is INVALID_ARGUMENT.
    for (const [details, field] of [
      [{ creditorIban: 'DE02100100109307118604' }, 'details.creditor_iban'],
      [{ instructedAmount: { currency: 'EUR', amount: '0.00' } }, 'details.instructed_amount.amount'],
      [{ instructedAmount: { currency: 'EURO', amount: '1.00' } }, 'details.instructed_amount.currency'],
      [{ creditorName: 'M'.repeat(71) }, 'details.creditor_name'],
      [{ remittanceInformation: 'R'.repeat(141) }, 'details.remittance_information'],
    ] as const)
      await expect(register(details)).rejects.toMatchObject({
        code: 3,
        details: expect.stringContaining(field),
      });
  });

  it('cancellation, rejected by the customer: access_denied to the PISP, REJECTED to the payment API', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_CANCEL, { paymentId: 'pay-77' });
    const authorization = await asThePisp(registered.consentApprovalUrl);
    const callback = await decideInBrowser(e2e, browser, authorization.url, {
      page: 'sandbox',
      psuId: 'psu-bruno',
      decision: 'deny',
      shows: ['123,50 €', 'Merchant A'],
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(authorization.state);
    const rejected = (await paymentApi.get(registered.paymentRequestId)).paymentRequest;
    expect(rejected?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_REJECTED);
    expect(rejected?.boundToken).toBeUndefined();
  });

  it('cancellation, approved: the token carries the cancel action and the payment to cancel', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_CANCEL, { paymentId: 'pay-78' });
    const tokens = await approvedInSandbox(registered.consentApprovalUrl, 'psu-bruno', ['123,50 €']);
    expect(tokens.authorization_details).toEqual([
      { ...AS_DETAIL, actions: ['cancel'], paymentId: 'pay-78' },
    ]);
    await paymentApi.report({
      paymentRequestId: registered.paymentRequestId,
      outcome: PaymentOutcome.PAYMENT_OUTCOME_CANCELLED,
    });
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
  });

  it('an expired payment request: the PISP is told, the payment API reads EXPIRED', async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_INITIATE, { expiresInSeconds: 10 });
    const authorization = await asThePisp(registered.consentApprovalUrl);
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const page = await e2e.call(undefined, `${authorization.url.pathname}${authorization.url.search}`);
    // RFC 6749 §4.1.2.1, from the GET of the page: a plain redirect.
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get('location') ?? '');
    expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(authorization.state);
    expect((await paymentApi.get(registered.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED,
    );
  }, 30_000);

  it("another PISP's client cannot open the payment: the page, and the owner's request still pending", async () => {
    const registered = await registerPayment(PaymentKind.PAYMENT_KIND_INITIATE);
    const intruder = await e2e.register('psp-pi', {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      scope: 'pisp',
    });
    const authorization = await asThePisp(registered.consentApprovalUrl);
    authorization.url.searchParams.set('client_id', intruder.clientMetadata().client_id);
    const page = await e2e.call(undefined, `${authorization.url.pathname}${authorization.url.search}`);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect((await paymentApi.get(registered.paymentRequestId)).paymentRequest?.status).toBe(
      PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING,
    );
  });
});

// Every response of the file was checked against the OpenAPI document as it arrived.
itMatchedTheDocument(() => e2e);
