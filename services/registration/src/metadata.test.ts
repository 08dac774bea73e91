import { describe, expect, it } from '@jest/globals';
import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  InvalidSoftwareStatementError,
  type OAuthError,
  safeDescription,
} from '@psd2/oauth-errors';
import {
  checkAuthMethod,
  checkGrantAndResponseTypesAgree,
  checkGrantTypes,
  checkHttpsUri,
  checkJwks,
  checkRedirectUri,
  checkRedirectUris,
  checkResponseTypes,
  checkScope,
  checkScopeMatchesGrantTypes,
  checkSubjectDn,
  checkUpdateFields,
  type MetadataContext,
  readLocalizedNames,
  readString,
  readStringList,
  refuseClientSecret,
  refuseSoftwareStatement,
  requireJsonObject,
  validateClientMetadata,
} from './metadata.js';

const SUBJECT = 'CN=Demo TPP A QWAC,2.5.4.97=PSDFR-ACPR-12345,O=Demo TPP A,C=FR';
const ALL_ROLES = { roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'] as const, subjectDn: SUBJECT };
const context: MetadataContext = { certificate: ALL_ROLES };

/** Runs `work`, expecting an OAuth error of `type`; returns it for its description. */
function refusal(work: () => unknown, type: new (...args: never[]) => OAuthError): OAuthError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as OAuthError;
  }
  throw new Error('expected a refusal');
}

const metadataRefusal = (work: () => unknown) => refusal(work, InvalidClientMetadataError);
const redirectRefusal = (work: () => unknown) => refusal(work, InvalidRedirectUriError);

describe('RFC 7591 §3.1: the body is a JSON object', () => {
  it.each([[null], [[]], ['text'], [42], [true]])('refuses %p', (body) => {
    expect(metadataRefusal(() => requireJsonObject(body)).description).toContain('JSON object');
  });
  it('accepts an object', () => {
    expect(requireJsonObject({ a: 1 })).toEqual({ a: 1 });
  });
});

describe('RFC 7591 §2.3: software statements are not supported', () => {
  it('refuses one with invalid_software_statement, saying so', () => {
    const error = refusal(
      () => refuseSoftwareStatement({ software_statement: 'eyJ...' }),
      InvalidSoftwareStatementError,
    );
    expect(error.description).toContain('not supported');
  });
  it('lets a request without one through', () => {
    expect(() => refuseSoftwareStatement({})).not.toThrow();
  });
});

describe('RFC 8705 §2: no client secret exists', () => {
  it('refuses client_secret', () => {
    expect(metadataRefusal(() => refuseClientSecret({ client_secret: 's' })).description).toContain(
      'client_secret',
    );
  });
});

describe('RFC 7592 §2.2: update fields', () => {
  it('requires the client_id of the URL', () => {
    expect(metadataRefusal(() => checkUpdateFields({}, 'abc')).description).toContain('client_id');
    expect(metadataRefusal(() => checkUpdateFields({ client_id: 'other' }, 'abc')).description).toContain(
      'cannot be changed',
    );
    expect(() => checkUpdateFields({ client_id: 'abc' }, 'abc')).not.toThrow();
  });
  it.each([['registration_access_token'], ['registration_client_uri'], ['client_id_issued_at']])(
    'refuses %s',
    (field) => {
      expect(
        metadataRefusal(() => checkUpdateFields({ client_id: 'abc', [field]: 'x' }, 'abc')).description,
      ).toContain(field);
    },
  );
});

