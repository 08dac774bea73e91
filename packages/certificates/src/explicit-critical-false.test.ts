import { KeyObject, sign, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { AsnConvert } from '@peculiar/asn1-schema';
import { createCertificateAuthority, type IssuedCertificate, issueQwac } from '@psd2/test-pki';
import { CertificateAsEncoded } from './certificate-schema.js';
import { codeOf } from './error-code.test-support.js';
import { parseQwac } from './qwac.js';

/*
 * A QWAC whose QCStatements extension encodes `critical BOOLEAN FALSE` explicitly, which DER forbids
 * (a DEFAULT value) but issuers do; signed again by its CA so that it is a valid certificate.
 */

/** The DER of OID 1.3.6.1.5.5.7.1.3, id-pe-qcStatements, then BOOLEAN FALSE. */
const QC_STATEMENTS_CRITICAL_FALSE = '06082b06010505070103010100';

let qwac: IssuedCertificate;
let caPublicKey: KeyObject;
let explicit: Uint8Array;
beforeAll(async () => {
  const ca = await createCertificateAuthority();
  caPublicKey = KeyObject.from(ca.keys.publicKey);
  qwac = await issueQwac(ca, { roles: ['PSP_AI', 'PSP_PI'] });
  const certificate = AsnConvert.parse(qwac.der, CertificateAsEncoded);
  for (const extension of certificate.tbsCertificate.extensions ?? []) {
    if (extension.extnID === '1.3.6.1.5.5.7.1.3') extension.critical = false;
  }
  const tbs = Buffer.from(AsnConvert.serialize(certificate.tbsCertificate));
  const signature = sign('sha256', tbs, { key: KeyObject.from(ca.keys.privateKey), dsaEncoding: 'der' });
  certificate.signatureValue = new Uint8Array(signature).buffer;
  explicit = new Uint8Array(AsnConvert.serialize(certificate));
});

/** The identity without what hashes the DER, which differs by the three bytes. */
function identityOf(der: Uint8Array): object {
  const { x5tS256: _x5t, sha256: _sha256, ...identity } = parseQwac(der);
  return identity;
}

describe('an extension whose critical FALSE is encoded', () => {
  it('is a certificate OpenSSL reads and whose signature holds', () => {
    expect(Buffer.from(explicit).toString('hex')).toContain(QC_STATEMENTS_CRITICAL_FALSE);
    expect(new X509Certificate(explicit).verify(caPublicKey)).toBe(true);
  });

  it('is accepted, with the identity of the same certificate without it', () => {
    expect(identityOf(explicit)).toEqual(identityOf(qwac.der));
    expect(parseQwac(explicit).roles).toEqual(['PSP_AI', 'PSP_PI']);
  });

  it('still refuses a critical TRUE that is not DER (01 instead of FF)', () => {
    const hex = Buffer.from(explicit).toString('hex');
    const berTrue = hex.replace(
      QC_STATEMENTS_CRITICAL_FALSE,
      QC_STATEMENTS_CRITICAL_FALSE.replace(/00$/, '01'),
    );
    expect(codeOf(() => parseQwac(new Uint8Array(Buffer.from(berTrue, 'hex'))))).toBe('ERR_CERT_MALFORMED');
  });
});
