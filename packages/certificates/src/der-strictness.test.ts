import { beforeAll, describe, expect, it } from '@jest/globals';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  type Extension,
  Version,
} from '@peculiar/asn1-x509';
import { createCertificateAuthority, issueQwac } from '@psd2/test-pki';
import { codeOf } from './error-code.test-support.js';
import { derFromPem } from './pem.js';
import { QcStatements } from './qc-statement-schemas.js';
import { distinguishedNames, parseQwac } from './qwac.js';

/*
 * What the parser refuses or reads beyond what the test PKI issues: certificates altered after signing
 * (the signature is the edge's business, so they still parse), and bytes that are BER but not DER.
 */

let der: Uint8Array;
beforeAll(async () => {
  const ca = await createCertificateAuthority();
  der = derFromPem((await issueQwac(ca, { roles: ['PSP_AI'] })).certificatePem);
});

const QC_STATEMENTS = '1.3.6.1.5.5.7.1.3';
const PSD2_STATEMENT = '0.4.0.19495.2';
const ORGANIZATION_NAME = '2.5.4.10';
const ORGANIZATION_IDENTIFIER = '2.5.4.97';
/** The DER of OID 0.4.0.19495.1.3, id-psd2-role-psp-ai. */
const PSP_AI = '060704008198270103';
const INTEGER_5 = '020105';
const UTF8_A = '0c0141';
const VISIBLE_AI = '1a024149';
const BMP_N = '1e02004e';
const PRINTABLE_FR_X = '130446522d58';

/** `der` decoded, changed by `change`, and encoded again. */
function altered(change: (certificate: Certificate) => void): Uint8Array {
  const certificate = AsnConvert.parse(der, Certificate);
  change(certificate);
  return new Uint8Array(AsnConvert.serialize(certificate));
}

function extensionsOf(certificate: Certificate): Extension[] {
  const extensions = certificate.tbsCertificate.extensions;
  if (extensions === undefined) throw new Error('the test QWAC has extensions');
  return extensions;
}

/** The certificate with the PSD2 statement's info replaced by `info` (hex). */
function withPsd2Info(info: string): Uint8Array {
  return altered((certificate) => {
    const extension = extensionsOf(certificate).find((candidate) => candidate.extnID === QC_STATEMENTS);
    if (extension === undefined) throw new Error('the test QWAC has QCStatements');
    const statements = AsnConvert.parse(extension.extnValue.buffer, QcStatements);
    for (const statement of statements) {
      if (statement.statementId === PSD2_STATEMENT)
        statement.statementInfo = new Uint8Array(Buffer.from(info, 'hex')).buffer;
    }
    extension.extnValue = new OctetString(AsnConvert.serialize(statements));
  });
}

/** Replaces the subject's `type` attribute with one whose value has the DER `encoding`. */
function setAttribute(certificate: Certificate, type: string, encoding: number[]): void {
  const value = new AttributeValue({ anyValue: new Uint8Array(encoding).buffer });
  for (const rdn of certificate.tbsCertificate.subject) {
    const index = rdn.findIndex((attribute) => attribute.type === type);
    if (index !== -1) rdn[index] = new AttributeTypeAndValue({ type, value });
  }
}

