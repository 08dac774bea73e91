import { Version } from '@peculiar/asn1-x509';
import { CertificateAsEncoded } from './certificate-schema.js';
import { DerError, decodeDer } from './der-decode.js';
import { type DistinguishedName, readName } from './dn.js';
import { OID } from './oids.js';
import { QcStatements } from './qc-statement-schemas.js';

/** What the QWAC checks read from a certificate. */
export interface ParsedCertificate {
  /** Lower-case hex of the serial number's content octets. */
  readonly serialNumber: string;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** statementId → the statementInfo's encoding (null for NULL, undefined when absent); undefined without the extension. */
  readonly qcStatements: ReadonlyMap<string, ArrayBuffer | null | undefined> | undefined;
}

/**
 * RFC 5280 §4.1, decoded by @peculiar/asn1-x509. The signature is not checked: the edge validated the
 * chain before it forwarded the certificate. Throws DerError on anything that is not a DER X.509 v3
 * certificate, an explicit critical FALSE aside (certificate-schema.ts says why).
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const tbs = decodeDer(der, CertificateAsEncoded).tbsCertificate;
  // Extensions, which a QWAC needs, exist only in v3 (RFC 5280 §4.1.2.1).
  if (tbs.version !== Version.v3) throw new DerError('not an X.509 v3 certificate');

  let qcStatements: Map<string, ArrayBuffer | null | undefined> | undefined;
  const seen = new Set<string>();
  for (const extension of tbs.extensions ?? []) {
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (seen.has(extension.extnID)) throw new DerError(`duplicate extension ${extension.extnID}`);
    seen.add(extension.extnID);
    if (extension.extnID === OID.qcStatements) {
      qcStatements = new Map();
      for (const statement of decodeDer(extension.extnValue.buffer, QcStatements)) {
        if (qcStatements.has(statement.statementId)) {
          throw new DerError(`duplicate QCStatement ${statement.statementId}`);
        }
        qcStatements.set(statement.statementId, statement.statementInfo);
      }
    }
  }

  return {
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex'),
    issuer: readName(tbs.issuer),
    subject: readName(tbs.subject),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    qcStatements,
  };
}
