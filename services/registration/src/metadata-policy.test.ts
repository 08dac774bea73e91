import { describe, expect, it } from '@jest/globals';
import { InvalidClientMetadataError } from '@psd2/oauth-errors';
import {
  checkAuthMethod,
  checkGrantAndResponseTypesAgree,
  checkGrantTypes,
  checkRedirectUri,
  checkRedirectUris,
  checkResponseTypes,
  checkScope,
  checkScopeMatchesGrantTypes,
  checkSubjectDn,
} from './metadata.js';
import { context, metadataRefusal, redirectRefusal, SUBJECT } from './metadata.test-support.js';

/* RFC 7591 client metadata, registration's policy: grants, response types, authentication, subject DN, scopes, redirect URIs. */

describe('RFC 7591 §2 grant_types', () => {
  it('defaults to authorization_code', () => {
    expect(checkGrantTypes(undefined)).toEqual(['authorization_code']);
  });
  it.each([['implicit'], ['password'], ['urn:ietf:params:oauth:grant-type:jwt-bearer']])(
    'refuses the unsupported %s',
    (grant) => {
      expect(metadataRefusal(() => checkGrantTypes([grant])).description).toContain(grant);
    },
  );
  it('refuses an empty list', () => {
    expect(metadataRefusal(() => checkGrantTypes([])).description).toContain('empty');
  });
});

describe('RFC 7591 §2 response_types', () => {
  it('follows the grant types when omitted', () => {
    expect(checkResponseTypes(undefined, ['authorization_code', 'refresh_token'])).toEqual(['code']);
    expect(checkResponseTypes(undefined, ['client_credentials'])).toEqual([]);
  });
  it('accepts only code', () => {
    expect(
      metadataRefusal(() => checkResponseTypes(['token'], ['authorization_code'])).description,
    ).toContain('only');
  });
});

describe('RFC 7591 §2.1: grant types and response types agree', () => {
  it('refuses authorization_code without code', () => {
    expect(
      metadataRefusal(() => checkGrantAndResponseTypesAgree(['authorization_code'], [])).description,
    ).toContain('must include');
  });
  it('refuses code without authorization_code', () => {
    expect(
      metadataRefusal(() => checkGrantAndResponseTypesAgree(['client_credentials'], ['code'])).description,
    ).toContain('authorization_code');
  });
  it('accepts the consistent pairs', () => {
    expect(() => checkGrantAndResponseTypesAgree(['authorization_code'], ['code'])).not.toThrow();
    expect(() => checkGrantAndResponseTypesAgree(['client_credentials'], [])).not.toThrow();
  });
});

describe('RFC 8705 §2.1: token_endpoint_auth_method', () => {
  it('defaults to and accepts only tls_client_auth', () => {
    expect(checkAuthMethod(undefined)).toBe('tls_client_auth');
    expect(checkAuthMethod('tls_client_auth')).toBe('tls_client_auth');
    expect(metadataRefusal(() => checkAuthMethod('client_secret_basic')).description).toContain(
      'tls_client_auth',
    );
  });
});

describe('RFC 8705 §2.1.2: tls_client_auth_subject_dn', () => {
  it('defaults to the presented certificate subject', () => {
    expect(checkSubjectDn(undefined, context)).toBe(SUBJECT);
  });
  it('accepts another spelling of the same DN', () => {
    const spelled = SUBJECT.replace(/,/g, ', ').replace('CN=', 'cn=');
    expect(checkSubjectDn(spelled, context)).toBe(spelled);
  });
  it('refuses a DN the presented certificate does not carry', () => {
    expect(metadataRefusal(() => checkSubjectDn('CN=Someone else,C=FR', context)).description).toContain(
      'subject of the certificate presented',
    );
  });
  it('on update, replaces the DN read before a renewal with the new certificate subject (RFC 7592 §2.2)', () => {
    const update = { ...context, update: { clientId: 'abc', currentSubjectDn: 'CN=Old,C=FR' } };
    expect(checkSubjectDn('CN=Old,C=FR', update)).toBe(SUBJECT);
    expect(() => checkSubjectDn('CN=Other,C=FR', update)).toThrow(InvalidClientMetadataError);
  });
});

