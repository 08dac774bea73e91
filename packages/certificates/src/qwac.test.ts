import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueQwac,
  PSD2_ROLE_OIDS,
  type QwacOptions,
} from '@psd2/test-pki';
import { codeOf } from './error-code.test-support.js';
import { derFromPem } from './pem.js';
import { parseQwac, readQwac } from './qwac.js';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createCertificateAuthority();
});

const DAY = 24 * 60 * 60 * 1000;

async function qwac(options: QwacOptions = {}): Promise<string> {
  return (await issueQwac(ca, options)).certificatePem;
}

describe('readQwac', () => {
  it('extracts the TPP identity from an ETSI TS 119 495 QWAC', async () => {
    const subject = {
      organizationIdentifier: 'PSDFR-ACPR-12345',
      organizationName: 'Demo TPP A',
      commonName: 'api.tpp-a.example',
      roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'],
      ncaName: 'Autorité de contrôle prudentiel et de résolution',
      ncaId: 'FR-ACPR',
    } satisfies QwacOptions;
    const issued = await issueQwac(ca, subject);
    const identity = readQwac(issued.certificatePem);
    expect(identity).toMatchObject({
      ...subject,
      subjectDn: 'CN=api.tpp-a.example,organizationIdentifier=PSDFR-ACPR-12345,O=Demo TPP A,C=FR',
      issuerDn: 'CN=PSD2 Test QTSP CA,O=PSD2 Test QTSP,C=FR',
      x5tS256: issued.x5tS256,
    });
    const node = new X509Certificate(issued.certificatePem);
    expect(identity.sha256).toBe(node.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(identity.serialNumber).toBe(node.serialNumber.toLowerCase());
    expect(identity.notAfter.toISOString()).toBe(new Date(node.validTo).toISOString());
    expect(Object.isFrozen(identity)).toBe(true);
  });

  it('accepts DER as well as PEM', async () => {
    const pem = await qwac();
    expect(readQwac(derFromPem(pem)).organizationIdentifier).toBe('PSDFR-ACPR-12345');
  });

  it('reads roles by OID whatever their names say', async () => {
    const identity = readQwac(
      await qwac({
        roles: [
          { oid: PSD2_ROLE_OIDS.PSP_AI, name: 'Account Information' },
          { oid: PSD2_ROLE_OIDS.PSP_PI, name: 'Payment Initiation' },
          { oid: PSD2_ROLE_OIDS.PSP_AS, name: 'PSP_IC' }, // a misleading name: the OID says PSP_AS
          { oid: '1.2.3.4.5', name: 'Some future role' },
          { oid: PSD2_ROLE_OIDS.PSP_AI, name: 'AISP again' },
        ],
      }),
    );
    expect(identity.roles).toEqual(['PSP_AI', 'PSP_PI', 'PSP_AS']);
    expect(identity.rolesOfPsp.map((role) => role.name)).toEqual([
      'Account Information',
      'Payment Initiation',
      'PSP_IC',
      'Some future role',
      'AISP again',
    ]);
  });

  it('reads an RSA QWAC and escapes the DN as RFC 4514 asks', async () => {
    const identity = readQwac(
      await qwac({ keyAlgorithm: 'RSA-2048', organizationName: 'Dupont, Fils & Cie', commonName: '#1 TPP ' }),
    );
    expect(identity.subjectDn).toBe(
      'CN=\\#1 TPP\\ ,organizationIdentifier=PSDFR-ACPR-12345,O=Dupont\\, Fils & Cie,C=FR',
    );
    expect(identity.organizationName).toBe('Dupont, Fils & Cie');
  });

  it('refuses an expired certificate, and one not yet valid', async () => {
    const now = Date.now();
    const expired = await qwac({ notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - DAY) });
    const future = await qwac({ notBefore: new Date(now + DAY), notAfter: new Date(now + 400 * DAY) });
    expect(codeOf(() => readQwac(expired))).toBe('ERR_CERT_EXPIRED');
    expect(codeOf(() => readQwac(future))).toBe('ERR_CERT_NOT_YET_VALID');
    // Both bounds are part of the validity period (RFC 5280 §4.1.2.5).
    const identity = parseQwac(future);
    expect(codeOf(() => readQwac(future, { now: identity.notBefore }))).toBeUndefined();
    expect(codeOf(() => readQwac(future, { now: identity.notAfter }))).toBeUndefined();
    expect(codeOf(() => readQwac(future, { now: new Date(identity.notAfter.getTime() + 1000) }))).toBe(
      'ERR_CERT_EXPIRED',
    );
  });

  it('refuses a certificate without the PSD2 statement', async () => {
    const pem = await qwac({ psd2Statement: false });
    expect(codeOf(() => readQwac(pem))).toBe('ERR_CERT_NO_PSD2_STATEMENT');
  });

  it.each([
    ['a QSealC', ['eseal'] as const],
    ['an e-signature certificate', ['esign'] as const],
    ['web and seal at once', ['web', 'eseal'] as const],
    ['no QcType statement', [] as const],
  ])('refuses %s for mTLS', async (_case, qcTypes) => {
    const pem = await qwac({ qcTypes });
    expect(codeOf(() => readQwac(pem))).toBe('ERR_CERT_NOT_WEB_AUTHENTICATION');
  });

  it('says so when a QSealC is refused', async () => {
    try {
      readQwac(await qwac({ qcTypes: ['eseal'] }));
    } catch (error) {
      expect(String(error)).toContain('QSealC');
      return;
    }
    throw new Error('expected a refusal');
  });

  it.each([
    ['missing', null],
    ['a VAT number', 'VATFR-12345678901'],
    ['lower-case country', 'PSDfr-ACPR-12345'],
    ['no authorisation number', 'PSDFR-ACPR-'],
    ['an NCA id too long', 'PSDFR-ABCDEFGHI-1'],
    ['an NCA id too short', 'PSDFR-A-1'],
  ])('refuses an organizationIdentifier that is %s', async (_case, organizationIdentifier) => {
    const pem = await qwac({ organizationIdentifier });
    expect(codeOf(() => readQwac(pem))).toBe('ERR_CERT_ORGANIZATION_IDENTIFIER');
  });

  it('accepts the organizationIdentifier forms ETSI TS 119 495 allows', async () => {
    for (const id of ['PSDBE-NBB-0123456789', 'PSDDE-BAFIN-123456', 'PSDFR-ACPR-12345-extra']) {
      expect(readQwac(await qwac({ organizationIdentifier: id })).organizationIdentifier).toBe(id);
    }
  });

  it('refuses a PSD2 statement that names no known role', async () => {
    const pem = await qwac({ roles: [] });
    expect(codeOf(() => readQwac(pem))).toBe('ERR_CERT_PSD2_STATEMENT_INVALID');
    const unknown = await qwac({ roles: [{ oid: '1.2.3', name: 'PSP_AI' }] });
    expect(codeOf(() => readQwac(unknown))).toBe('ERR_CERT_PSD2_STATEMENT_INVALID');
  });

  it.each([
    ['text that is not PEM', 'hello'],
    ['a private key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ['base64 that is not DER', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['characters outside base64', '-----BEGIN CERTIFICATE-----\nMII*AAAA\n-----END CERTIFICATE-----\n'],
  ])('refuses %s as malformed', (_case, pem) => {
    expect(codeOf(() => readQwac(pem))).toBe('ERR_CERT_MALFORMED');
  });

  it('refuses two certificates where one is expected, and truncated DER', async () => {
    const pem = await qwac();
    expect(codeOf(() => readQwac(pem + pem))).toBe('ERR_CERT_MALFORMED');
    const der = derFromPem(pem);
    expect(codeOf(() => readQwac(der.subarray(0, der.length - 10)))).toBe('ERR_CERT_MALFORMED');
    const trailing = new Uint8Array([...der, 0]);
    expect(codeOf(() => readQwac(trailing))).toBe('ERR_CERT_MALFORMED');
  });
});