describe('RFC 7591 §2: value types', () => {
  it('reads strings, trimmed, null as absent', () => {
    expect(readString({ a: '  x ' }, 'a', 10)).toBe('x');
    expect(readString({ a: null }, 'a', 10)).toBeUndefined();
    expect(readString({}, 'a', 10)).toBeUndefined();
  });
  it.each([
    [{ a: 1 }, 'must be a string'],
    [{ a: '   ' }, 'must not be empty'],
    [{ a: 'x'.repeat(11) }, 'at most 10'],
  ])('refuses %p', (raw, message) => {
    expect(metadataRefusal(() => readString(raw, 'a', 10)).description).toContain(message);
  });
  it('reads string lists and refuses the malformed ones', () => {
    const limits = { maxItems: 2, maxLength: 5 };
    expect(readStringList({ l: ['a', 'b'] }, 'l', limits)).toEqual(['a', 'b']);
    expect(metadataRefusal(() => readStringList({ l: 'a' }, 'l', limits)).description).toContain('array');
    expect(metadataRefusal(() => readStringList({ l: ['a', 1] }, 'l', limits)).description).toContain(
      'non-empty strings',
    );
    expect(metadataRefusal(() => readStringList({ l: ['a', 'b', 'c'] }, 'l', limits)).description).toContain(
      'at most 2',
    );
    expect(metadataRefusal(() => readStringList({ l: ['a', 'a'] }, 'l', limits)).description).toContain(
      'twice',
    );
    expect(metadataRefusal(() => readStringList({ l: ['abcdef'] }, 'l', limits)).description).toContain(
      'at most 5 characters',
    );
  });
});

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
  it('pisp needs client_credentials', () => {
    expect(
      metadataRefusal(() => checkScopeMatchesGrantTypes(['pisp'], ['authorization_code'])).description,
    ).toContain('client_credentials');
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
  it('accepts mixed clients', () => {
    expect(() =>
      checkScopeMatchesGrantTypes(
        ['aisp', 'pisp'],
        ['authorization_code', 'refresh_token', 'client_credentials'],
      ),
    ).not.toThrow();
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

describe('RFC 7591 §2 URI metadata', () => {
  it('accepts https and refuses anything else', () => {
    expect(checkHttpsUri('https://a.example/logo.png', 'logo_uri')).toBe('https://a.example/logo.png');
    expect(
      metadataRefusal(() => checkHttpsUri('http://a.example/logo.png', 'logo_uri')).description,
    ).toContain('logo_uri');
    expect(metadataRefusal(() => checkHttpsUri('javascript:alert(1)', 'tos_uri')).description).toContain(
      'tos_uri',
    );
  });
});

describe('RFC 7591 §2 jwks, RFC 7517 §5', () => {
  const publicKey = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
  it('accepts a set of public keys', () => {
    expect(checkJwks({ keys: [publicKey] }, undefined)).toEqual({ keys: [publicKey] });
  });
  it('refuses jwks with jwks_uri', () => {
    expect(
      metadataRefusal(() => checkJwks({ keys: [publicKey] }, 'https://a.example/jwks')).description,
    ).toContain('jwks_uri');
  });
  it.each([
    [[], 'JWK Set object'],
    [{}, 'keys'],
    [{ keys: [] }, 'from 1'],
    [{ keys: ['x'] }, 'JWK object'],
    [{ keys: [{ x: 1 }] }, 'kty'],
    [{ keys: [{ ...publicKey, d: 'secret' }] }, 'private member'],
    [{ keys: [{ kty: 'oct', k: 'secret' }] }, 'private member'],
  ])('refuses %p', (jwks, message) => {
    expect(metadataRefusal(() => checkJwks(jwks, undefined)).description).toContain(message);
  });
});

describe('RFC 7591 §2.2 localised client names', () => {
  it('reads client_name#<tag>', () => {
    expect(readLocalizedNames({ 'client_name#fr': 'Mon appli', 'client_name#en': 'My app' })).toEqual({
      fr: 'Mon appli',
      en: 'My app',
    });
    expect(readLocalizedNames({ client_name: 'x' })).toBeUndefined();
  });
  it('refuses a tag that is not a language tag', () => {
    expect(metadataRefusal(() => readLocalizedNames({ 'client_name#f r': 'x' })).description).toContain(
      'language tag',
    );
  });
});

describe('RFC 6749 §5.2: error descriptions use the allowed characters only', () => {
  it('turns quotes, backslashes and non-ASCII into allowed ones', () => {
    expect(safeDescription('a "b" \\ é § 1')).toBe("a 'b' / e section  1");
  });
});

describe('validateClientMetadata', () => {
  const aisp = {
    redirect_uris: ['https://app.example.com/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'aisp',
  };

  it('fills in the defaults', () => {
    expect(validateClientMetadata(aisp, context)).toEqual({
      redirectUris: ['https://app.example.com/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      scope: 'aisp',
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsClientAuthSubjectDn: SUBJECT,
      clientName: undefined,
      clientNameLocalized: undefined,
      contacts: undefined,
      logoUri: undefined,
      clientUri: undefined,
      policyUri: undefined,
      tosUri: undefined,
      jwks: undefined,
      jwksUri: undefined,
      softwareId: undefined,
      softwareVersion: undefined,
    });
  });

  it('takes a pisp client with client_credentials only', () => {
    const metadata = validateClientMetadata({ grant_types: ['client_credentials'], scope: 'pisp' }, context);
    expect(metadata).toMatchObject({
      grantTypes: ['client_credentials'],
      responseTypes: [],
      redirectUris: [],
    });
  });

  it('ignores metadata it does not understand (RFC 7591 §2)', () => {
    expect(() => validateClientMetadata({ ...aisp, frobnicate: 1, 'logo_uri#fr': 2 }, context)).not.toThrow();
  });

  it('checks the update fields only on update', () => {
    const update = { ...context, update: { clientId: 'abc', currentSubjectDn: SUBJECT } };
    expect(() => validateClientMetadata(aisp, update)).toThrow(InvalidClientMetadataError);
    expect(() => validateClientMetadata({ ...aisp, client_id: 'abc' }, update)).not.toThrow();
  });
});
