import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClientCertificateResolver } from '@psd2/certificates';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { markEdgeConnection } from '@psd2/http';
import { createLogger } from '@psd2/logging';
import { launchTestChromium, repoRoot, testPki } from '@psd2/testing';
import { createMemoryTokenStore, newPaymentRequest } from '@psd2/token-store';
import type { Browser } from 'playwright-core';
import { createAuthorizationApp } from './app.js';
import { roomyThrottles, TEST_CLIENT } from './app.test-support.js';
import { DETAIL, OTP, PSU } from './payment.test-support.js';
import { createMemorySessionStore } from './session/stores.js';
import { authorizeQuery, pkcePair } from './test-support.js';

/*
 * The bank's payment pages in Chromium (Debian's, through playwright-core): the code step and the
 * consent show the amount as the customer's language writes it and the masked IBAN, and the approval
 * reaches the client. The app in process over HTTPS (its issuer is its own origin, as behind the
 * edge), with the in-process store holding a payment request as the payment API registers it.
 */

const SCREENSHOTS = join(repoRoot, '.test-results', 'screenshots');
const CALLBACK = 'https://pisp.example/cb';
const store = createMemoryTokenStore();
const client = {
  ...TEST_CLIENT,
  clientId: 'pisp-browser',
  roles: ['PSP_PI'],
  metadata: {
    ...TEST_CLIENT.metadata,
    redirectUris: [CALLBACK],
    scope: 'pisp',
    clientName: 'Paiement Facile',
  },
} as const;
const registry: Pick<ClientRegistry, 'getClient'> = {
  getClient: async () => ({ ...client, roles: ['PSP_PI'] }),
};

let server: Server;
let base = '';
let browser: Browser;

beforeAll(async () => {
  const pki = await testPki();
  server = createServer({ cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) });
  // The test's connections stand for the edge's, which the service listener marks in production.
  server.on('secureConnection', markEdgeConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  const app = createAuthorizationApp({
    logger: createLogger({ name: 'authorization-browser-payment', level: 'silent' }),
    issuer: base,
    mode: 'bank',
    bankPageInSandbox: false,
    pkceRequired: true,
    parRequired: true,
    certificates: createClientCertificateResolver(),
    paymentRequestSeconds: 600,
    registry,
    tokenStore: store,
    sessions: createMemorySessionStore({ idleSeconds: 300, anonymousSeconds: 180 }),
    throttles: roomyThrottles(),
    authenticator: {
      checkPassword: async (customerId, password) => ({
        customerId,
        passed: customerId === PSU.psuId && password === 'pw-ok',
      }),
      checkOneTimeCode: async (first, code) =>
        first.passed && code === OTP
          ? { status: 'ok', psu: PSU }
          : { status: 'refused', reason: 'wrong_code' },
    },
    psus: { listPsus: async () => [PSU], findPsu: async () => PSU },
  });
  server.on('request', app);
  browser = await launchTestChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await store.close();
});

/** The consent URL the payment API hands out, completed by the TPP. */
async function consentUrl(lang: 'fr' | 'en', state: string): Promise<string> {
  const record = newPaymentRequest({
    clientId: client.clientId,
    detail: DETAIL,
    origin: 'payment_api',
    now: Math.floor(Date.now() / 1000),
    lifetimeSeconds: 600,
  });
  await store.createPaymentRequest(record);
  return `${base}/oauth2/${lang}/banque/oauth2_authorization.aspx?${authorizeQuery({
    response_type: 'code',
    client_id: client.clientId,
    scope: 'pisp',
    payment_request_id: record.paymentRequestId,
    redirect_uri: CALLBACK,
    state,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  })}`;
}

const TEXT = {
  fr: {
    amount: '123,50 €',
    continue: 'Continuer',
    verify: 'Valider',
    approve: 'Autoriser',
    customer: 'Identifiant client',
    password: 'Mot de passe',
    code: 'Code à 6 chiffres',
  },
  en: {
    amount: '€123.50',
    continue: 'Continue',
    verify: 'Verify',
    approve: 'Approve',
    customer: 'Customer ID',
    password: 'Password',
    code: '6-digit code',
  },
} as const;

describe.each(['fr', 'en'] as const)('a payment in a browser (%s)', (lang) => {
  const t = TEXT[lang];

  it('shows the amount and masked IBAN on the code step and the consent; the approval reaches the client', async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
    });
    const cspViolations: string[] = [];
    try {
      await context.route(`${CALLBACK}**`, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>TPP</title>' }),
      );
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
      });
      await page.goto(await consentUrl(lang, `pay-${lang}`));
      await page.getByLabel(t.customer).fill(PSU.psuId);
      await page.getByLabel(t.password, { exact: true }).fill('pw-ok');
      await page.getByRole('button', { name: t.continue }).click();
      await page.waitForURL(/\/banque\/otp$/);
      // Intl writes a narrow no-break space in French: compare the text as the customer reads it.
      const otpText = ((await page.locator('main').textContent()) ?? '').replace(/\s/g, ' ');
      expect(otpText).toContain(t.amount);
      expect(otpText).toContain('Merchant A');
      expect(otpText).toContain('DE02 •••• 8603');
      await page.screenshot({ path: join(SCREENSHOTS, `payment-otp-${lang}.png`), fullPage: true });
      await page.getByLabel(t.code).fill(OTP);
      await page.getByRole('button', { name: t.verify }).click();
      await page.waitForURL(/\/banque\/consent$/);
      const consentText = ((await page.locator('main').textContent()) ?? '').replace(/\s/g, ' ');
      expect(consentText).toContain(t.amount);
      expect(consentText).toContain('DE02 •••• 8603');
      expect(consentText).toContain('Ref Number Merchant');
      expect(consentText).not.toContain('DE02100100109307118603');
      await page.screenshot({ path: join(SCREENSHOTS, `payment-consent-${lang}.png`), fullPage: true });
      await page.getByRole('button', { name: t.approve }).click();
      await page.waitForURL((url) => url.href.startsWith(CALLBACK));
      const params = new URL(page.url()).searchParams;
      expect(params.get('code')).toMatch(/^[\w-]{43}$/);
      expect(params.get('state')).toBe(`pay-${lang}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
