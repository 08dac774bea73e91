import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PAYMENT_INITIATION_EXAMPLE } from '@psd2/payment-details';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { approvedInSandbox, decideInBrowser, launchBrowser, onBankPage, REDIRECT_URI } from './browser.js';
import { type E2eSystem, itMatchedTheDocument, refusal, startE2e } from './harness.js';
import { type PaymentClock, type Pushed, paymentClock, pushPayment as push } from './pushed-payments.js';

/*
 * Payment consent end to end: a PISP registers an authorization code client with its PSP_PI QWAC,
 * pushes its authorization request with a payment (RFC 9126 + RFC 9396) through openid-client,
 * unmodified, sends the customer's headless Chromium to the sandbox or the bank page with the
 * request_uri, and exchanges the code for a certificate-bound pisp token carrying the payment.
 */

const DETAIL = PAYMENT_INITIATION_EXAMPLE;
/** What the customer reads of DETAIL on the code step and the consent (French: the browser's locale). */
const SHOWN = ['123,50 €', 'Merchant A', 'DE02 •••• 8603', 'Ref Number Merchant'];

let e2e: E2eSystem;
let browser: Browser;
let clock: PaymentClock;
let bank: oidc.Configuration;
let pisp: oidc.Configuration;

beforeAll(async () => {
  [e2e, browser] = await Promise.all([startE2e({ label: 'e2e-payments' }), launchBrowser()]);
  clock = paymentClock(e2e);
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
  pisp = await e2e.register('psp-pi', {
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    scope: 'pisp',
    client_name: 'Paiement Facile',
  });
}, 60_000);

afterAll(async () => {
  clock?.close();
  await browser?.close();
  await e2e?.stop();
});

const pushPayment = (detail: object = DETAIL): Promise<Pushed> => push(pisp, detail);

