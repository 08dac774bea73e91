import { describe, expect, it } from '@jest/globals';
import { hashSecret } from '@psd2/token-store';
import { challenge, expectErrorPage, REDIRECT, SANDBOX, sandboxSuite } from './sandbox.test-support.js';
import { FORM, form, locationParams } from './test-support.js';

/*
 * The sandbox page through the local edge as a PSU's browser: what it shows, the grant (whose code
 * must exist in Redis only as a hash), the denial, CSRF and the single-use session.
 */

const suite = sandboxSuite('authz-sandbox');

describe('the sandbox page', () => {
  it('shows who asks for what, in French by default, escaped, with the security headers', async () => {
    const { page } = await suite.openSandboxPage();
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain(suite.aisp.organizationId);
    expect(page.text).toContain('FR-ACPR');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Budget &amp; Co');
    expect(page.text).not.toContain('<script');
    expect(page.text).toContain('leurs soldes');
    expect(page.text).toContain('180 jours');
    expect(page.text).toContain('psu-alice');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("form-action 'self' https://tpp.example");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("default-src 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const setCookie = page.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/^__Host-psd2-authz=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('speaks English on the English path, or when ui_locales asks for it', async () => {
    const english = await suite.openSandboxPage('/oauth2/en/sandbox/signin.html');
    expect(english.page.text).toContain('<html lang="en">');
    expect(english.page.text).toContain('Budget Helper');
    expect(english.page.text).toContain('their balances');
    const hinted = await suite.openSandboxPage(SANDBOX, { ui_locales: 'de-DE en-GB' });
    expect(hinted.page.text).toContain('<html lang="en">');
    expect(hinted.page.text).toContain('action="/oauth2/en/sandbox/consent"');
  });

  it('Grant: a grant and a 60-second code bound to everything, stored only as its hash', async () => {
    const { cookie, csrf } = await suite.openSandboxPage(SANDBOX, {
      scope: 'aisp extended_transaction_history',
    });
    const result = await suite.browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie, origin: suite.system.edgeUrl },
      body: form({ csrf_token: csrf, psu: 'psu-bruno', decision: 'grant' }),
    });
    expect(result.status).toBe(303);
    const params = locationParams(result);
    expect(result.headers.get('location')?.startsWith(`${REDIRECT}&code=`)).toBe(true);
    expect(params.get('state')).toBe('st-ä/&=1');
    expect(params.get('iss')).toBe(suite.system.edgeUrl);
    const code = params.get('code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);

    // Nothing in the store holds the code itself; its hash is the key.
    const keys = await suite.redis.keys(`${suite.system.redisKeyPrefix}*`);
    expect(keys).toContain(`${suite.system.redisKeyPrefix}c:${hashSecret(code)}`);
    for (const key of keys) {
      expect(key).not.toContain(code);
      const type = await suite.redis.type(key);
      if (type === 'string')
        expect((await suite.redis.getBuffer(key))?.toString('latin1')).not.toContain(code);
    }

    // The record as the token service will redeem it.
    const redemption = await suite.store.redeemAuthorizationCode(code, suite.aisp.clientId);
    expect(redemption.outcome).toBe('redeemed');
    if (redemption.outcome !== 'redeemed') return;
    const record = redemption.record;
    expect(record).toMatchObject({
      clientId: suite.aisp.clientId,
      redirectUri: REDIRECT,
      scope: 'aisp extended_transaction_history',
      subject: 'psu-bruno',
      codeChallenge: challenge,
    });
    expect(record.expiresAt - record.issuedAt).toBe(60);
    const grant = await suite.store.findGrant(record.grantId);
    expect(grant).toMatchObject({
      clientId: suite.aisp.clientId,
      organizationId: suite.aisp.organizationId,
      subject: 'psu-bruno',
    });
    expect((grant?.expiresAt ?? 0) - (grant?.authTime ?? 0)).toBe(180 * 24 * 3600);

    // The session was single use.
    const again = await suite.browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: form({ csrf_token: csrf, psu: 'psu-bruno', decision: 'grant' }),
    });
    expectErrorPage(again);
    expect(again.text).toContain('session a expiré');
  });

  it('Deny: access_denied with state and iss', async () => {
    const { cookie, csrf } = await suite.openSandboxPage();
    const result = await suite.browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: form({ csrf_token: csrf, decision: 'deny' }),
    });
    expect(result.status).toBe(303);
    const params = locationParams(result);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('st-ä/&=1');
    expect(params.get('iss')).toBe(suite.system.edgeUrl);
  });

  it('CSRF: a wrong or missing token, a foreign Origin, or no session are refused with a page', async () => {
    const { cookie, csrf } = await suite.openSandboxPage();
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      suite.browser('/oauth2/fr/sandbox/consent', {
        method: 'POST',
        headers: { ...FORM, ...headers },
        body: form(fields),
      });
    expectErrorPage(
      await post({ cookie }, { csrf_token: 'x'.repeat(43), psu: 'psu-alice', decision: 'grant' }),
      403,
    );
    expectErrorPage(await post({ cookie }, { psu: 'psu-alice', decision: 'grant' }), 403);
    expectErrorPage(
      await post(
        { cookie, origin: 'https://evil.example' },
        { csrf_token: csrf, psu: 'psu-alice', decision: 'grant' },
      ),
      403,
    );
    expectErrorPage(await post({}, { csrf_token: csrf, psu: 'psu-alice', decision: 'grant' }), 400);
    // A JSON body is not a form.
    const json = await suite.browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ csrf_token: csrf, decision: 'grant' }),
    });
    expectErrorPage(json, 415);
    // The session survived the refusals: the right token still works.
    const ok = await post({ cookie }, { csrf_token: csrf, psu: 'psu-alice', decision: 'grant' });
    expect(ok.status).toBe(303);
    expect(locationParams(ok).get('code')).toBeTruthy();
  });

  it('an unknown PSU is asked again, not granted', async () => {
    const { cookie, csrf } = await suite.openSandboxPage();
    const result = await suite.browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: form({ csrf_token: csrf, psu: 'psu-nobody', decision: 'grant' }),
    });
    expect(result.status).toBe(400);
    expect(result.text).toContain('Choisissez un client fictif');
  });

  it('serves the stylesheet and answers unknown pages in HTML', async () => {
    const css = await suite.browser('/oauth2/en/static/authorize.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expectErrorPage(await suite.browser('/oauth2/fr/nothing-here'), 404);
  });
});
