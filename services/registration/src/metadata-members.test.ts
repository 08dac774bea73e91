import { describe, expect, it } from '@jest/globals';
import { InvalidSoftwareStatementError, safeDescription } from '@psd2/oauth-errors';
import {
  checkHttpsUri,
  checkJwks,
  checkUpdateFields,
  readLocalizedNames,
  readString,
  readStringList,
  refuseClientSecret,
  refuseSoftwareStatement,
  requireJsonObject,
} from './metadata.js';
import { metadataRefusal, refusal } from './metadata.test-support.js';

/* RFC 7591 client metadata, reading the members: structure, value types, URIs, jwks, localised names. */

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
