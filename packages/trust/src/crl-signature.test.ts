import { webcrypto } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCrl } from '@psd2/test-pki';
import { trustedCas } from './crl-authorities.js';
import { crlProblem, parseCrl } from './crl-check.js';
import { x509 } from './crl-x509.js';

/*
 * The CRL envelope parser and the signature check, on what QTSPs publish: big CRLs, RSA (PKCS#1
 * v1.5 and PSS) and ECDSA keys, DER and PEM.
 */

const now = new Date();
const hourAgo = new Date(now.getTime() - 3_600_000);
const tomorrow = new Date(now.getTime() + 86_400_000);

async function rsaCa(name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS') {
  const algorithm = { name, hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const signingAlgorithm =
    name === 'RSA-PSS' ? { name, hash: 'SHA-256', saltLength: 32 } : { name, hash: 'SHA-256' };
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name} CA, O=QTSP, C=FR`,
    notBefore: hourAgo,
    notAfter: tomorrow,
    signingAlgorithm,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const crl = await x509.X509CrlGenerator.create({
    issuer: certificate.subject,
    thisUpdate: hourAgo,
    nextUpdate: tomorrow,
    signingAlgorithm,
    signingKey: keys.privateKey,
    entries: [{ serialNumber: '0a', revocationDate: hourAgo }],
  });
  return { certificatePem: certificate.toString('pem'), crlDer: Buffer.from(crl.rawData) };
}

describe('the CRL check', () => {
  it('reads a CRL of 1,500 entries, which a full ASN.1 decode with its default limits refuses', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Big CA' });
    const revoked = Array.from({ length: 1500 }, (_, index) => (index + 0x1000).toString(16));
    const pem = await issueCrl(ca, { revoked, thisUpdate: hourAgo, nextUpdate: tomorrow });
    expect(() => new x509.X509Crl(pem)).toThrow();
    const crl = parseCrl(Buffer.from(pem));
    const [trusted] = trustedCas(ca.certificatePem);
    if (trusted === undefined) throw new Error('one CA expected');
    expect(crlProblem(crl, trusted, now)).toBeUndefined();
    expect(crl.issuer).toBe(trusted.subject);
    expect(crl.thisUpdate.toISOString()).toBe(
      new Date(Math.floor(hourAgo.getTime() / 1000) * 1000).toISOString(),
    );
  });

  it.each(['RSASSA-PKCS1-v1_5', 'RSA-PSS'] as const)(
    'verifies an %s signature, and refuses another key',
    async (name) => {
      const signed = await rsaCa(name);
      const other = await rsaCa(name);
      const [ca] = trustedCas(signed.certificatePem);
      const [otherCa] = trustedCas(other.certificatePem);
      if (ca === undefined || otherCa === undefined) throw new Error('CAs expected');
      expect(crlProblem(parseCrl(signed.crlDer), ca, now)).toBeUndefined();
      // Same name, other key: a forgery.
      expect(crlProblem(parseCrl(signed.crlDer), { ...ca, publicKey: otherCa.publicKey }, now)).toBe(
        "has a signature this CA's key does not verify",
      );
    },
  );

  it("refuses an ECDSA CA's CRL checked against an RSA key, and anything that is not a CRL", async () => {
    const ecdsa = await createCertificateAuthority({ commonName: 'EC CA' });
    const [ca] = trustedCas(ecdsa.certificatePem);
    const rsa = await rsaCa('RSASSA-PKCS1-v1_5');
    const [rsaTrusted] = trustedCas(rsa.certificatePem);
    if (ca === undefined || rsaTrusted === undefined) throw new Error('CAs expected');
    const crl = parseCrl(Buffer.from(await issueCrl(ecdsa)));
    expect(crlProblem(crl, { ...ca, publicKey: rsaTrusted.publicKey }, now)).toBe(
      "has a signature this CA's key does not verify",
    );
    expect(() => parseCrl(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow('is not a CRL');
    expect(() => parseCrl(Buffer.from(ecdsa.certificatePem))).toThrow('is not a CRL');
  });
});
