import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { type RunningSystem, startSystem, type TppFetch } from '@psd2/testing';
import { createRedisTokenStore, hashSecret, type TokenStore } from '@psd2/token-store';
import { Redis } from 'ioredis';
import {
  authorizeQuery,
  createTestClient,
  csrfToken,
  FORM,
  form,
  locationParams,
  pkcePair,
  registryOf,
  sessionCookie,
} from './test-support.js';

/*
 * The sandbox deployment (the default mode) driven through the local edge as a PSU's browser: every
 * error branch of the authorization request (page or redirect), PKCE and scope refusals, CSRF, and
 * the sandbox grant, whose code must exist in Redis only as a hash.
 */

let system: RunningSystem;
let registry: ClientRegistry;
let browser: TppFetch;
let store: TokenStore;
let redis: Redis;
let aisp: RegisteredClient;
let paymentsOnly: RegisteredClient;
let mixed: RegisteredClient;
let deleted: RegisteredClient;
const REDIRECT = 'https://tpp.example/cb?tenant=1';
const SANDBOX = '/oauth2/fr/sandbox/signin.html';

beforeAll(async () => {
  system = await startSystem({ label: 'authz-sandbox' });
  registry = registryOf(system);
  browser = system.client(undefined);
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  redis = new Redis(system.redisUrl);
  [aisp, paymentsOnly, mixed, deleted] = await Promise.all([
    createTestClient(registry, {
      roles: ['PSP_AI'],
      scope: 'aisp extended_transaction_history',
      redirectUris: [REDIRECT, 'https://tpp.example/other'],
      clientName: '<script>alert(1)</script> Budget & Co',
      clientNameLocalized: { en: 'Budget Helper' },
    }),
    createTestClient(registry, {
      roles: ['PSP_PI'],
      scope: 'pisp',
      grantTypes: ['client_credentials'],
      responseTypes: [],
    }),
    createTestClient(registry, {
      roles: ['PSP_AI', 'PSP_PI'],
      scope: 'aisp pisp',
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    }),
    createTestClient(registry, { roles: ['PSP_AI'], scope: 'aisp' }),
  ]);
  await registry.deleteClient({
    clientId: deleted.clientId,
    actor: {
      organizationId: deleted.organizationId,
      certificateThumbprint: deleted.registeredCertificateThumbprint,
    },
  });
}, 60_000);

afterAll(async () => {
  registry?.close();
  await store?.close();
  redis?.disconnect();
  await system?.stop();
});