describe('payment initiation by a pushed authorization request', () => {
  it('the metadata advertises /oauth2/par and payment_initiation', () => {
    const metadata = pisp.serverMetadata();
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${e2e.system.edgeUrl}/oauth2/par`);
    expect(metadata.authorization_details_types_supported).toEqual(['payment_initiation']);
  });

  it('sandbox: pushed, approved by the simulated customer, exchanged for a bound pisp token with the payment', async () => {
    const pushed = await pushPayment();
    expect(pushed.url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect([...pushed.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const callback = await decideInBrowser(e2e, browser, pushed.url, {
      page: 'sandbox',
      psuId: 'psu-alice',
      decision: 'grant',
      // The sandbox's one page: the payment and the TPP asking for it.
      shows: [...SHOWN, 'Paiement Facile'],
    });
    expect(callback.searchParams.get('iss')).toBe(e2e.system.edgeUrl);

    const tokens = await oidc.authorizationCodeGrant(pisp, callback, {
      pkceCodeVerifier: pushed.verifier,
      expectedState: pushed.state,
    });
    expect(tokens.scope).toBe('pisp');
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.authorization_details).toEqual([DETAIL]);
    expect(await oidc.tokenIntrospection(bank, tokens.access_token)).toMatchObject({
      active: true,
      scope: 'pisp',
      sub: 'psu-alice',
      authorization_details: [DETAIL],
      cnf: { 'x5t#S256': e2e.thumbprint('psp-pi') },
    });
  });

  it('bank: full SCA with the payment on the code step, then the consent; the code is the PISP’s', async () => {
    const pushed = await pushPayment();
    // Dynamic linking: the amount and payee are on the code step as on the consent.
    const callback = await decideInBrowser(e2e, browser, onBankPage(pisp, pushed.url), {
      page: 'bank',
      psuId: 'psu-chloe',
      decision: 'grant',
      shows: SHOWN,
    });
    expect(callback.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    expect(callback.searchParams.get('state')).toBe(pushed.state);
  });

  it('rejected by the customer: access_denied, no code', async () => {
    const pushed = await pushPayment();
    const callback = await decideInBrowser(e2e, browser, pushed.url, {
      page: 'sandbox',
      psuId: 'psu-bruno',
      decision: 'deny',
      shows: SHOWN,
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it("another client's request_uri: the error page, and the owner can still use it", async () => {
    const pushed = await pushPayment();
    const other = await e2e.register('psp-pi', {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      scope: 'pisp',
    });
    const stolen = new URL(pushed.url);
    stolen.searchParams.set('client_id', other.clientMetadata().client_id);
    const refused = await e2e.call(undefined, `${stolen.pathname}${stolen.search}`);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    const callback = await decideInBrowser(e2e, browser, pushed.url, {
      page: 'sandbox',
      psuId: 'psu-alice',
      decision: 'grant',
    });
    expect(callback.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('cancellation pushed and approved: the token names the payment to cancel; one payment per token', async () => {
    const cancel = { ...DETAIL, actions: ['cancel'], paymentId: 'pay-2026-0042' };
    const [first, second] = [await pushPayment(cancel), await pushPayment()];
    const tokens = await approvedInSandbox(e2e, browser, pisp, first, {
      psuId: 'psu-bruno',
      shows: ['123,50 €', 'Merchant A'],
    });
    expect(tokens.authorization_details).toEqual([cancel]);
    const secondTokens = await approvedInSandbox(e2e, browser, pisp, second, { psuId: 'psu-bruno' });
    // The bank's API compares the payment it is asked to act on with the one the token names.
    const [a, b] = await Promise.all(
      [tokens, secondTokens].map((t) => oidc.tokenIntrospection(bank, t.access_token)),
    );
    expect(a?.payment_request_id).toEqual(expect.any(String));
    expect(b?.payment_request_id).toEqual(expect.any(String));
    expect(a?.payment_request_id).not.toBe(b?.payment_request_id);
    expect(a?.authorization_details).toEqual([cancel]);
  });

  it('a request_uri is used once: the second visit is the error page', async () => {
    const pushed = await pushPayment();
    const path = `${pushed.url.pathname}${pushed.url.search}`;
    expect((await e2e.call(undefined, path)).status).toBe(200);
    const again = await e2e.call(undefined, path);
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
  });

  it('a pushed request past its lifetime: the error page, never a redirect, and no code', async () => {
    const pushed = await pushPayment();
    await clock.expirePushedRequest(pushed);
    for (const url of [pushed.url, onBankPage(pisp, pushed.url)]) {
      const page = await e2e.call(undefined, `${url.pathname}${url.search}`);
      expect(page.status).toBe(400);
      expect(page.headers.get('location')).toBeNull();
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('a pushed payment whose deadline passes while the customer reads it: no code, invalid_request to the PISP', async () => {
    const pushed = await pushPayment();
    const paymentRequestId = await clock.paymentRequestOf(pushed);
    const callback = await decideInBrowser(e2e, browser, pushed.url, {
      page: 'sandbox',
      psuId: 'psu-bruno',
      decision: 'grant',
      shows: SHOWN,
      beforeDecision: () => clock.passDeadline(paymentRequestId),
    });
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('state')).toBe(pushed.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('cancellation pushed, read in English on the bank page, rejected after SCA: access_denied', async () => {
    const cancel = { ...DETAIL, actions: ['cancel'], paymentId: 'pay-2026-0043' };
    const pushed = await pushPayment(cancel);
    const english = new URL(onBankPage(pisp, pushed.url).href.replace('/oauth2/fr/', '/oauth2/en/'));
    const callback = await decideInBrowser(e2e, browser, english, {
      page: 'bank',
      // Not psu-chloe, who signs in on the bank page above: one code per customer per 30 s (TOTP replay).
      psuId: 'psu-alice',
      decision: 'deny',
      // Dynamic linking in English: the cancellation, its amount, payee and payment on the code step too.
      shows: ['cancel', '€123.50', 'Merchant A', 'DE02 •••• 8603', 'pay-2026-0043'],
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(pushed.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('refuses, in JSON, a push without a certificate and invalid payment details', async () => {
    const body = new URLSearchParams({
      client_id: pisp.clientMetadata().client_id,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([
        { ...DETAIL, instructedAmount: { currency: 'EUR', amount: '-1' } },
      ]),
    }).toString();
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
    expect((await e2e.call(undefined, '/oauth2/par', form)).json()).toMatchObject({
      error: 'invalid_client',
    });
    const invalid = await e2e.call('psp-pi', '/oauth2/par', form);
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toMatchObject({ error: 'invalid_authorization_details' });
    // Each rule of the type definition, through the edge: 400 invalid_authorization_details naming the member.
    const push = (details: unknown) => {
      const fields = new URLSearchParams(body);
      fields.set('authorization_details', JSON.stringify(details));
      return e2e.call('psp-pi', '/oauth2/par', { ...form, body: fields.toString() });
    };
    for (const [details, named] of [
      [[{ ...DETAIL, creditorAccount: { iban: 'DE02100100109307118604' } }], 'creditorAccount.iban'],
      [[{ ...DETAIL, instructedAmount: { currency: 'EUR', amount: '123.505' } }], 'instructedAmount.amount'],
      [[{ ...DETAIL, instructedAmount: { currency: 'EURO', amount: '1' } }], 'instructedAmount.currency'],
      [[{ ...DETAIL, creditorName: 'M'.repeat(71) }], 'creditorName'],
      [
        [{ ...DETAIL, remittanceInformationUnstructured: 'R'.repeat(141) }],
        'remittanceInformationUnstructured',
      ],
      [[{ ...DETAIL, actions: ['cancel'] }], 'paymentId'],
      [[DETAIL, DETAIL], 'exactly one'],
      [[{ ...DETAIL, type: 'account_information' }], 'payment_initiation'],
    ] as const) {
      const refused = await push(details);
      expect({ named, status: refused.status, body: refused.json() }).toEqual({
        named,
        status: 400,
        body: { error: 'invalid_authorization_details', error_description: expect.stringContaining(named) },
      });
    }
    // And openid-client reports the refusal as the server's error.
    expect(
      await refusal(
        oidc.buildAuthorizationUrlWithPAR(pisp, {
          redirect_uri: 'https://tpp.example/elsewhere',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          authorization_details: JSON.stringify([DETAIL]),
        }),
      ),
    ).toEqual({ error: 'invalid_request', status: 400 });
  });
});

// Every response of the file was checked against the OpenAPI document as it arrived.
itMatchedTheDocument(() => e2e);
