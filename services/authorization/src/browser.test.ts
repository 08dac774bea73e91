import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { totpAt } from '@psd2/psu-directory';
import { launchTestChromium, type RunningSystem, repoRoot, startSystem } from '@psd2/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { authorizeQuery, createTestClient, pkcePair, registryOf } from './test-support.js';

/*
 * The pages in a real browser: Debian's headless Chromium driven by playwright-core (no browser
 * download). A sandbox deployment, which also serves the bank page against its seeded PSUs, so one
 * system covers the sandbox grant and the bank sign-in + TOTP + consent, in French (phone width,
 * keyboard only) and in English (desktop, mouse). Every page is kept as a screenshot under
 * .test-results/screenshots/. Chromium enforces the CSP, so the final redirect also proves that
 * `form-action` lets the consent form reach the client.
 */

const SCREENSHOTS = join(repoRoot, '.test-results', 'screenshots');
// The TPP's redirect URI: a real HTTPS server on 127.0.0.1, reached under its own name through
// Chromium's resolver rules, so the consent form's redirect is cross-origin as in production.
const TPP_HOST = 'tpp.example';
let callback = '';
let tppServer: Server;
// The sandbox's seeded PSUs and their public demo credentials (config.ts defaults).
const SANDBOX_PASSWORD = 'sandbox-password';
const SANDBOX_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

let system: RunningSystem;
let registry: ClientRegistry;
let client: RegisteredClient;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  system = await startSystem({ label: 'authz-browser' });
  tppServer = createServer(
    { cert: readFileSync(system.pki.server.cert), key: readFileSync(system.pki.server.key) },
    (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>TPP</title><p>callback</p>');
    },
  );
  await new Promise<void>((resolve) => tppServer.listen(0, '127.0.0.1', resolve));
  callback = `https://${TPP_HOST}:${(tppServer.address() as AddressInfo).port}/callback`;
  browser = await launchTestChromium([`--host-resolver-rules=MAP ${TPP_HOST} 127.0.0.1`]);
  registry = registryOf(system);
  client = await createTestClient(registry, {
    roles: ['PSP_AI', 'PSP_IC'],
    scope: 'aisp extended_transaction_history cbpii',
    redirectUris: [callback],
    clientName: 'Budget Malin',
    clientNameLocalized: { en: 'Smart Budget' },
  });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await browser?.close();
  await new Promise((resolve) => tppServer?.close(resolve));
  await system?.stop();
});

type Lang = 'fr' | 'en';

async function newContext(
  lang: Lang,
): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
    // French on a phone, English on a desktop: both layouts get looked at.
    ...(lang === 'fr'
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: { width: 1280, height: 900 } }),
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  page.setDefaultTimeout(10_000);
  return { context, page, cspViolations };
}

function authorizeUrl(lang: Lang, path: string, state: string): string {
  return `${system.edgeUrl}/oauth2/${lang}/${path}?${authorizeQuery({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: callback,
    scope: 'aisp cbpii',
    state,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  })}`;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function expectCallback(page: Page, state: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(callback));
  const params = new URL(page.url()).searchParams;
  expect(params.get('code')).toMatch(/^[\w-]{43}$/);
  expect(params.get('state')).toBe(state);
  expect(params.get('iss')).toBe(system.edgeUrl);
}

/** Tabs until the focused element's text is `label`, then presses Enter: the keyboard path. */
async function pressButton(page: Page, label: string): Promise<void> {
  for (let tab = 0; tab < 15; tab += 1) {
    await page.keyboard.press('Tab');
    const focused = (await page.locator(':focus').textContent())?.trim() ?? '';
    if (focused === label) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`no focusable "${label}"`);
}

const TEXT = {
  fr: {
    grant: 'Autoriser',
    continue: 'Continuer',
    verify: 'Valider',
    customer: 'Identifiant client',
    password: 'Mot de passe',
    code: 'Code à 6 chiffres',
  },
  en: {
    grant: 'Allow',
    continue: 'Continue',
    verify: 'Verify',
    customer: 'Customer ID',
    password: 'Password',
    code: '6-digit code',
  },
} as const;

describe.each(['fr', 'en'] as const)('in a browser (%s)', (lang) => {
  const t = TEXT[lang];
  // Each language signs in a different seeded PSU: a TOTP code is accepted once per PSU and step.
  const psu = lang === 'fr' ? 'psu-alice' : 'psu-bruno';

  it('completes the sandbox grant', async () => {
    const { context, page, cspViolations } = await newContext(lang);
    try {
      await page.goto(authorizeUrl(lang, 'sandbox/signin.html', `sandbox-${lang}`));
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await expect(page.getByText(client.organizationId).count()).resolves.toBeGreaterThan(0);
      await page.getByLabel(/Chloé Bernard/).check();
      await shot(page, `sandbox-${lang}`);
      await page.getByRole('button', { name: t.grant }).click();
      await expectCallback(page, `sandbox-${lang}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('completes the bank sign-in, TOTP and consent', async () => {
    const { context, page, cspViolations } = await newContext(lang);
    try {
      await page.goto(authorizeUrl(lang, 'banque/oauth2_authorization.aspx', `bank-${lang}`));
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await shot(page, `bank-signin-${lang}`);
      if (lang === 'fr') {
        // Keyboard only: the customer id field has the focus on arrival.
        await page.keyboard.type(psu);
        await page.keyboard.press('Tab');
        await page.keyboard.type(SANDBOX_PASSWORD);
        await page.keyboard.press('Enter');
      } else {
        await page.getByLabel(t.customer).fill(psu);
        await page.getByLabel(t.password, { exact: true }).fill(SANDBOX_PASSWORD);
        await page.getByRole('button', { name: t.continue }).click();
      }
      await page.waitForURL(/\/banque\/otp$/);
      await shot(page, `bank-otp-${lang}`);
      const code = totpAt(SANDBOX_TOTP_SECRET, Math.floor(Date.now() / 1000));
      if (lang === 'fr') {
        await page.keyboard.type(code);
        await page.keyboard.press('Enter');
      } else {
        await page.getByLabel(t.code).fill(code);
        await page.getByRole('button', { name: t.verify }).click();
      }
      await page.waitForURL(/\/banque\/consent$/);
      await shot(page, `bank-consent-${lang}`);
      if (lang === 'fr') await pressButton(page, t.grant);
      else await page.getByRole('button', { name: t.grant }).click();
      await expectCallback(page, `bank-${lang}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the error page for an unknown client', async () => {
    const { context, page } = await newContext(lang);
    try {
      const response = await page.goto(
        `${system.edgeUrl}/oauth2/${lang}/sandbox/signin.html?client_id=nobody&response_type=code`,
      );
      expect(response?.status()).toBe(400);
      expect(page.url()).toContain('/sandbox/signin.html');
      await shot(page, `error-${lang}`);
    } finally {
      await context.close();
    }
  });
});
