import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CERTIFICATE_REFUSED_BY_EDGE, describeFailure, failureOf } from '@psd2/testing';
import * as oidc from 'openid-client';
import { REDIRECT_URI } from './browser.js';
import { type E2eSystem, itMatchedTheDocument, refusal, startE2e } from './harness.js';

/*
 * What an attacker can try with a TPP's client id, codes and tokens. Each attempt gets its standard
 * error and leaves the victim's code or tokens as they were (except where the standards make the
 * victim's own attempt revoke the grant: a code it replays). The PSU's consent is given
 * on the sandbox page by plain HTTP here; the browser flows are in tpp-flows.test.ts.
 */

let e2e: E2eSystem;
let victim: oidc.Configuration;
let bank: oidc.Configuration;
const OTHER_REDIRECT_URI = 'https://tpp.example/other';

beforeAll(async () => {
  e2e = await startE2e({ label: 'e2e-attacks' });
  victim = await e2e.register('tpp-a', {
    redirect_uris: [REDIRECT_URI, OTHER_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'aisp',
  });
  bank = await e2e.discover('psp-as', 'bank-psd2-api');
}, 60_000);

afterAll(async () => {
  await e2e?.stop();
});

const clientId = () => victim.clientMetadata().client_id;

/** A PSU grants `aisp` on the sandbox page; returns what the TPP's callback receives. */
async function consent(): Promise<{ callback: URL; verifier: string; state: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(victim, {
    redirect_uri: REDIRECT_URI,
    scope: 'aisp',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const page = await e2e.call(undefined, `${url.pathname}${url.search}`);
  expect(page.status).toBe(200);
  const cookie = page.headers.getSetCookie().find((value) => value.startsWith('__Host-psd2-authz='));
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1];
  if (cookie === undefined || csrf === undefined) throw new Error('no session on the sandbox page');
  const decision = await e2e.call(undefined, '/oauth2/fr/sandbox/consent', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookie.split(';')[0] ?? '',
      origin: e2e.system.edgeUrl,
    },
    body: new URLSearchParams({ csrf_token: csrf, psu: 'psu-alice', decision: 'grant' }).toString(),
  });
  expect(decision.status).toBe(303);
  return { callback: new URL(decision.headers.get('location') ?? ''), verifier, state };
}

const exchange = (
  config: oidc.Configuration,
  authorized: { callback: URL; verifier: string; state: string },
) =>
  oidc.authorizationCodeGrant(config, authorized.callback, {
    pkceCodeVerifier: authorized.verifier,
    expectedState: authorized.state,
  });

const isActive = async (token: string) => (await oidc.tokenIntrospection(bank, token)).active;