const { challenge } = pkcePair();
const valid = (overrides: Record<string, string | undefined> = {}) =>
  authorizeQuery({
    response_type: 'code',
    client_id: aisp.clientId,
    redirect_uri: REDIRECT,
    scope: 'aisp',
    state: 'st-ä/&=1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });

function expectErrorPage(result: { status: number; headers: Headers; text: string }, status = 400) {
  expect(result.status).toBe(status);
  expect(result.headers.get('location')).toBeNull();
  expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  expect(result.text).toContain('<html lang="fr">');
  expect(result.text).not.toMatch(/at .*\.js:\d+/);
}

describe('requests that must never redirect: an error page for the PSU', () => {
  it('an unknown client_id', async () => {
    expectErrorPage(await browser(`${SANDBOX}?${valid({ client_id: 'no-such-client' })}`));
  });
  it('a missing client_id', async () => {
    expectErrorPage(await browser(`${SANDBOX}?${valid({ client_id: undefined })}`));
  });
  it('a deleted client', async () => {
    expectErrorPage(await browser(`${SANDBOX}?${valid({ client_id: deleted.clientId })}`));
  });
  it('a redirect_uri that is not registered exactly', async () => {
    for (const uri of [
      'https://tpp.example/cb',
      'https://tpp.example/cb?tenant=1&x=2',
      'https://evil.example/cb?tenant=1',
      'HTTPS://tpp.example/cb?tenant=1',
    ]) {
      const result = await browser(`${SANDBOX}?${valid({ redirect_uri: uri })}`);
      expectErrorPage(result);
      expect(result.text).toContain('adresse de retour');
    }
  });
  it('a missing or repeated redirect_uri', async () => {
    expectErrorPage(await browser(`${SANDBOX}?${valid({ redirect_uri: undefined })}`));
    const twice = `${valid()}&redirect_uri=${encodeURIComponent('https://tpp.example/other')}`;
    expectErrorPage(await browser(`${SANDBOX}?${twice}`));
  });
});

describe('every other error redirects to the client with error, state and iss', () => {
  async function expectRedirectError(query: string, error: string, path = SANDBOX) {
    const result = await browser(`${path}?${query}`);
    expect(result.status).toBe(302);
    const location = result.headers.get('location') ?? '';
    // The registered query is kept as registered, the response appended.
    expect(location.startsWith(`${REDIRECT}&`)).toBe(true);
    const params = locationParams(result);
    expect(params.get('tenant')).toBe('1');
    expect(params.get('error')).toBe(error);
    expect(params.get('error_description')).toBeTruthy();
    expect(params.get('iss')).toBe(system.edgeUrl);
    return params;
  }

  it('invalid_request: response_type missing, state echoed untouched', async () => {
    const params = await expectRedirectError(valid({ response_type: undefined }), 'invalid_request');
    expect(params.get('state')).toBe('st-ä/&=1');
    expect(params.get('code')).toBeNull();
  });
  it('unsupported_response_type', async () => {
    await expectRedirectError(valid({ response_type: 'token' }), 'unsupported_response_type');
  });
  it('unauthorized_client: a client not registered for authorization codes', async () => {
    const query = valid({ client_id: paymentsOnly.clientId, scope: 'pisp' });
    const result = await browser(
      `${SANDBOX}?${query.replace(encodeURIComponent(REDIRECT), encodeURIComponent(REDIRECT))}`,
    );
    // This client has its own redirect URI, the same string: registered exactly.
    expect(result.status).toBe(302);
    expect(locationParams(result).get('error')).toBe('unauthorized_client');
  });
  it('invalid_scope: unregistered, unknown, empty, and pisp (client credentials only for now)', async () => {
    await expectRedirectError(valid({ scope: 'cbpii' }), 'invalid_scope');
    await expectRedirectError(valid({ scope: 'aisp accounts' }), 'invalid_scope');
    await expectRedirectError(valid({ scope: undefined }), 'invalid_scope');
    await expectRedirectError(valid({ scope: 'extended_transaction_history' }), 'invalid_scope');
    const result = await browser(`${SANDBOX}?${valid({ client_id: mixed.clientId, scope: 'pisp' })}`);
    expect(locationParams(result).get('error')).toBe('invalid_scope');
    expect(locationParams(result).get('error_description')).toContain('pisp');
  });
  it('PKCE refused: missing, plain, method missing, malformed', async () => {
    await expectRedirectError(
      valid({ code_challenge: undefined, code_challenge_method: undefined }),
      'invalid_request',
    );
    await expectRedirectError(valid({ code_challenge_method: 'plain' }), 'invalid_request');
    await expectRedirectError(valid({ code_challenge_method: undefined }), 'invalid_request');
    await expectRedirectError(valid({ code_challenge: 'short' }), 'invalid_request');
  });
  it('a repeated parameter is invalid_request; a repeated state is not echoed', async () => {
    await expectRedirectError(`${valid()}&scope=aisp`, 'invalid_request');
    const params = await expectRedirectError(`${valid()}&state=other`, 'invalid_request');
    expect(params.get('state')).toBeNull();
  });
  it('the bank page (also served in sandbox mode) answers errors the same way', async () => {
    await expectRedirectError(
      valid({ scope: 'cbpii' }),
      'invalid_scope',
      '/oauth2/en/banque/oauth2_authorization.aspx',
    );
  });
});

async function openSandboxPage(path = SANDBOX, overrides: Record<string, string | undefined> = {}) {
  const page = await browser(`${path}?${valid(overrides)}`);
  expect(page.status).toBe(200);
  const cookie = sessionCookie(page);
  if (cookie === undefined) throw new Error('no session cookie');
  return { page, cookie, csrf: csrfToken(page.text) };
}

describe('the sandbox page', () => {
  it('shows who asks for what, in French by default, escaped, with the security headers', async () => {
    const { page } = await openSandboxPage();
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain(aisp.organizationId);
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
    const english = await openSandboxPage('/oauth2/en/sandbox/signin.html');
    expect(english.page.text).toContain('<html lang="en">');
    expect(english.page.text).toContain('Budget Helper');
    expect(english.page.text).toContain('their balances');
    const hinted = await openSandboxPage(SANDBOX, { ui_locales: 'de-DE en-GB' });
    expect(hinted.page.text).toContain('<html lang="en">');
    expect(hinted.page.text).toContain('action="/oauth2/en/sandbox/consent"');
  });

  it('Grant: a grant and a 60-second code bound to everything, stored only as its hash', async () => {
    const { cookie, csrf } = await openSandboxPage(SANDBOX, { scope: 'aisp extended_transaction_history' });
    const result = await browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie, origin: system.edgeUrl },
      body: form({ csrf_token: csrf, psu: 'psu-bruno', decision: 'grant' }),
    });
    expect(result.status).toBe(303);
    const params = locationParams(result);
    expect(result.headers.get('location')?.startsWith(`${REDIRECT}&code=`)).toBe(true);
    expect(params.get('state')).toBe('st-ä/&=1');
    expect(params.get('iss')).toBe(system.edgeUrl);
    const code = params.get('code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);

    // Nothing in the store holds the code itself; its hash is the key.
    const keys = await redis.keys(`${system.redisKeyPrefix}*`);
    expect(keys).toContain(`${system.redisKeyPrefix}c:${hashSecret(code)}`);
    for (const key of keys) {
      expect(key).not.toContain(code);
      const type = await redis.type(key);
      if (type === 'string') expect((await redis.getBuffer(key))?.toString('latin1')).not.toContain(code);
    }

    // The record as the token service will redeem it.
    const redemption = await store.redeemAuthorizationCode(code, aisp.clientId);
    expect(redemption.outcome).toBe('redeemed');
    if (redemption.outcome !== 'redeemed') return;
    const record = redemption.record;
    expect(record).toMatchObject({
      clientId: aisp.clientId,
      redirectUri: REDIRECT,
      scope: 'aisp extended_transaction_history',
      subject: 'psu-bruno',
      codeChallenge: challenge,
    });
    expect(record.expiresAt - record.issuedAt).toBe(60);
    const grant = await store.findGrant(record.grantId);
    expect(grant).toMatchObject({
      clientId: aisp.clientId,
      organizationId: aisp.organizationId,
      subject: 'psu-bruno',
    });
    expect((grant?.expiresAt ?? 0) - (grant?.authTime ?? 0)).toBe(180 * 24 * 3600);

    // The session was single use.
    const again = await browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: form({ csrf_token: csrf, psu: 'psu-bruno', decision: 'grant' }),
    });
    expectErrorPage(again);
    expect(again.text).toContain('session a expiré');
  });

  it('Deny: access_denied with state and iss', async () => {
    const { cookie, csrf } = await openSandboxPage();
    const result = await browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: form({ csrf_token: csrf, decision: 'deny' }),
    });
    expect(result.status).toBe(303);
    const params = locationParams(result);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('st-ä/&=1');
    expect(params.get('iss')).toBe(system.edgeUrl);
  });

  it('CSRF: a wrong or missing token, a foreign Origin, or no session are refused with a page', async () => {
    const { cookie, csrf } = await openSandboxPage();
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      browser('/oauth2/fr/sandbox/consent', {
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
    const json = await browser('/oauth2/fr/sandbox/consent', {
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
    const { cookie, csrf } = await openSandboxPage();
    const result = await browser('/oauth2/fr/sandbox/consent', {
      method: 'POST',
      headers: { ...FORM, cookie },
      body: form({ csrf_token: csrf, psu: 'psu-nobody', decision: 'grant' }),
    });
    expect(result.status).toBe(400);
    expect(result.text).toContain('Choisissez un client fictif');
  });

  it('serves the stylesheet and answers unknown pages in HTML', async () => {
    const css = await browser('/oauth2/en/static/authorize.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expectErrorPage(await browser('/oauth2/fr/nothing-here'), 404);
  });
});
