import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpResult } from '@psd2/testing';
import { REDIRECT_URI } from './browser.js';
import { type CallResult, type E2eSystem, startE2e } from './harness.js';

/*
 * Input an attacker (or a broken TPP) sends without any right to it, through the edge with real mTLS:
 * each gets the standard 4xx, never a 500. Documented paths go through the harness's `call`, so the
 * answer is checked against the OpenAPI document too; paths the document does not have are sent raw.
 */

let e2e: E2eSystem;
let registered: { clientId: string; token: string };

/** Client ids the registry refuses as malformed: padding, a slash, far too long, a NUL, a right-to-left override. */
const MALFORMED_CLIENT_IDS = ['bQ==', 'a/b', 'x'.repeat(5000), 'a\u0000b', 'abc\u202edef'];

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'content-type': 'application/json' };

beforeAll(async () => {
  e2e = await startE2e({ label: 'e2e-hostile-input' });
  const response = await e2e.call('tpp-a', '/oauth2/register', {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'aisp',
      token_endpoint_auth_method: 'tls_client_auth',
    }),
  });
  expect(response.status).toBe(201);
  const body = response.json<{ client_id: string; registration_access_token: string }>();
  registered = { clientId: body.client_id, token: body.registration_access_token };
}, 60_000);

afterAll(async () => {
  await e2e?.stop();
});

function expectOAuthError(result: CallResult | HttpResult, status: number, error: string): void {
  expect({ status: result.status, error: result.json().error }).toEqual({ status, error });
}

function expectErrorPage(result: CallResult | HttpResult, status: number): void {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  expect(result.headers.get('location')).toBeNull();
}

const printable = (clientId: string) =>
  JSON.stringify(clientId.length > 20 ? `${clientId.slice(0, 8)}…` : clientId);

describe('a client_id the registry refuses as malformed is an unknown client', () => {
  it.each(MALFORMED_CLIENT_IDS.map((id) => [printable(id), id]))(
    '%s: 401 invalid_client at the token and revocation endpoints',
    async (_name, clientId) => {
      const token = await e2e.call('tpp-a', '/oauth2/token', {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId }).toString(),
      });
      expectOAuthError(token, 401, 'invalid_client');
      const revoke = await e2e.call('tpp-a', '/oauth2/revoke', {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ token: 'x'.repeat(43), client_id: clientId }).toString(),
      });
      expectOAuthError(revoke, 401, 'invalid_client');
    },
  );

  it.each(MALFORMED_CLIENT_IDS.map((id) => [printable(id), id]))(
    '%s: the 400 error page, no redirect, on both authorization pages in both languages',
    async (_name, clientId) => {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'aisp',
        state: 's',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      for (const path of [
        '/oauth2/fr/sandbox/signin.html',
        '/oauth2/en/sandbox/signin.html',
        '/oauth2/fr/banque/oauth2_authorization.aspx',
        '/oauth2/en/banque/oauth2_authorization.aspx',
      ]) {
        expectErrorPage(await e2e.call(undefined, `${path}?${query}`), 400);
      }
    },
  );

  it.each(MALFORMED_CLIENT_IDS.map((id) => [printable(id), id]))(
    '%s: RFC 7592 GET, PUT and DELETE answer 401 invalid_token',
    async (_name, clientId) => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const result = await e2e.call('tpp-a', `/oauth2/register/${encodeURIComponent(clientId)}`, {
          method,
          headers: { authorization: `Bearer ${registered.token}`, ...JSON_BODY },
          ...(method === 'PUT' ? { body: JSON.stringify({ client_id: clientId }) } : {}),
        });
        // An encoded slash never reaches the service: the edge refuses it (Envoy's REJECT_REQUEST).
        if (clientId.includes('/')) expectOAuthError(result, 400, 'invalid_request');
        else expectOAuthError(result, 401, 'invalid_token');
      }
    },
  );
});

describe('an undecodable percent-escape in the path', () => {
  it('GET /oauth2/register/%E0%A4%A is 400 invalid_request, with a certificate or without', async () => {
    for (const qwac of ['tpp-a', undefined] as const) {
      const result = await e2e.call(qwac, '/oauth2/register/%E0%A4%A', {
        headers: { authorization: `Bearer ${registered.token}` },
      });
      expectOAuthError(result, 400, 'invalid_request');
    }
  });

  it('on every route prefix: never a 5xx; JSON invalid_request on APIs, the error page on pages', async () => {
    const pages = [
      '/oauth2/fr/%FF',
      '/oauth2/en/%E0%A4%A',
      '/oauth2/fr/sandbox/%FF',
      '/oauth2/fr/banque/%E0%A4%A',
      '/oauth2/en/static/%FF',
    ];
    const apis = ['/oauth2/register/%FF', '/oauth2/register/%C0%AF'];
    const anywhere = [
      '/oauth2/register/a%E0%A4%A/b',
      '/oauth2/token/%FF',
      '/oauth2/revoke/%FF',
      '/oauth2/introspect%FF',
      '/.well-known/%FF',
    ];
    const fetch = e2e.system.client('tpp-a');
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      for (const path of pages) {
        const result = await fetch(path, { method });
        expect({ path, method, status: result.status }).toEqual({ path, method, status: 400 });
        expectErrorPage(result, 400);
      }
      for (const path of apis) {
        const result = await fetch(path, { method });
        expect({ path, method, status: result.status }).toEqual({ path, method, status: 400 });
        expect(result.json().error).toBe('invalid_request');
      }
      for (const path of anywhere) {
        const result = await fetch(path, { method });
        expect({ path, method, status: result.status < 500 }).toEqual({ path, method, status: true });
      }
    }
  });
});

