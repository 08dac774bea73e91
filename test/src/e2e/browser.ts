import { expect } from '@jest/globals';
import { totpAt } from '@psd2/psu-directory';
import { launchTestChromium } from '@psd2/testing';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import type { E2eSystem } from './harness.js';

/*
 * The PSU's side: headless Chromium on the authorization pages, every response of our origin checked
 * against the OpenAPI document like the TPP's. The TPP's redirect URI is answered inside the browser,
 * so nothing leaves 127.0.0.1.
 */

export const REDIRECT_URI = 'https://tpp.example/callback';
/** The seeded sandbox PSUs' public demo credentials (services/authorization config defaults). */
export const SANDBOX_PASSWORD = 'sandbox-password';
export const SANDBOX_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export function launchBrowser(): Promise<Browser> {
  // No name is ever resolved: the edge is reached by its loopback name, the TPP never at all.
  return launchTestChromium(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost']);
}

/** How the PSU answers: the sandbox's simulated PSU, or a bank sign-in with password and TOTP. */
export interface Psu {
  readonly page: 'sandbox' | 'bank';
  readonly psuId: string;
}

export interface Authorized {
  /** The URL the browser was sent back to, with code, state and iss. */
  readonly callback: URL;
  readonly verifier: string;
  readonly state: string;
}

/**
 * Checks every response of our origin against the document, and resolves with the Location of the
 * authorization response: Chromium follows the 303 to the TPP by itself, and Playwright's routes do
 * not see a redirected navigation, so the TPP's URL is read where the server sends it.
 */
function observeResponses(e2e: E2eSystem, page: Page, pending: Promise<void>[]): Promise<string> {
  let reached: (location: string) => void = () => undefined;
  const callback = new Promise<string>((resolve) => {
    reached = resolve;
  });
  page.on('response', (response) => {
    if (!response.url().startsWith(e2e.system.edgeUrl)) return;
    const location = response.headers().location;
    if (response.status() === 303 && location?.startsWith(REDIRECT_URI)) reached(location);
  });
  checkPageResponses(e2e, page, pending);
  return callback;
}

/** Checks every response of our origin the page receives against the document; `pending` settles the checks. */
export function checkPageResponses(e2e: E2eSystem, page: Page, pending: Promise<void>[]): void {
  page.on('response', (response) => {
    if (!response.url().startsWith(e2e.system.edgeUrl)) return;
    pending.push(
      (async () => {
        const status = response.status();
        const headers = new Headers();
        for (const [name, value] of Object.entries(await response.allHeaders())) {
          // Playwright joins repeated headers (Set-Cookie) with newlines, which Headers refuses.
          headers.set(name, value.replace(/\n/g, ', '));
        }
        const body = status >= 300 && status < 400 ? undefined : await response.text().catch(() => undefined);
        e2e.observe({ method: response.request().method(), url: response.url(), status, headers, body });
      })(),
    );
  });
}

/** RFC 6749 §4.1 with PKCE, as a PSU's browser goes through it; returns where the TPP was called back. */
export async function authorizeInBrowser(
  e2e: E2eSystem,
  browser: Browser,
  config: oidc.Configuration,
  options: { readonly scope: string; readonly psu: Psu },
): Promise<Authorized> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: options.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const target = options.psu.page === 'bank' ? onBankPage(config, url) : url;
  const callback = await decideInBrowser(e2e, browser, target, { ...options.psu, decision: 'grant' });
  return { callback, verifier, state };
}

/** The bank's page for the same request: its path, the request's query. */
export function onBankPage(config: oidc.Configuration, url: URL): URL {
  const endpoints = config.serverMetadata().psd2_authorization_endpoints as { bank: string };
  return new URL(`${endpoints.bank}${url.search}`);
}

/** The text of a page as the customer reads it (Intl's narrow no-break spaces as plain spaces). */
export async function shown(page: Page): Promise<string> {
  return ((await page.locator('main').textContent()) ?? '').replace(/\s/g, ' ');
}

/**
 * The PSU in Chromium from the authorization URL to the client's callback: the sandbox's simulated
 * PSU, or the bank's password and TOTP; then grant or deny. `shows`: texts the PSU must read on every
 * page that presents the request (the code step and the consent of a payment: dynamic linking).
 */
export async function decideInBrowser(
  e2e: E2eSystem,
  browser: Browser,
  url: URL,
  options: Psu & {
    readonly decision: 'grant' | 'deny';
    readonly shows?: readonly string[];
    /** Runs once the decision page is shown, before the PSU presses the button. */
    readonly beforeDecision?: () => Promise<unknown>;
  },
): Promise<URL> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
  const pending: Promise<void>[] = [];
  const expectShown = async (page: Page) => {
    const text = await shown(page);
    for (const expected of options.shows ?? []) expect(text).toContain(expected.replace(/\s/g, ' '));
  };
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const callback = observeResponses(e2e, page, pending);
    await page.goto(url.href);
    if (options.page === 'sandbox') {
      await page.check(`input[name="psu"][value="${options.psuId}"]`);
    } else {
      await page.fill('#customer-id', options.psuId);
      await page.fill('#password', SANDBOX_PASSWORD);
      await Promise.all([page.waitForURL(/\/banque\/otp$/), page.click('button.primary[type="submit"]')]);
      await expectShown(page);
      await page.fill('#otp', totpAt(SANDBOX_TOTP_SECRET, Math.floor(Date.now() / 1000)));
      await Promise.all([page.waitForURL(/\/banque\/consent$/), page.click('button.primary[type="submit"]')]);
    }
    await expectShown(page);
    await options.beforeDecision?.();
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(
        () => reject(new Error(`no authorization response within 10 s; the page is at ${page.url()}`)),
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

/**
 * The PSU approves on the sandbox page, reading `shows`, and the client redeems the code with its PKCE
 * verifier and state (RFC 6749 §4.1.3): `authorization` as the client built it, pushed or not.
 */
export async function approvedInSandbox(
  e2e: E2eSystem,
  browser: Browser,
  config: oidc.Configuration,
  authorization: { readonly url: URL; readonly verifier: string; readonly state: string },
  psu: { readonly psuId: string; readonly shows?: readonly string[] },
): Promise<oidc.TokenEndpointResponse> {
  const callback = await decideInBrowser(e2e, browser, authorization.url, {
    page: 'sandbox',
    decision: 'grant',
    ...psu,
  });
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: authorization.verifier,
    expectedState: authorization.state,
  });
}
