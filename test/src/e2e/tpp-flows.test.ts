import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { authorizeInBrowser, launchBrowser, REDIRECT_URI } from './browser.js';
import { type E2eSystem, itMatchedTheDocument, refusal, startE2e } from './harness.js';

/*
 * The authorization code flows end to end: a TPP registers with openid-client, sends a PSU's headless
 * Chromium through the sandbox or the bank page, and uses the code the way RFC 6749, RFC 7636 and
 * RFC 8705 say, while the bank's API introspects the tokens with its PSP_AS certificate.
 */

let e2e: E2eSystem;
let browser: Browser;
let bank: oidc.Configuration;

beforeAll(async () => {
  [e2e, browser] = await Promise.all([startE2e({ label: 'e2e-flows' }), launchBrowser()]);
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});

const introspect = (token: string) => oidc.tokenIntrospection(bank, token);

describe('authorization code flows', () => {
  it('AISP: registers, authorizes on the sandbox page with PKCE, exchanges, refreshes twice with the same refresh token, introspects, revokes: every token of the grant is inactive', async () => {
    const aisp = await e2e.register('tpp-a', {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'aisp',
      client_name: 'Budget Helper',
    });
    const clientId = aisp.clientMetadata().client_id;
    const { callback, verifier, state } = await authorizeInBrowser(e2e, browser, aisp, {
      scope: 'aisp',
      psu: { page: 'sandbox', psuId: 'psu-alice' },
    });
    expect(callback.searchParams.get('iss')).toBe(e2e.system.edgeUrl);

    const first = await oidc.authorizationCodeGrant(aisp, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(first.scope).toBe('aisp');
    expect(first.refresh_token).toBeDefined();
    // Certificate-bound refresh tokens are not rotated (FAPI 2.0): the client keeps the one it has.
    const second = await oidc.refreshTokenGrant(aisp, first.refresh_token ?? '');
    const third = await oidc.refreshTokenGrant(aisp, first.refresh_token ?? '');
    expect([second.refresh_token, third.refresh_token]).toEqual([undefined, undefined]);

    const accessTokens = [first.access_token, second.access_token, third.access_token];
    for (const token of accessTokens) {
      expect(await introspect(token)).toMatchObject({
        active: true,
        scope: 'aisp',
        client_id: clientId,
        sub: 'psu-alice',
        token_type: 'Bearer',
        cnf: { 'x5t#S256': e2e.thumbprint('tpp-a') },
      });
    }

    await oidc.tokenRevocation(aisp, first.refresh_token ?? '', { token_type_hint: 'refresh_token' });
    for (const token of accessTokens) expect(await introspect(token)).toEqual({ active: false });
    expect(await refusal(oidc.refreshTokenGrant(aisp, first.refresh_token ?? ''))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
  });

  it('AISP through the bank page: the PSU signs in with password and TOTP, then consents', async () => {
    const aisp = await e2e.register('tpp-a', {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'aisp extended_transaction_history',
    });
    const { callback, verifier, state } = await authorizeInBrowser(e2e, browser, aisp, {
      scope: 'aisp extended_transaction_history',
      psu: { page: 'bank', psuId: 'psu-chloe' },
    });
    const tokens = await oidc.authorizationCodeGrant(aisp, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.scope).toBe('aisp extended_transaction_history');
    expect(await introspect(tokens.access_token)).toMatchObject({
      active: true,
      sub: 'psu-chloe',
      cnf: { 'x5t#S256': e2e.thumbprint('tpp-a') },
    });
    // extended_transaction_history needs a fresh SCA: the refresh token carries aisp alone.
    const refreshed = await oidc.refreshTokenGrant(aisp, tokens.refresh_token ?? '');
    expect(refreshed.scope).toBe('aisp');
  });

  it('CBPII: registers with cbpii and gets a cbpii authorization code', async () => {
    const cbpii = await e2e.register('tpp-a', {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'cbpii',
    });
    const { callback, verifier, state } = await authorizeInBrowser(e2e, browser, cbpii, {
      scope: 'cbpii',
      psu: { page: 'sandbox', psuId: 'psu-bruno' },
    });
    const tokens = await oidc.authorizationCodeGrant(cbpii, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.scope).toBe('cbpii');
    expect(tokens.refresh_token).toBeDefined();
    expect(await introspect(tokens.access_token)).toMatchObject({
      active: true,
      scope: 'cbpii',
      sub: 'psu-bruno',
    });
  });
});

// Every response of the file was checked against the OpenAPI document as it arrived.
itMatchedTheDocument(() => e2e);
