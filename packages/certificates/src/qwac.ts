import { createHash } from 'node:crypto';
import {
  childrenOf,
  DerError,
  expectTag,
  readOid,
  readSingle,
  readString,
  readTime,
  TAG,
  type Tlv,
} from './der.js';
import { readName, valuesOf } from './dn.js';
import { CertificateError } from './errors.js';
import { OID, type Psd2Role, roleOfOid } from './oids.js';
import { derFromPem } from './pem.js';

/** A role exactly as the certificate states it. */
export interface RoleOfPsp {
  readonly oid: string;
  readonly name: string;
}

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
  let parsed: ParsedCertificate;
  try {
    parsed = parseCertificate(der);
  } catch (error) {
    if (error instanceof DerError) {
      throw new CertificateError('ERR_CERT_MALFORMED', `not an X.509 certificate: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }

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
export function distinguishedNames(certificate: string | Uint8Array): { subject: string; issuer: string } {
  const der = typeof certificate === 'string' ? derFromPem(certificate) : certificate;
  try {
    const parsed = parseCertificate(der);
    return { subject: parsed.subject.rfc4514, issuer: parsed.issuer.rfc4514 };
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new CertificateError('ERR_CERT_MALFORMED', `not an X.509 certificate: ${error.message}`, {
      cause: error,
    });
  }
}

interface ParsedCertificate {
  readonly serialNumber: string;
  readonly issuer: ReturnType<typeof readName>;
  readonly subject: ReturnType<typeof readName>;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** statementId → statementInfo (undefined when the statement carries none); undefined without the extension. */
  readonly qcStatements: ReadonlyMap<string, Tlv | undefined> | undefined;
}

const CONTEXT_0 = 0xa0; // [0] EXPLICIT version
const CONTEXT_1 = 0x81; // [1] IMPLICIT issuerUniqueID
const CONTEXT_2 = 0x82; // [2] IMPLICIT subjectUniqueID
const CONTEXT_3 = 0xa3; // [3] EXPLICIT extensions

/** RFC 5280 §4.1: the fields we use, read in order; the signature is the edge's business (it validated the chain). */
function parseCertificate(der: Uint8Array): ParsedCertificate {
  const [tbs, signatureAlgorithm, signature, ...rest] = childrenOf(readSingle(der, TAG.SEQUENCE));
  if (tbs === undefined || signatureAlgorithm === undefined || signature === undefined || rest.length > 0) {
    throw new DerError('Certificate is not SEQUENCE { tbsCertificate, signatureAlgorithm, signature }');
  }
  const fields = childrenOf(expectTag(tbs, TAG.SEQUENCE));
  let index = 0;
  const next = (): Tlv => {
    const field = fields[index++];
    if (field === undefined) throw new DerError('tbsCertificate is truncated');
    return field;
  };
  const maybe = (tag: number): Tlv | undefined => {
    const field = fields[index];
    if (field?.tag !== tag) return undefined;
    index++;
    return field;
  };
  const version = maybe(CONTEXT_0);
  if (version !== undefined) {
    const [integer] = childrenOf(version);
    // v3 is encoded as 2 (RFC 5280 §4.1.2.1); extensions, which a QWAC needs, exist only in v3.
    if (integer === undefined || expectTag(integer, TAG.INTEGER).content[0] !== 2) {
      throw new DerError('not an X.509 v3 certificate');
    }
  } else {
    throw new DerError('not an X.509 v3 certificate');
  }
  const serial = expectTag(next(), TAG.INTEGER);
  expectTag(next(), TAG.SEQUENCE); // signature algorithm
  const issuer = readName(next());
  const [notBeforeTlv, notAfterTlv] = childrenOf(expectTag(next(), TAG.SEQUENCE));
  if (notBeforeTlv === undefined || notAfterTlv === undefined) throw new DerError('malformed Validity');
  const subject = readName(next());
  expectTag(next(), TAG.SEQUENCE); // subjectPublicKeyInfo
  maybe(CONTEXT_1);
  maybe(CONTEXT_2);
  const extensionsWrapper = maybe(CONTEXT_3);
  if (index !== fields.length) throw new DerError('unexpected field in tbsCertificate');

  let qcStatements: Map<string, Tlv | undefined> | undefined;
  if (extensionsWrapper !== undefined) {
    const [extensions] = childrenOf(extensionsWrapper);
    if (extensions === undefined) throw new DerError('empty extensions');
    const seen = new Set<string>();
    for (const extension of childrenOf(expectTag(extensions, TAG.SEQUENCE))) {
      const parts = childrenOf(expectTag(extension, TAG.SEQUENCE));
      const [idTlv] = parts;
      const valueTlv = parts[parts.length - 1];
      if (idTlv === undefined || valueTlv === undefined || parts.length < 2 || parts.length > 3) {
        throw new DerError('malformed Extension');
      }
      const id = readOid(idTlv);
      // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      if (seen.has(id)) throw new DerError(`duplicate extension ${id}`);
      seen.add(id);
      if (id === OID.qcStatements) {
        qcStatements = readQcStatements(expectTag(valueTlv, TAG.OCTET_STRING).content);
      }
    }
  }

  return {
    serialNumber: Buffer.from(serial.content).toString('hex'),
    issuer,
    subject,
    notBefore: readTime(notBeforeTlv),
    notAfter: readTime(notAfterTlv),
    qcStatements,
  };
}

/** RFC 3739 §3.2.6: QCStatements ::= SEQUENCE OF SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }. */
function readQcStatements(value: Uint8Array): Map<string, Tlv | undefined> {
  const statements = new Map<string, Tlv | undefined>();
  for (const statement of childrenOf(readSingle(value, TAG.SEQUENCE))) {
    const [idTlv, info, ...rest] = childrenOf(expectTag(statement, TAG.SEQUENCE));
    if (idTlv === undefined || rest.length > 0) throw new DerError('malformed QCStatement');
    const id = readOid(idTlv);
    if (statements.has(id)) throw new DerError(`duplicate QCStatement ${id}`);
    statements.set(id, info);
  }
  return statements;
}

interface Psd2Statement {
  readonly rolesOfPsp: RoleOfPsp[];
  readonly ncaName: string;
  readonly ncaId: string;
}

/**
 * ETSI TS 119 495 §5.1:
 * PSD2QcType ::= SEQUENCE { rolesOfPSP RolesOfPSP, nCAName NCAName, nCAId NCAId }
 * RolesOfPSP ::= SEQUENCE OF RoleOfPSP
 * RoleOfPSP ::= SEQUENCE { roleOfPspOid RoleOfPspOid, roleOfPspName RoleOfPspName }
 * with role names, NCA name and NCA id as UTF8String.
 */
function readPsd2Statement(info: Tlv | undefined): Psd2Statement {
  try {
    if (info === undefined) throw new DerError('PSD2 statement has no statementInfo');
    const [rolesTlv, ncaNameTlv, ncaIdTlv, ...rest] = childrenOf(expectTag(info, TAG.SEQUENCE));
    if (rolesTlv === undefined || ncaNameTlv === undefined || ncaIdTlv === undefined || rest.length > 0) {
      throw new DerError('PSD2QcType is not SEQUENCE { rolesOfPSP, nCAName, nCAId }');
    }
    const rolesOfPsp = childrenOf(expectTag(rolesTlv, TAG.SEQUENCE)).map((roleTlv) => {
      const [oidTlv, nameTlv, ...extra] = childrenOf(expectTag(roleTlv, TAG.SEQUENCE));
      if (oidTlv === undefined || nameTlv === undefined || extra.length > 0) {
        throw new DerError('RoleOfPSP is not SEQUENCE { roleOfPspOid, roleOfPspName }');
      }
      return { oid: readOid(oidTlv), name: readString(nameTlv) };
    });
    // The names are UTF8String in the ASN.1 module; any character string type is read, because they are
    // informational and a QTSP's encoding slip should not lock a TPP out. The role OIDs decide.
    return { rolesOfPsp, ncaName: readString(ncaNameTlv), ncaId: readString(ncaIdTlv) };
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
function checkWebAuthentication(info: Tlv | undefined): void {
  let types: string[];
  try {
    if (info === undefined) throw new DerError('no QcType statement');
    types = childrenOf(expectTag(info, TAG.SEQUENCE)).map(readOid);
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
