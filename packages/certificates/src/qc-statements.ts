import { QcType } from '@peculiar/asn1-x509-qualified-etsi';
import { type AnyText, textOf } from './any-text.js';
import { DerError, decodeDer } from './der-decode.js';
import { CertificateError } from './errors.js';
import { OID } from './oids.js';
import { Psd2QcType } from './qc-statement-schemas.js';

/** A role exactly as the certificate states it. */
export interface RoleOfPsp {
  readonly oid: string;
  readonly name: string;
}

export interface Psd2Statement {
  readonly rolesOfPsp: RoleOfPsp[];
  readonly ncaName: string;
  readonly ncaId: string;
}

/** A statementInfo as `parseCertificate` hands it over: the encoding, null for NULL, undefined when absent. */
type StatementInfo = ArrayBuffer | null | undefined;

function textIn(value: AnyText): string {
  const text = textOf(value);
  if (text === undefined) throw new DerError('expected a character string');
  return text;
}

/**
 * ETSI TS 119 495 §5.1 PSD2QcType. The names are UTF8String in the ASN.1 module; any character string
 * type is read, because they are informational and a QTSP's encoding slip should not lock a TPP out.
 * The role OIDs decide.
 */
export function readPsd2Statement(info: StatementInfo): Psd2Statement {
  try {
    if (info === undefined || info === null) throw new DerError('PSD2 statement has no statementInfo');
    const statement = decodeDer(info, Psd2QcType);
    return {
      rolesOfPsp: statement.rolesOfPSP.map((role) => ({
        oid: role.roleOfPspOid,
        name: textIn(role.roleOfPspName),
      })),
      ncaName: textIn(statement.nCAName),
      ncaId: textIn(statement.nCAId),
    };
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new CertificateError(
      'ERR_CERT_PSD2_STATEMENT_INVALID',
      `malformed PSD2 statement: ${error.message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * ETSI EN 319 412-5 §4.2.3 QcType. A QWAC (ETSI TS 119 495 §5.1, EN 319 412-4) is marked qct-web; a QSealC
 * (qct-eseal) or an e-signature certificate must not authenticate a TLS client here, so the statement
 * must be present and list web authentication only.
 */
export function checkWebAuthentication(info: StatementInfo): void {
  let types: string[];
  try {
    if (info === undefined || info === null) throw new DerError('no QcType statement');
    types = [...decodeDer(info, QcType)];
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new CertificateError(
      'ERR_CERT_NOT_WEB_AUTHENTICATION',
      `certificate is not a QWAC: ${error.message}`,
    );
  }
  if (types.length === 0 || types.some((type) => type !== OID.qctWeb)) {
    const seal = types.includes(OID.qctEseal) ? ' (a QSealC is not accepted for mTLS)' : '';
    throw new CertificateError(
      'ERR_CERT_NOT_WEB_AUTHENTICATION',
      `QcType is not web authentication${seal}: ${types.join(', ') || 'empty'}`,
    );
  }
}
