import { describe, expect, it } from '@jest/globals';
import { InvalidClientMetadataError } from '@psd2/oauth-errors';
import { validateClientMetadata } from './metadata.js';
import { checkJwks, jsonDepthExceeds, MAX_METADATA_DEPTH } from './metadata-shape.js';

const SUBJECT = 'CN=Demo TPP A QWAC,2.5.4.97=PSDFR-ACPR-12345,O=Demo TPP A,C=FR';
const context = { certificate: { roles: ['PSP_AI'] as const, subjectDn: SUBJECT } };

/** `levels` arrays inside each other, as JSON.parse would build them from `[[[…]]]`. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
}

function description(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidClientMetadataError);
    return (error as InvalidClientMetadataError).description;
  }
  throw new Error('expected a refusal');
}

const registration = {
  redirect_uris: ['https://tpp.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'aisp',
};
const publicKey = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1', key_ops: ['verify'] };

describe('jsonDepthExceeds', () => {
  it('measures without recursion, so 100 000 levels cannot overflow the stack', () => {
    expect(jsonDepthExceeds(nested(100_000), 6)).toBe(true);
    expect(jsonDepthExceeds(nested(6), 6)).toBe(false);
    expect(jsonDepthExceeds(nested(7), 6)).toBe(true);
    expect(jsonDepthExceeds({ a: { b: 'c' } }, 2)).toBe(false);
    expect(jsonDepthExceeds('scalar', 0)).toBe(false);
  });
});

describe('validateClientMetadata: depth first', () => {
  it('refuses a jwks nested 6000 levels deep, and any other member nested too deep', () => {
    const deepJwks = { keys: [{ kty: 'RSA', n: nested(6000) }] };
    expect(description(() => validateClientMetadata({ ...registration, jwks: deepJwks }, context))).toContain(
      'nested',
    );
    expect(description(() => validateClientMetadata(nested(6000), context))).toContain('nested');
    expect(
      description(() =>
        validateClientMetadata({ ...registration, unknown_extension: nested(MAX_METADATA_DEPTH) }, context),
      ),
    ).toContain('nested');
  });

  it('accepts a registration whose members stay within the depth', () => {
    const metadata = validateClientMetadata({ ...registration, jwks: { keys: [publicKey] } }, context);
    expect(metadata.jwks).toEqual({ keys: [publicKey] });
  });
});

describe('checkJwks: a JWK is a flat object of known members', () => {
  it.each([
    [{ keys: [{ kty: 'RSA', n: { deeper: 'x' } }] }, 'jwks.keys[0].n'],
    [{ keys: [{ kty: 'RSA', n: 'x', e: ['AQAB'] }] }, 'jwks.keys[0].e'],
    [{ keys: [{ kty: 'RSA', x5c: [{ cert: 'x' }] }] }, 'jwks.keys[0].x5c[0]'],
    [{ keys: [{ kty: 'RSA', key_ops: 'verify' }] }, 'jwks.keys[0].key_ops'],
    [{ keys: [{ kty: 'RSA', extension: { nested: true } }] }, 'jwks.keys[0].extension'],
    [{ keys: [{ kty: 'RSA', n: 'x'.repeat(10_000) }] }, 'jwks.keys[0].n'],
  ])('refuses %j', (jwks, path) => {
    expect(description(() => checkJwks(jwks, undefined))).toContain(path);
  });

  it('lets an unknown scalar member through (RFC 7517 §4: ignored) and x5c as strings', () => {
    const key = { kty: 'RSA', n: 'n', e: 'AQAB', x5c: ['MIIB'], ext: true, 'x5t#S256': 't' };
    expect(checkJwks({ keys: [key] }, undefined)).toEqual({ keys: [key] });
  });

  it('refuses a key with too many members', () => {
    const key = Object.fromEntries([['kty', 'RSA'], ...Array.from({ length: 40 }, (_, i) => [`m${i}`, 'v'])]);
    expect(description(() => checkJwks({ keys: [key] }, undefined))).toContain('at most');
  });
});
