import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { formPost, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import { totpAt } from '@psd2/psu-directory';
import { observeSystem } from './observed-system.js';
import { attributeOf, dataPointsOf, eventually, KIND } from './otlp-receiver.js';

/*
 * The other flows a TPP and a PSU run (registration, refresh, introspection, revocation, the bank
 * page): the product's metrics must arrive, without client labels, and no secret they handled may
 * appear in anything exported nor in any log.
 */

const observed = observeSystem('observability-flows');
const { receiver, secrets } = observed;

describe('the other flows a TPP runs, for metrics and the leak search', () => {
  it('registers a client (RFC 7591) and reads it back with its registration access token (RFC 7592)', async () => {
    const registered = await observed.system.client('tpp-a')('/oauth2/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: ['https://tpp.example.com/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'aisp',
        client_name: 'Observability test',
        token_endpoint_auth_method: 'tls_client_auth',
      }),
    });
    expect(registered.status).toBe(201);
    const client = registered.json<{ client_id: string; registration_access_token: string }>();
    secrets.set('registration access token', client.registration_access_token);
    const read = await observed.system.client('tpp-a')(`/oauth2/register/${client.client_id}`, {
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    });
    expect(read.status).toBe(200);
  });

  it('refreshes, introspects, replays a code and revokes', async () => {
    const client = await observed.registerAispClient();
    const refresh = (refreshToken: string) =>
      formPost({ grant_type: 'refresh_token', client_id: client.clientId, refresh_token: refreshToken });
    const exchange = await observed.plantCode(client, 'second');
    const first = await observed.system.client('psp-ai')('/oauth2/token', exchange);
    expect(first.status).toBe(200);
    const issued = first.json<{ access_token: string; refresh_token: string }>();
    secrets.set('second access token', issued.access_token);
    secrets.set('second refresh token', issued.refresh_token);

    // A replayed code: an OAuth error, and an exception inside the service.
    const replay = await observed.system.client('psp-ai')('/oauth2/token', exchange);
    expect(replay.json()).toMatchObject({ error: 'invalid_grant' });

    const third = await observed.system.client('psp-ai')(
      '/oauth2/token',
      await observed.plantCode(client, 'third'),
    );
    const live = third.json<{ access_token: string; refresh_token: string }>();
    secrets.set('third access token', live.access_token);
    secrets.set('third refresh token', live.refresh_token);
    const refreshed = await observed.system.client('psp-ai')('/oauth2/token', refresh(live.refresh_token));
    expect(refreshed.status).toBe(200);
    // Refresh tokens are not rotated by default: the answer carries a new access token only, and the
    // same refresh token serves again (a retry after a lost answer).
    const rotated = { ...refreshed.json<{ access_token: string }>(), refresh_token: live.refresh_token };
    secrets.set('refreshed access token', rotated.access_token);
    const retried = await observed.system.client('psp-ai')('/oauth2/token', refresh(live.refresh_token));
    expect(retried.status).toBe(200);
    secrets.set('access token of a retried refresh', retried.json<{ access_token: string }>().access_token);

    const introspected = await observed.system.internalClient('psp-as')(
      '/oauth2/introspect',
      formPost({ token: rotated.access_token }),
    );
    expect(introspected.json()).toMatchObject({ active: true });
    const revoked = await observed.system.client('psp-ai')(
      '/oauth2/revoke',
      formPost({
        client_id: client.clientId,
        token: rotated.refresh_token,
        token_type_hint: 'refresh_token',
      }),
    );
    expect(revoked.status).toBe(200);
    // The revoked refresh token presented again: invalid_grant.
    const afterRevocation = await observed.system.client('psp-ai')(
      '/oauth2/token',
      refresh(rotated.refresh_token),
    );
    expect(afterRevocation.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('puts the OAuth error code on the failing request span', async () => {
    const failed = await receiver.spanArrives(
      (span) =>
        span.service === 'token' &&
        span.kind === KIND.SERVER &&
        span.attribute('oauth.error') === 'invalid_grant',
      'a token span with oauth.error',
    );
    expect(failed.attribute('http.response.status_code')).toBe(400);
    expect(failed.attribute('oauth.grant_type')).toBeDefined();
  });

  it('signs a PSU in on the bank page: password, one-time code, consent', async () => {
    secrets.set('PSU password', observed.psuPassword);
    secrets.set('PSU TOTP secret', observed.psuTotpSecret);
    const client = await observed.registerAispClient();
    const verifier = randomBytes(32).toString('base64url');
    const browser = observed.system.client(undefined);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'aisp',
      state: 'observed',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const page = await browser(`/oauth2/fr/banque/oauth2_authorization.aspx?${query}`);
    expect(page.status).toBe(200);
    let cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const post = (path: string, fields: Record<string, string>) =>
      browser(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie,
          origin: observed.system.edgeUrl,
        },
        body: new URLSearchParams({ csrf_token: csrf, ...fields }).toString(),
      });
    const signedIn = await post('/oauth2/fr/banque/signin', {
      customer_id: 'psu-alice',
      password: observed.psuPassword,
    });
    expect(signedIn.headers.get('location')).toBe('/oauth2/fr/banque/otp');
    const otp = totpAt(observed.psuTotpSecret, Math.floor(Date.now() / 1000));
    secrets.set('PSU one-time password', otp);
    const verified = await post('/oauth2/fr/banque/otp', { otp });
    expect(verified.headers.get('location')).toBe('/oauth2/fr/banque/consent');
    cookie = verified.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const granted = await post('/oauth2/fr/banque/consent', { decision: 'grant' });
    expect(granted.status).toBe(303);
    const code = new URL(granted.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);
    secrets.set('bank sign-in authorization code', code);
  });

  it('exports token, error, latency, registry, token-store, active-grant, sign-in and runtime metrics without client labels', async () => {
    const named = (name: string, service?: string) =>
      receiver
        .metrics()
        .filter((metric) => metric.name === name && (service === undefined || metric.service === service));
    const points = (name: string, service?: string) => named(name, service).flatMap(dataPointsOf);
    await eventually(
      () =>
        points('psd2.oauth.tokens.issued', 'token').some(
          (point) => attributeOf(point.attributes, 'oauth.grant_type') === 'refresh_token',
        ) &&
        points('psd2.oauth.errors', 'revocation').length + points('psd2.oauth.errors', 'token').length > 0
          ? true
          : undefined,
      'the token and error counters',
    );
    const issued = points('psd2.oauth.tokens.issued', 'token');
    expect(issued).toContainEqual(
      expect.objectContaining({
        attributes: expect.arrayContaining([
          { key: 'oauth.grant_type', value: { stringValue: 'authorization_code' } },
          { key: 'oauth.scope', value: { stringValue: 'aisp' } },
        ]),
      }),
    );
    const errors = points('psd2.oauth.errors', 'token');
    expect(
      errors.some(
        (point) =>
          attributeOf(point.attributes, 'oauth.error') === 'invalid_grant' &&
          attributeOf(point.attributes, 'http.route') === '/oauth2/token',
      ),
    ).toBe(true);
    // Request latency per endpoint (the HTTP instrumentation's histogram, with the express route).
    expect(
      points('http.server.request.duration', 'token').some(
        (point) => attributeOf(point.attributes, 'http.route') === '/oauth2/token',
      ),
    ).toBe(true);
    expect(
      points('rpc.server.call.duration', 'client-registry').some(
        (point) => attributeOf(point.attributes, 'rpc.method') === 'GetClient',
      ),
    ).toBe(true);
    expect(points('psd2.client_registry.call.duration', 'token').length).toBeGreaterThan(0);
    expect(
      points('psd2.token_store.operation.duration', 'token').some(
        (point) => attributeOf(point.attributes, 'psd2.token_store.operation') === 'redeemAuthorizationCode',
      ),
    ).toBe(true);
    await eventually(
      () => (points('psd2.oauth.grants.active', 'token').length > 0 ? true : undefined),
      'the active-grants gauge',
    );
    // The bank page's sign-in above (authorization), and every process's Node runtime metrics.
    await eventually(
      () =>
        points('psd2.psu.sign_ins', 'authorization').some(
          (point) => attributeOf(point.attributes, 'psd2.outcome') === 'ok',
        )
          ? true
          : undefined,
      'the sign-in counter',
    );
    for (const service of ['local-edge', 'token', 'authorization', 'client-registry']) {
      expect({ service, delay: points('nodejs.eventloop.delay.p99', service).length > 0 }).toEqual({
        service,
        delay: true,
      });
      expect({ service, heap: points('v8js.memory.heap.used', service).length > 0 }).toEqual({
        service,
        heap: true,
      });
    }
    // Bounded cardinality: no metric carries a client or organisation id.
    for (const metric of receiver.metrics()) {
      for (const point of dataPointsOf(metric)) {
        const keys = (point.attributes ?? []).map((attribute) => attribute.key);
        expect({ metric: metric.name, keys }).not.toMatchObject({
          keys: expect.arrayContaining(['oauth.client_id']),
        });
        expect(keys).not.toContain('psd2.organization_id');
      }
    }
  });

  it('never exports or logs a secret value the flows handled', async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(18);
    expect(await observed.leaks()).toEqual([]);
  });
});