describe('parseQwac on altered certificates', () => {
  it('reads the unaltered re-encoding as the original', () => {
    expect(parseQwac(altered(() => undefined)).organizationIdentifier).toBe(
      parseQwac(der).organizationIdentifier,
    );
  });

  it('refuses BER that is not DER: an indefinite length, a non-minimal length', () => {
    const body = der.subarray(4); // 30 82 hi lo: the certificate's header
    const indefinite = new Uint8Array([0x30, 0x80, ...body, 0, 0]);
    const longer = new Uint8Array([0x30, 0x83, 0, der[2] ?? 0, der[3] ?? 0, ...body]);
    expect(codeOf(() => parseQwac(indefinite))).toBe('ERR_CERT_MALFORMED');
    expect(codeOf(() => parseQwac(longer))).toBe('ERR_CERT_MALFORMED');
  });

  it('refuses a field the Certificate SEQUENCE does not have', () => {
    const length = ((der[2] ?? 0) << 8) + (der[3] ?? 0) + 2;
    const extra = new Uint8Array([0x30, 0x82, length >> 8, length & 0xff, ...der.subarray(4), 0x05, 0x00]);
    expect(codeOf(() => parseQwac(extra))).toBe('ERR_CERT_MALFORMED');
  });

  it('refuses a certificate that is not v3', () => {
    const v1 = altered((certificate) => {
      certificate.tbsCertificate.version = Version.v1;
    });
    expect(codeOf(() => parseQwac(v1))).toBe('ERR_CERT_MALFORMED');
  });

  it('refuses a repeated extension, and QCStatements that do not decode', () => {
    const repeated = altered((certificate) => {
      const extensions = extensionsOf(certificate);
      const [first] = extensions;
      if (first !== undefined) extensions.push(first);
    });
    expect(codeOf(() => parseQwac(repeated))).toBe('ERR_CERT_MALFORMED');
    const broken = altered((certificate) => {
      const extension = extensionsOf(certificate).find((candidate) => candidate.extnID === QC_STATEMENTS);
      if (extension !== undefined) extension.extnValue = new OctetString([0x30, 0x03, 0x06, 0x01]);
    });
    expect(codeOf(() => parseQwac(broken))).toBe('ERR_CERT_MALFORMED');
  });

  it.each([
    ['NULL', '0500'],
    ['a SEQUENCE OF OID', '300406020102'],
    ['roles without the NCA', '3000'],
    ['a role name that is an INTEGER', `3016300e300c${PSP_AI}${INTEGER_5}${UTF8_A}${UTF8_A}`],
  ])('refuses a PSD2 statement whose info is %s', (_case, info) => {
    expect(codeOf(() => parseQwac(withPsd2Info(info)))).toBe('ERR_CERT_PSD2_STATEMENT_INVALID');
  });

  it('reads role and NCA names in any character string type', () => {
    const info = `301b300f300d${PSP_AI}${VISIBLE_AI}${BMP_N}${PRINTABLE_FR_X}`;
    const identity = parseQwac(withPsd2Info(info));
    expect(identity.rolesOfPsp).toEqual([{ oid: '0.4.0.19495.1.3', name: 'AI' }]);
    expect([identity.ncaName, identity.ncaId]).toEqual(['N', 'FR-X']);
  });
});

describe('distinguished names', () => {
  it('reads a VisibleString value as text', () => {
    const visible = altered((certificate) => {
      setAttribute(certificate, ORGANIZATION_NAME, [0x1a, 2, 0x41, 0x42]);
    });
    expect(parseQwac(visible).organizationName).toBe('AB');
    expect(distinguishedNames(visible).subject).toContain(',O=AB,');
  });

  it('shows a value that is not a string, and a type without a descriptor, as # and hex', () => {
    const numeric = altered((certificate) => {
      setAttribute(certificate, ORGANIZATION_NAME, [0x02, 1, 5]);
      const [rdn] = certificate.tbsCertificate.subject;
      rdn?.push(
        new AttributeTypeAndValue({ type: '2.5.4.15', value: new AttributeValue({ utf8String: 'x' }) }),
      );
    });
    const { subject } = distinguishedNames(numeric);
    expect(subject).toContain(',O=#020105,');
    expect(subject.endsWith('C=FR+2.5.4.15=#0c0178')).toBe(true);
    expect(parseQwac(numeric).organizationName).toBeUndefined();
  });

  it('refuses an organizationIdentifier that is not a string', () => {
    const numeric = altered((certificate) => {
      setAttribute(certificate, ORGANIZATION_IDENTIFIER, [0x02, 1, 5]);
    });
    expect(codeOf(() => parseQwac(numeric))).toBe('ERR_CERT_ORGANIZATION_IDENTIFIER');
  });
});
