import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority } from '@psd2/test-pki';
import { isNewer, parseCrl } from './crl-check.js';
import { x509 } from './crl-x509.js';

/* Which CRL supersedes which: the CRL number when both carry one (RFC 5280 §5.2.3), else thisUpdate. */

const ca = await createCertificateAuthority({ commonName: 'Numbered CA' });

async function crl(minutesAgo: number, number?: number) {
  const thisUpdate = new Date(Date.now() - minutesAgo * 60_000);
  const generated = await x509.X509CrlGenerator.create({
    issuer: ca.name,
    thisUpdate,
    nextUpdate: new Date(thisUpdate.getTime() + 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    signingKey: ca.keys.privateKey,
    // CRLNumber: an INTEGER (tag 2, length 1, value).
    extensions:
      number === undefined ? [] : [new x509.Extension('2.5.29.20', false, new Uint8Array([2, 1, number]))],
  });
  return parseCrl(Buffer.from(generated.rawData));
}

describe('isNewer', () => {
  it('follows the CRL number when both have one, whatever their thisUpdate says', async () => {
    const inForce = await crl(60, 5);
    expect(inForce.crlNumber).toBe(5n);
    expect(isNewer(await crl(30, 4), inForce)).toBe(false);
    expect(isNewer(await crl(90, 6), inForce)).toBe(true);
    expect(isNewer(await crl(30, 5), inForce)).toBe(false);
  });

  it('compares thisUpdate when a CRL has no number', async () => {
    const inForce = await crl(60);
    expect(inForce.crlNumber).toBeUndefined();
    expect(isNewer(await crl(30), inForce)).toBe(true);
    expect(isNewer(await crl(90, 9), inForce)).toBe(false);
  });
});
