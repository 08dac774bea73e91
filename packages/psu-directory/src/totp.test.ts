import { describe, expect, it } from '@jest/globals';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpAt } from './totp.js';

// RFC 6238 Appendix B's SHA-1 key, "12345678901234567890" in ASCII.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890', 'ascii'));

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 Appendix B vectors (last six of the eight digits)', () => {
    expect(totpAt(RFC_SECRET, 59)).toBe('287082');
    expect(totpAt(RFC_SECRET, 1111111109)).toBe('081804');
    expect(totpAt(RFC_SECRET, 1234567890)).toBe('005924');
    expect(totpAt(RFC_SECRET, 2000000000)).toBe('279037');
  });

  it('matches the RFC 4226 Appendix D HOTP vectors', () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    expect([0, 1, 2, 9].map((counter) => hotp(key, counter))).toEqual([
      '755224',
      '287082',
      '359152',
      '520489',
    ]);
  });

  it('round-trips base32', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  });

  it('accepts one step of drift each way and nothing further', () => {
    const now = 1_700_000_000;
    const step = Math.floor(now / 30);
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now), now)).toBe(step);
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now - 30), now)).toBe(step - 1);
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now + 30), now)).toBe(step + 1);
    expect(matchTotp(RFC_SECRET, totpAt(RFC_SECRET, now - 60), now)).toBeUndefined();
    expect(matchTotp(RFC_SECRET, '12345', now)).toBeUndefined();
    expect(matchTotp(RFC_SECRET, 'abcdef', now)).toBeUndefined();
  });

  it('builds an otpauth URI authenticator apps read', () => {
    const uri = new URL(otpauthUri({ issuer: 'Banque Demo', account: 'psu-1', secret: 'ABC' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe('ABC');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Banque Demo:psu-1');
  });
});