describe('deeply nested JSON in registration metadata', () => {
  /** `{"keys":[{"kty":"RSA","n":[[[…]]]}]}`, the array `levels` deep: about 2 bytes a level. */
  const deepJwks = (levels: number) =>
    `{"keys":[{"kty":"RSA","n":${'['.repeat(levels)}${']'.repeat(levels)}}]}`;
  const metadata = (jwks: string, extra = '') =>
    `{"redirect_uris":["${REDIRECT_URI}"],"grant_types":["authorization_code","refresh_token"],"scope":"aisp"${extra},"jwks":${jwks}}`;

  it('POST /oauth2/register with a jwks nested 6000 levels: 400 invalid_client_metadata', async () => {
    const result = await e2e.call('tpp-a', '/oauth2/register', {
      method: 'POST',
      headers: JSON_BODY,
      body: metadata(deepJwks(6000)),
    });
    expectOAuthError(result, 400, 'invalid_client_metadata');
  });

  it('PUT /oauth2/register/{id} with a jwks nested 6000 levels: 400 invalid_client_metadata', async () => {
    const result = await e2e.call('tpp-a', `/oauth2/register/${registered.clientId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${registered.token}`, ...JSON_BODY },
      body: metadata(deepJwks(6000), `,"client_id":"${registered.clientId}"`),
    });
    expectOAuthError(result, 400, 'invalid_client_metadata');
  });

  it('a raw body nested 6000 levels deep (arrays or objects, within the body limit): 400, never a stack overflow', async () => {
    for (const [open, close, levels] of [
      ['[', ']', 6000],
      ['{"a":', '}', 5000],
    ] as const) {
      {
        const result = await e2e.call('tpp-a', '/oauth2/register', {
          method: 'POST',
          headers: JSON_BODY,
          body: `${open.repeat(levels)}1${close.repeat(levels)}`,
        });
        expect(result.status).toBe(400);
        expect(['invalid_client_metadata', 'invalid_request']).toContain(result.json().error);
      }
    }
  });
});

describe('a content-coded body (Content-Encoding other than identity): 415 everywhere', () => {
  /** Codings with a body that does not honour them (plain, corrupt), and one honoured: all refused alike. */
  const CODED: readonly (readonly [string, string | Buffer])[] = [
    ['gzip', 'a=b'],
    ['deflate', 'a=b'],
    ['br', Buffer.from([0xff, 0xfe, 0x00])],
    ['gzip', gzipSync('a=b')],
  ];

  it('token, introspection, revocation and registration: 415 invalid_request JSON', async () => {
    const endpoints = [
      ['/oauth2/token', FORM],
      ['/oauth2/introspect', FORM],
      ['/oauth2/revoke', FORM],
      ['/oauth2/register', JSON_BODY],
    ] as const;
    for (const [path, type] of endpoints) {
      for (const [coding, body] of CODED) {
        // Introspection is on the internal listener only (the bank's API), the rest on the public one.
        const call = path === '/oauth2/introspect' ? e2e.callInternal : e2e.call;
        const result = await call('tpp-a', path, {
          method: 'POST',
          headers: { ...type, 'content-encoding': coding },
          body,
        });
        expect({ path, coding, status: result.status, error: result.json().error }).toEqual({
          path,
          coding,
          status: 415,
          error: 'invalid_request',
        });
      }
    }
  });

  it("the authorization pages' form posts: the 415 error page", async () => {
    const posts = ['sandbox/consent', 'banque/signin', 'banque/otp', 'banque/consent'];
    for (const post of posts) {
      for (const [coding, body] of CODED) {
        const result = await e2e.call(undefined, `/oauth2/fr/${post}`, {
          method: 'POST',
          headers: { ...FORM, 'content-encoding': coding },
          body,
        });
        expectErrorPage(result, 415);
      }
    }
  });
});

afterAll(() => {
  expect(e2e.checked()).toBeGreaterThan(0);
  expect(e2e.violations).toEqual([]);
});
