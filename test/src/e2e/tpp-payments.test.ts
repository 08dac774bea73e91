import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectPaymentConsentApi, PaymentKind, PaymentRequestStatus } from '@psd2/payment-consent-proto';
import { totpAt } from '@psd2/psu-directory';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, REDIRECT_URI } from './browser.js';
import { type E2eSystem, itMatchedTheDocument, refusal, startE2e } from './harness.js';

/*
 * Payment consent end to end: a PISP registers an authorization code client with its PSP_PI QWAC,
 * pushes its authorization request with a payment (RFC 9126 + RFC 9396) through openid-client,
 * unmodified, sends the customer's headless Chromium to the sandbox or the bank page with the
 * request_uri, and exchanges the code for a certificate-bound pisp token carrying the payment.
 */

const DETAIL = {
  type: 'payment_initiation',
  actions: ['initiate'],
  instructedAmount: { currency: 'EUR', amount: '123.50' },
  creditorName: 'Merchant A',
  creditorAccount: { iban: 'DE02100100109307118603' },
  remittanceInformationUnstructured: 'Ref Number Merchant',
};
/** The seeded sandbox PSUs' public demo credentials (services/authorization config defaults). */
const SANDBOX_PASSWORD = 'sandbox-password';
const SANDBOX_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

let e2e: E2eSystem;
let browser: Browser;
let bank: oidc.Configuration;
let pisp: oidc.Configuration;