describe('RFC 7591 §2 scope and the certificate PSD2 roles', () => {
  it('is required', () => {
    expect(metadataRefusal(() => checkScope(undefined, ['PSP_AI'])).description).toContain(
      'scope is required',
    );
  });
  it('refuses malformed and unknown scopes', () => {
    expect(metadataRefusal(() => checkScope('aisp "x"', ['PSP_AI'])).description).toContain('scope');
    expect(metadataRefusal(() => checkScope('payments', ['PSP_AI'])).description).toContain('payments');
  });
  it.each([
    ['aisp', ['PSP_PI'], 'PSP_AI'],
    ['extended_transaction_history aisp', ['PSP_IC'], 'PSP_AI'],
    ['cbpii', ['PSP_AI'], 'PSP_IC'],
    ['pisp', ['PSP_AI', 'PSP_IC'], 'PSP_PI'],
  ] as const)('refuses %s without its role', (scope, roles, role) => {
    expect(metadataRefusal(() => checkScope(scope, roles)).description).toContain(role);
  });
  it('refuses extended_transaction_history without aisp', () => {
    expect(
      metadataRefusal(() => checkScope('extended_transaction_history', ['PSP_AI'])).description,
    ).toContain('aisp');
  });
  it('returns the scopes in canonical order when the roles allow them', () => {
    expect(checkScope('pisp aisp', ['PSP_AI', 'PSP_PI'])).toEqual(['aisp', 'pisp']);
  });
});

describe('PSD2 scopes and grant types go together', () => {
  it('pisp is obtained with client_credentials or authorization_code', () => {
    for (const grants of [
      ['client_credentials'],
      ['authorization_code'],
      ['authorization_code', 'client_credentials'],
    ] as const)
      expect(() => checkScopeMatchesGrantTypes(['pisp'], grants)).not.toThrow();
    expect(
      metadataRefusal(() => checkScopeMatchesGrantTypes(['pisp'], ['refresh_token'])).description,
    ).toContain('client_credentials or authorization_code');
  });
  it('never gives a pisp-only client refresh_token', () => {
    for (const grants of [
      ['authorization_code', 'refresh_token'],
      ['client_credentials', 'refresh_token'],
    ] as const)
      expect(metadataRefusal(() => checkScopeMatchesGrantTypes(['pisp'], grants)).description).toContain(
        'must not include refresh_token',
      );
  });
  it('aisp and cbpii need authorization_code and refresh_token', () => {
    expect(
      metadataRefusal(() => checkScopeMatchesGrantTypes(['aisp'], ['authorization_code'])).description,
    ).toContain('refresh_token');
    expect(
      metadataRefusal(() => checkScopeMatchesGrantTypes(['cbpii'], ['refresh_token'])).description,
    ).toContain('authorization_code');
  });
  it('refuses a grant no scope uses', () => {
    expect(
      metadataRefusal(() =>
        checkScopeMatchesGrantTypes(['aisp'], ['authorization_code', 'refresh_token', 'client_credentials']),
      ).description,
    ).toContain('must not include client_credentials');
  });
  it('accepts mixed clients: refresh_token is for aisp, pisp by the code or client credentials', () => {
    for (const grants of [
      ['authorization_code', 'refresh_token', 'client_credentials'],
      ['authorization_code', 'refresh_token'],
    ] as const)
      expect(() => checkScopeMatchesGrantTypes(['aisp', 'pisp'], grants)).not.toThrow();
  });
});

describe('RFC 7591 §2 redirect_uris, RFC 6749 §3.1.2, RFC 9700 §4.1', () => {
  it('are required with authorization_code', () => {
    expect(redirectRefusal(() => checkRedirectUris(undefined, ['authorization_code'])).description).toContain(
      'required',
    );
    expect(redirectRefusal(() => checkRedirectUris([], ['authorization_code'])).description).toContain(
      'required',
    );
  });
  it('are refused without authorization_code', () => {
    expect(
      metadataRefusal(() => checkRedirectUris(['https://a.example/cb'], ['client_credentials'])).description,
    ).toContain('authorization_code');
    expect(checkRedirectUris(undefined, ['client_credentials'])).toEqual([]);
  });
  it.each([
    ['http://app.example.com/cb', 'https'],
    ['/cb', 'absolute'],
    ['app.example.com/cb', 'absolute'],
    ['https://app.example.com/cb#frag', 'fragment'],
    ['https://app.example.com/cb#', 'fragment'],
    ['https://*.example.com/cb', 'wildcard'],
    ['https://app.example.com/*', 'wildcard'],
    ['https://user:pw@app.example.com/cb', 'user information'],
    ['https://app.example.com/c b', 'printable ASCII'],
    [' https://app.example.com/cb', 'printable ASCII'],
    ['https://app.example.com/café', 'printable ASCII'],
    ['custom.scheme:/cb', 'https'],
  ])('refuses %s (%s)', (uri, message) => {
    expect(redirectRefusal(() => checkRedirectUri(uri)).description).toContain(message);
  });
  it('keeps URIs exactly as sent, for exact matching', () => {
    const uris = ['https://App.Example.com:443/cb?x=1', 'https://app.example.com/cb/'];
    expect(checkRedirectUris(uris, ['authorization_code'])).toEqual(uris);
  });
});
