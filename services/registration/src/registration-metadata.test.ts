import { describe, expect, it } from '@jest/globals';
import { registrationSystem } from './registration.test-support.js';
import { aispMetadata, JSON_HEADERS, register } from './test-support.js';

/* RFC 7591 metadata refusals end to end: the error code, and a description of what is wrong. */

const sut = registrationSystem();

/**
 * Redirect URIs the service refuses (RFC 6749 §3.1.2, FAPI 2.0 exact matching), with the word the
 * error_description names.
 */
const redirectUriRefusals = (
  [
    ['an http redirect URI', 'http://tpp.example.com/cb', 'https'],
    ['a redirect URI with a fragment', 'https://tpp.example.com/cb#x', 'fragment'],
    ['a wildcard redirect URI', 'https://*.tpp.example.com/cb', 'wildcard'],
    ['a relative redirect URI', '/callback', 'absolute'],
  ] as const
).map(
  ([label, uri, description]) =>
    [label, 'psp-ai', { redirect_uris: [uri] }, 'invalid_redirect_uri', description] as const,
);

describe('POST /oauth2/register (RFC 7591)', () => {
  describe('metadata refusals: the RFC 7591 error and a description of what is wrong', () => {
    it.each([
      [
        'a scope the roles do not allow',
        'psp-ai',
        { scope: 'aisp pisp' },
        'invalid_client_metadata',
        'PSP_PI',
      ],
      ['cbpii without PSP_IC', 'tpp-b', { scope: 'cbpii' }, 'invalid_client_metadata', 'PSP_IC'],
      ['no scope', 'tpp-a', { scope: undefined }, 'invalid_client_metadata', 'scope is required'],
      [
        'pisp with refresh_token',
        'psp-pi',
        { scope: 'pisp' },
        'invalid_client_metadata',
        'must not include refresh_token',
      ],
      [
        'aisp without refresh_token',
        'psp-ai',
        { grant_types: ['authorization_code'] },
        'invalid_client_metadata',
        'refresh_token',
      ],
      [
        'aisp with client_credentials',
        'psp-ai',
        { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] },
        'invalid_client_metadata',
        'client_credentials',
      ],
      ['the implicit grant', 'psp-ai', { grant_types: ['implicit'] }, 'invalid_client_metadata', 'implicit'],
      ['response type token', 'psp-ai', { response_types: ['token'] }, 'invalid_client_metadata', 'code'],
      [
        'grant and response types that disagree',
        'psp-pi',
        {
          scope: 'pisp',
          grant_types: ['client_credentials'],
          response_types: ['code'],
          redirect_uris: undefined,
        },
        'invalid_client_metadata',
        'authorization_code',
      ],
      [
        'another authentication method',
        'psp-ai',
        { token_endpoint_auth_method: 'client_secret_basic' },
        'invalid_client_metadata',
        'tls_client_auth',
      ],
      [
        'another subject DN',
        'psp-ai',
        { tls_client_auth_subject_dn: 'CN=Someone else,C=FR' },
        'invalid_client_metadata',
        'tls_client_auth_subject_dn',
      ],
      ['no redirect URI', 'psp-ai', { redirect_uris: undefined }, 'invalid_redirect_uri', 'required'],
      ...redirectUriRefusals,
      [
        'jwks with jwks_uri',
        'psp-ai',
        { jwks_uri: 'https://tpp.example.com/jwks' },
        'invalid_client_metadata',
        'jwks_uri',
      ],
      [
        'a private key in jwks',
        'psp-ai',
        { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } },
        'invalid_client_metadata',
        'public keys only',
      ],
      [
        'an http logo',
        'psp-ai',
        { logo_uri: 'http://tpp.example.com/logo.png' },
        'invalid_client_metadata',
        'logo_uri',
      ],
      ['a non-string name', 'psp-ai', { client_name: 42 }, 'invalid_client_metadata', 'client_name'],
      [
        'a software statement',
        'psp-ai',
        { software_statement: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
        'invalid_software_statement',
        'not supported',
      ],
      ['a client secret', 'psp-ai', { client_secret: 'hunter2' }, 'invalid_client_metadata', 'client_secret'],
    ] as const)('refuses %s', async (_label, qwac, overrides, error, description) => {
      await sut.expectNothingStored(async () => {
        const response = await register(sut.system, qwac, aispMetadata(overrides));
        expect(response.status).toBe(400);
        expect(response.headers.get('cache-control')).toBe('no-store');
        const body = response.json<{ error: string; error_description: string }>();
        expect(body.error).toBe(error);
        expect(body.error_description).toContain(description);
      });
    });

    it('refuses a second registration of one software_id in the organisation', async () => {
      const metadata = aispMetadata();
      await sut.registered('psp-ai', metadata);
      await sut.expectNothingStored(async () => {
        const response = await register(sut.system, 'psp-ai', metadata);
        expect(response.status).toBe(400);
        expect(response.json()).toMatchObject({ error: 'invalid_client_metadata' });
        expect(response.json<{ error_description: string }>().error_description).toContain('software_id');
      });
    });

    it.each([
      ['malformed JSON', '{"scope": "aisp",', JSON_HEADERS, 400, 'invalid_request'],
      ['a JSON array', '[]', JSON_HEADERS, 400, 'invalid_client_metadata'],
      [
        'a form body',
        'scope=aisp',
        { 'content-type': 'application/x-www-form-urlencoded' },
        415,
        'invalid_request',
      ],
      [
        'a body above the limit',
        JSON.stringify(aispMetadata({ client_name: 'x'.repeat(40_000) })),
        JSON_HEADERS,
        413,
        'invalid_request',
      ],
    ])('refuses %s with a standard error', async (_label, body, headers, status, error) => {
      await sut.expectNothingStored(async () => {
        const response = await sut.system.client('psp-ai')('/oauth2/register', {
          method: 'POST',
          headers,
          body,
        });
        expect(response.status).toBe(status);
        expect(response.json()).toMatchObject({ error });
      });
    });
  });
});
