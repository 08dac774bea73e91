import { createHash } from 'node:crypto';
import { type ParsedCertificate, parseCertificate } from './certificate.js';
import { DerError } from './der-decode.js';
import { valuesOf } from './dn.js';
import { CertificateError, outcomeOf, settle } from './errors.js';
import { fingerprintOf, memoizeBy } from './memoize.js';
import { OID, type Psd2Role, roleOfOid } from './oids.js';
import { derFromPem } from './pem.js';
import { checkWebAuthentication, type RoleOfPsp, readPsd2Statement } from './qc-statements.js';

export type { RoleOfPsp } from './qc-statements.js';

/** What a verified QWAC says about the TPP presenting it. Frozen: cached identities are shared. */
export interface QwacIdentity {
  /** Subject organizationIdentifier (OID 2.5.4.97): stable across renewals, identifies the TPP. */
  readonly organizationIdentifier: string;
  /** Subject O. */
  readonly organizationName: string | undefined;
  /** Subject CN. */
  readonly commonName: string | undefined;
  /** Known PSD2 roles, recognised by OID, deduplicated, in certificate order. */
  readonly roles: readonly Psd2Role[];
  /** Every role as written (OID and free-text name), unknown OIDs included. */
  readonly rolesOfPsp: readonly RoleOfPsp[];
  /** The competent authority, e.g. "Autorité de contrôle prudentiel et de résolution". */
  readonly ncaName: string;
  /** ETSI TS 119 495 §5.2.3: country code, hyphen, NCA identifier, e.g. "FR-ACPR". */
  readonly ncaId: string;
  /** RFC 4514 subject DN. */
  readonly subjectDn: string;
  readonly issuerDn: string;
  /** Lower-case hex of the serial number's content octets. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** RFC 8705 §3.1 `x5t#S256`: base64url SHA-256 of the DER. */
  readonly x5tS256: string;
  /** Hex SHA-256 of the DER, as Envoy's XFCC `Hash`. */
  readonly sha256: string;
}

/** ETSI TS 119 495 §5.2.1: "PSD", ISO 3166 country, "-", NCA identifier, "-", the PSP's identifier. */
const ORGANIZATION_IDENTIFIER = /^PSD[A-Z]{2}-[A-Z]{2,8}-.+$/;

/** `now` outside [notBefore, notAfter] (RFC 5280 §4.1.2.5: both bounds inclusive) is refused. */
export function checkValidity(identity: QwacIdentity, now: Date): void {
  if (now.getTime() < identity.notBefore.getTime()) {
    throw new CertificateError(
      'ERR_CERT_NOT_YET_VALID',
      `certificate is not valid before ${identity.notBefore.toISOString()}`,
    );
  }
  if (now.getTime() > identity.notAfter.getTime()) {
    throw new CertificateError(
      'ERR_CERT_EXPIRED',
      `certificate expired at ${identity.notAfter.toISOString()}`,
    );
  }
}

/**
 * Parses a QWAC and checks everything that does not depend on the time: structure, the PSD2 statement,
 * QcType and organizationIdentifier. The result can be cached by certificate hash; validity dates are
 * checked separately, per request, by `checkValidity`.
 */
export function parseQwac(certificate: string | Uint8Array): QwacIdentity {
  const der = typeof certificate === 'string' ? derFromPem(certificate) : certificate;
  const parsed = readCertificate(der);

  const organizationIdentifiers = valuesOf(parsed.subject, OID.organizationIdentifier);
  const [organizationIdentifier] = organizationIdentifiers;
  if (organizationIdentifiers.length !== 1 || organizationIdentifier === undefined) {
    throw new CertificateError(
      'ERR_CERT_ORGANIZATION_IDENTIFIER',
      organizationIdentifiers.length === 0
        ? 'subject has no organizationIdentifier'
        : 'subject has more than one organizationIdentifier, or one that is not a string',
    );
  }
  if (!ORGANIZATION_IDENTIFIER.test(organizationIdentifier)) {
    throw new CertificateError(
      'ERR_CERT_ORGANIZATION_IDENTIFIER',
      'organizationIdentifier is not of the form PSD<country>-<NCA>-<identifier> (ETSI TS 119 495 §5.2.1)',
    );
  }

  const statements = parsed.qcStatements;
  const psd2 = statements?.get(OID.psd2Statement);
  if (statements === undefined || psd2 === undefined) {
    throw new CertificateError('ERR_CERT_NO_PSD2_STATEMENT', 'certificate has no PSD2 QCStatement');
  }
  const statement = readPsd2Statement(psd2);
  checkWebAuthentication(statements.get(OID.qcType));

  const roles = [...new Set(statement.rolesOfPsp.map((role) => roleOfOid(role.oid)))].filter(
    (role): role is Psd2Role => role !== undefined,
  );
  if (roles.length === 0) {
    throw new CertificateError('ERR_CERT_PSD2_STATEMENT_INVALID', 'PSD2 statement names no known PSD2 role');
  }

  const digest = createHash('sha256').update(der).digest();
  return Object.freeze({
    organizationIdentifier,
    organizationName: valuesOf(parsed.subject, OID.organizationName)[0],
    commonName: valuesOf(parsed.subject, OID.commonName)[0],
    roles: Object.freeze(roles),
    rolesOfPsp: Object.freeze(statement.rolesOfPsp),
    ncaName: statement.ncaName,
    ncaId: statement.ncaId,
    subjectDn: parsed.subject.rfc4514,
    issuerDn: parsed.issuer.rfc4514,
    serialNumber: parsed.serialNumber,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    x5tS256: digest.toString('base64url'),
    sha256: digest.toString('hex'),
  });
}

/** `parseQwac` followed by `checkValidity`: the whole check for one certificate, uncached. */
export function readQwac(certificate: string | Uint8Array, options: { now?: Date } = {}): QwacIdentity {
  const identity = parseQwac(certificate);
  checkValidity(identity, options.now ?? new Date());
  return identity;
}

/** Subject and issuer as RFC 4514 strings, for any X.509 certificate (QWAC or not). */
export function distinguishedNames(certificate: string | Uint8Array): DistinguishedNames {
  return settle(namesOfCertificate(typeof certificate === 'string' ? derFromPem(certificate) : certificate));
}

export interface DistinguishedNames {
  readonly subject: string;
  readonly issuer: string;
}

/**
 * The edge asks once per TLS connection, and decoding costs a millisecond: a TPP opening connection
 * after connection with one certificate has it decoded once.
 */
const namesOfCertificate = memoizeBy(
  fingerprintOf,
  (der) =>
    outcomeOf(() => {
      const parsed = readCertificate(der);
      return Object.freeze({ subject: parsed.subject.rfc4514, issuer: parsed.issuer.rfc4514 });
    }),
  1000,
);

function readCertificate(der: Uint8Array): ParsedCertificate {
  try {
    return parseCertificate(der);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new CertificateError('ERR_CERT_MALFORMED', `not an X.509 certificate: ${error.message}`, {
      cause: error,
    });
  }
}
