import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectPostgres, createPsuDirectory, totpAt } from '@psd2/psu-directory';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import {
  authorizeInBrowser,
  checkPageResponses,
  launchBrowser,
  REDIRECT_URI,
  SANDBOX_PASSWORD,
  SANDBOX_TOTP_SECRET,
  shown,
} from './browser.js';
import { type E2eSystem, itMatchedTheDocument, refusal, startE2e } from './harness.js';

/*
 * The customer's consent page end to end (issue 18), in bank mode through the real edge: a TPP gets a
 * grant with openid-client, the customer signs in to the consent page with SCA in Chromium, sees the
 * TPP and when it last used the access, and withdraws it with the keyboard alone; the TPP's access
 * token is then inactive at introspection and its refresh fails. On a 360 px wide phone screen.
 */

const PSU = 'psu-e2e-consents';
const TPP_NAME = 'Budget Helper Consents';

let e2e: E2eSystem;
let browser: Browser;
let bank: oidc.Configuration;

beforeAll(async () => {
  [e2e, browser] = await Promise.all([
    startE2e({
      label: 'e2e-consents',
      env: { authorization: { DEPLOYMENT_MODE: 'bank', MIGRATE_ON_START: 'true', PAR_REQUIRED: 'false' } },
    }),
    launchBrowser(),
  ]);
  // A bank customer, with the demo credentials the shared browser steps type in.
  const database = connectPostgres({ url: e2e.system.database.url, poolSize: 2 });
  try {
    await database.migrate();
    await createPsuDirectory({ db: database.db }).addPsu({
      psuId: PSU,
      displayName: 'Camille Durand',
      password: SANDBOX_PASSWORD,
      totpSecret: SANDBOX_TOTP_SECRET,
    });
  } finally {
    await database.close();
  }
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

/** Presses Tab until the focused control's text is `label`, as a keyboard user moves through the page. */
async function tabTo(page: Page, label: string): Promise<void> {
  for (let presses = 0; presses < 40; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = String(await page.evaluate("document.activeElement?.textContent ?? ''")).trim();
    if (focused === label) return;
  }
  throw new Error(`"${label}" cannot be reached with the keyboard`);
}

describe("the customer's consent page", () => {
  it('signs in with SCA, shows the TPP and its last use, and withdraws with the keyboard: the TPP loses access at once', async () => {
    const aisp = await e2e.register('tpp-a', {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'aisp',
      client_name: TPP_NAME,
    });
    const { callback, verifier, state } = await authorizeInBrowser(e2e, browser, aisp, {
      scope: 'aisp',
      psu: { page: 'bank', psuId: PSU },
    });
    const tokens = await oidc.authorizationCodeGrant(aisp, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(await oidc.tokenIntrospection(bank, tokens.access_token)).toMatchObject({
      active: true,
      sub: PSU,
    });

    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'fr-FR',
      viewport: { width: 360, height: 740 },
    });
    const pending: Promise<void>[] = [];
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      checkPageResponses(e2e, page, pending);
      await page.goto(`${e2e.system.edgeUrl}/oauth2/fr/banque/autorisations`);
      await page.fill('#customer-id', PSU);
      await page.fill('#password', SANDBOX_PASSWORD);
      await Promise.all([page.waitForURL(/\/autorisations\/code$/), page.keyboard.press('Enter')]);
      // The authorization's sign-in used this 30 s step's code; a code is accepted once (replay), so the
      // customer's authenticator shows the next one.
      await page.fill('#otp', totpAt(SANDBOX_TOTP_SECRET, Math.floor(Date.now() / 1000) + 30));
      await Promise.all([page.waitForURL(/\/autorisations$/), page.keyboard.press('Enter')]);

      const list = await shown(page);
      expect(list).toContain(TPP_NAME);
      expect(list).toContain('Dernière utilisation');
      expect(list).not.toContain('Jamais utilisé');
      expect(list).toContain('Consulter les soldes et les opérations de vos comptes');
      // Readable on a phone: nothing wider than the screen.
      expect(Number(await page.evaluate('document.scrollingElement.scrollWidth'))).toBeLessThanOrEqual(360);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      // Every control has a name a screen reader announces.
      const unnamed = Number(
        await page.evaluate(`[...document.querySelectorAll('button, input:not([type=hidden])')].filter(
          (control) => control.textContent.trim() === '' && !control.hasAttribute('aria-label') && control.labels.length === 0,
        ).length`),
      );
      expect(unnamed).toBe(0);

      await tabTo(page, 'Retirer l’accès');
      await Promise.all([
        page.waitForURL(/\/autorisations\/retrait\?grant_id=/),
        page.keyboard.press('Enter'),
      ]);
      expect(await shown(page)).toContain(TPP_NAME);
      expect(Number(await page.evaluate('document.scrollingElement.scrollWidth'))).toBeLessThanOrEqual(360);
      await tabTo(page, 'Confirmer le retrait');
      await Promise.all([page.waitForURL(/\/autorisations$/), page.keyboard.press('Enter')]);
      expect(await page.locator('[role="status"]').textContent()).toContain(
        `L’accès de ${TPP_NAME} a été retiré`,
      );
      expect(await shown(page)).toContain('Aucun prestataire n’a d’accès actif à vos comptes.');
    } finally {
      await Promise.all(pending);
      await context.close();
    }

    expect(await oidc.tokenIntrospection(bank, tokens.access_token)).toEqual({ active: false });
    expect(await refusal(oidc.refreshTokenGrant(aisp, tokens.refresh_token ?? ''))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
  });
});

itMatchedTheDocument(() => e2e);