beforeAll(async () => {
  [e2e, browser] = await Promise.all([startE2e({ label: 'e2e-payments' }), launchBrowser()]);
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
  pisp = await e2e.register('psp-pi', {
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    scope: 'pisp',
    client_name: 'Paiement Facile',
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

interface Pushed {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
}

/** RFC 9126 with openid-client: the payment pushed, the authorization URL with client_id + request_uri. */
async function pushPayment(): Promise<Pushed> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = await oidc.buildAuthorizationUrlWithPAR(pisp, {
    redirect_uri: REDIRECT_URI,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    authorization_details: JSON.stringify([DETAIL]),
  });
  return { url, verifier, state };
}

/** The bank's page for the same request: its path, the pushed request's query. */
function onBankPage(url: URL): URL {
  const endpoints = pisp.serverMetadata().psd2_authorization_endpoints as { bank: string };
  return new URL(`${endpoints.bank}${url.search}`);
}

/** Every response of our origin checked against the document; resolves with the client's callback. */
function observe(page: Page, pending: Promise<void>[]): Promise<string> {
  let reached: (location: string) => void = () => undefined;
  const callback = new Promise<string>((resolve) => {
    reached = resolve;
  });
  page.on('response', (response) => {
    if (!response.url().startsWith(e2e.system.edgeUrl)) return;
    const location = response.headers().location;
    if (response.status() === 303 && location?.startsWith(REDIRECT_URI)) reached(location);
    pending.push(
      (async () => {
        const status = response.status();
        const headers = new Headers();
        for (const [name, value] of Object.entries(await response.allHeaders())) {
          headers.set(name, value.replace(/\n/g, ', '));
        }
        const body = status >= 300 && status < 400 ? undefined : await response.text().catch(() => undefined);
        e2e.observe({ method: response.request().method(), url: response.url(), status, headers, body });
      })(),
    );
  });
  return callback;
}

/** The text of a page as the customer reads it (Intl's narrow no-break spaces as spaces). */
const shown = async (page: Page) => ((await page.locator('main').textContent()) ?? '').replace(/\s/g, ' ');

/**
 * The customer in Chromium: the sandbox's simulated PSU, or the bank's password + TOTP; the payment
 * checked on each page that shows it; then approve or reject. Returns the client's callback URL.
 */
async function decideInBrowser(
  url: URL,
  options: { readonly page: 'sandbox' | 'bank'; readonly psuId: string; readonly decision: 'grant' | 'deny' },
): Promise<URL> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
  const pending: Promise<void>[] = [];
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const callback = observe(page, pending);
    await page.goto(url.href);
    if (options.page === 'sandbox') {
      expect(await shown(page)).toContain('123,50 €');
      await page.check(`input[name="psu"][value="${options.psuId}"]`);
    } else {
      await page.fill('#customer-id', options.psuId);
      await page.fill('#password', SANDBOX_PASSWORD);
      await Promise.all([page.waitForURL(/\/banque\/otp$/), page.click('button.primary[type="submit"]')]);
      // Dynamic linking: the amount and payee beside the code that approves them.
      const otp = await shown(page);
      expect(otp).toContain('123,50 €');
      expect(otp).toContain('Merchant A');
      expect(otp).toContain('DE02 •••• 8603');
      await page.fill('#otp', totpAt(SANDBOX_TOTP_SECRET, Math.floor(Date.now() / 1000)));
      await Promise.all([page.waitForURL(/\/banque\/consent$/), page.click('button.primary[type="submit"]')]);
    }
    const consent = await shown(page);
    expect(consent).toContain('Merchant A');
    expect(consent).toContain('DE02 •••• 8603');
    expect(consent).toContain('Ref Number Merchant');
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(
        () => reject(new Error(`no authorization response; the page is at ${page.url()}`)),
        10_000,
      ).unref();
    });
    const [location] = await Promise.all([
      Promise.race([callback, timeout]),
      page.click(`button[name="decision"][value="${options.decision}"]`),
    ]);
    return new URL(location);
  } finally {
    await Promise.all(pending);
    await context.close();
  }
}

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
    const callback = await decideInBrowser(pushed.url, {
      page: 'sandbox',
      psuId: 'psu-alice',
      decision: 'grant',
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
    const callback = await decideInBrowser(onBankPage(pushed.url), {
      page: 'bank',
      psuId: 'psu-chloe',
      decision: 'grant',
    });
    expect(callback.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    expect(callback.searchParams.get('state')).toBe(pushed.state);
  });

  it('rejected by the customer: access_denied, no code', async () => {
    const pushed = await pushPayment();
    const callback = await decideInBrowser(pushed.url, {
      page: 'sandbox',
      psuId: 'psu-bruno',
      decision: 'deny',
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('a request_uri is used once: the second visit is the error page', async () => {
    const pushed = await pushPayment();
    const path = `${pushed.url.pathname}${pushed.url.search}`;
    expect((await e2e.call(undefined, path)).status).toBe(200);
    const again = await e2e.call(undefined, path);
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
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

describe('payment initiation registered by the bank’s payment API (STET path)', () => {
  it('the consent URL, completed by the TPP, leads to a bound pisp token; the payment API sees the approval', async () => {
    const api = connectPaymentConsentApi(e2e.system.paymentConsentAddress);
    try {
      const registered = await api.register({
        clientId: pisp.clientMetadata().client_id,
        resourceId: 'stet-e2e-1',
        kind: PaymentKind.PAYMENT_KIND_INITIATE,
        details: {
          instructedAmount: DETAIL.instructedAmount,
          creditorName: DETAIL.creditorName,
          creditorIban: DETAIL.creditorAccount.iban,
          remittanceInformation: DETAIL.remittanceInformationUnstructured,
        },
        language: 0,
      });
      // The TPP appends redirect_uri, state and PKCE to _links.consentApproval.href.
      const url = new URL(registered.consentApprovalUrl);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      url.searchParams.set('redirect_uri', REDIRECT_URI);
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', await oidc.calculatePKCECodeChallenge(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
      const page = url.pathname.includes('/banque/') ? 'bank' : 'sandbox';
      const callback = await decideInBrowser(url, { page, psuId: 'psu-alice', decision: 'grant' });
      const tokens = await oidc.authorizationCodeGrant(pisp, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(tokens.scope).toBe('pisp');
      expect(tokens.authorization_details).toEqual([DETAIL]);
      const seen = await api.get(registered.paymentRequestId);
      expect(seen.paymentRequest?.status).toBe(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_APPROVED);
    } finally {
      api.close();
    }
  });
});

// Every response of the file was checked against the OpenAPI document as it arrived.
itMatchedTheDocument(() => e2e);
