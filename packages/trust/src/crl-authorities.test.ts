import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority } from '@psd2/test-pki';
import { distributionPointsOf, parseDistributionPointMap, trustedCas } from './crl-authorities.js';
import { x509 } from './crl-x509.js';

/* Which URLs are tried for a CA: the configured ones first, then the CDPs of the certificates it issued. */

async function rootWithCdp(urls: string[]) {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Root With CDP, O=QTSP, C=FR',
    notBefore: new Date(Date.now() - 1000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.CRLDistributionPointsExtension(urls),
    ],
  });
  return certificate.toString('pem');
}

describe('distributionPointsOf', () => {
  it('takes configured URLs by SKI (any case, colons allowed) or by subject, then the http CDPs of what the CA issued', async () => {
    const plain = await createCertificateAuthority({ commonName: 'Plain CA' });
    const withCdp = await rootWithCdp([
      'ldap://ldap.qtsp.example/cn=Root',
      'http://crl.qtsp.example/root.crl',
    ]);
    const cas = trustedCas(plain.certificatePem + withCdp);
    const [plainCa, cdpCa] = cas;
    if (plainCa === undefined || cdpCa === undefined) throw new Error('two CAs expected');
    expect(cdpCa.label).toBe('Root With CDP');
    const skiWithColons = (plainCa.ski.toUpperCase().match(/../g) ?? []).join(':');
    const configured = parseDistributionPointMap({
      [skiWithColons]: ['http://a.example/plain.crl'],
      [plainCa.subject]: ['http://b.example/plain.crl', 'http://a.example/plain.crl'],
      [cdpCa.subject]: ['http://mirror.example/root.crl'],
    });
    expect(distributionPointsOf(plainCa, cas, configured)).toEqual([
      'http://a.example/plain.crl',
      'http://b.example/plain.crl',
    ]);
    expect(distributionPointsOf(cdpCa, cas, configured)).toEqual([
      'http://mirror.example/root.crl',
      'http://crl.qtsp.example/root.crl',
    ]);
    expect(distributionPointsOf(plainCa, cas, {})).toEqual([]);
  });

  it('refuses a malformed distribution-points file', () => {
    expect(() => parseDistributionPointMap([])).toThrow('must be a JSON object');
    expect(() => parseDistributionPointMap({ ab: 'http://x' })).toThrow('"ab" must map to an array of URLs');
  });

  it('refuses a CA bundle without certificates, naming a broken block', () => {
    expect(() => trustedCas('')).toThrow('holds no PEM certificate');
    expect(() => trustedCas('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      'has a certificate that does not parse (block 1 of 1)',
    );
  });
});