describe('attacks', () => {
  it("another organisation's certificate with a stolen client_id, or a forged XFCC header, is invalid_client; the code still works for its client", async () => {
    const authorized = await consent();
    const thief = await e2e.discover('tpp-b', clientId());
    expect(await refusal(exchange(thief, authorized))).toEqual({ error: 'invalid_client', status: 401 });

    // The certificate in the header is the victim's; the edge discards the header and sees none (or tpp-b's).
    const pem = readFileSync(e2e.system.pki.qwacs['tpp-a'].cert, 'utf8');
    const forged = `Hash=00;Cert="${encodeURIComponent(pem)}";Subject="CN=forged"`;
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId(),
      code: authorized.callback.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: authorized.verifier,
    }).toString();
    for (const qwac of [undefined, 'tpp-b'] as const) {
      const result = await e2e.call(qwac, '/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-client-cert': forged },
        body,
      });
      expect([result.status, result.json().error]).toEqual([401, 'invalid_client']);
    }

    const tokens = await exchange(victim, authorized);
    expect(await isActive(tokens.access_token)).toBe(true);
  });

  it('a QSealC or an expired certificate is refused; the tokens are untouched', async () => {
    const tokens = await exchange(victim, await consent());
    const sealed = await e2e.discover('qseal', clientId());
    expect(await refusal(oidc.refreshTokenGrant(sealed, tokens.refresh_token ?? ''))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(
      await refusal(
        oidc.dynamicClientRegistration(e2e.issuer, { scope: 'aisp' }, oidc.TlsClientAuth(), {
          algorithm: 'oauth2',
          [oidc.customFetch]: e2e.fetchAs('qseal'),
        }),
      ),
    ).toEqual({ error: 'invalid_client', status: 401 });

    // The edge closes the connection right after the handshake: no HTTP response at all.
    const refused = await failureOf(
      e2e.call('expired', '/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: clientId(),
          refresh_token: tokens.refresh_token ?? '',
        }).toString(),
      }),
    );
    expect(describeFailure(refused)).toMatch(CERTIFICATE_REFUSED_BY_EDGE);

    expect(await isActive(tokens.access_token)).toBe(true);
    const refreshed = await oidc.refreshTokenGrant(victim, tokens.refresh_token ?? '');
    expect(await isActive(refreshed.access_token)).toBe(true);
  });

  it('a replayed code is invalid_grant, and revokes what the code gave', async () => {
    const authorized = await consent();
    const tokens = await exchange(victim, authorized);
    expect(await refusal(exchange(victim, authorized))).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await isActive(tokens.access_token)).toBe(false);
    expect(await refusal(oidc.refreshTokenGrant(victim, tokens.refresh_token ?? ''))).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it("a redirect_uri other than the authorization request's is invalid_grant and leaves the code usable", async () => {
    const authorized = await consent();
    const elsewhere = new URL(authorized.callback);
    elsewhere.pathname = new URL(OTHER_REDIRECT_URI).pathname;
    expect(await refusal(exchange(victim, { ...authorized, callback: elsewhere }))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
    const tokens = await exchange(victim, authorized);
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('scope escalation on refresh is invalid_scope; the refresh token still works', async () => {
    const tokens = await exchange(victim, await consent());
    expect(
      await refusal(oidc.refreshTokenGrant(victim, tokens.refresh_token ?? '', { scope: 'aisp cbpii' })),
    ).toEqual({
      error: 'invalid_scope',
      status: 400,
    });
    const refreshed = await oidc.refreshTokenGrant(victim, tokens.refresh_token ?? '');
    expect(refreshed.scope).toBe('aisp');
  });

  it("a refresh token presented with the organisation's renewed certificate is invalid_grant; it still works with its own", async () => {
    const tokens = await exchange(victim, await consent());
    // Same organisation and subject: the renewed certificate authenticates as the client, but the
    // refresh token is bound to the certificate it was issued to (FAPI 2.0).
    const renewed = await e2e.discover('tpp-a-renewed', clientId());
    expect(await refusal(oidc.refreshTokenGrant(renewed, tokens.refresh_token ?? ''))).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
    expect(await isActive(tokens.access_token)).toBe(true);
    const refreshed = await oidc.refreshTokenGrant(victim, tokens.refresh_token ?? '');
    expect(await isActive(refreshed.access_token)).toBe(true);
  });

  describe.each([
    ['of the same organisation', 'tpp-a'],
    ['of another organisation', 'tpp-b'],
  ] as const)("the victim's code presented by another client %s", (_case, qwac) => {
    let thief: oidc.Configuration;
    beforeAll(async () => {
      thief = await e2e.register(qwac, {
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'aisp',
      });
    });

    it('is invalid_grant while unused, and the victim still redeems it', async () => {
      const authorized = await consent();
      expect(await refusal(exchange(thief, authorized))).toEqual({ error: 'invalid_grant', status: 400 });
      const tokens = await exchange(victim, authorized);
      expect(await isActive(tokens.access_token)).toBe(true);
    });

    it("is invalid_grant once used, and revokes nothing of the victim's grant", async () => {
      const authorized = await consent();
      const tokens = await exchange(victim, authorized);
      expect(await refusal(exchange(thief, authorized))).toEqual({ error: 'invalid_grant', status: 400 });
      expect(await isActive(tokens.access_token)).toBe(true);
      const refreshed = await oidc.refreshTokenGrant(victim, tokens.refresh_token ?? '');
      expect(await isActive(refreshed.access_token)).toBe(true);
    });
  });
});

// Every response of the file was checked against the OpenAPI document as it arrived.
itMatchedTheDocument(() => e2e);
