import { createHash, randomBytes, webcrypto } from 'node:crypto';
import {
  encodeQcStatements,
  OID,
  PSD2_ROLE_OIDS,
  type Psd2Role,
  type QcTypeName,
  type RoleOfPsp,
} from './qc-statements.js';
import { x509 } from './x509.js';

/*
 * In-process certificate issuance with WebCrypto: no openssl at run time, and fast enough (ECDSA P-256
 * by default) for tests to mint the certificates they need.
 */

export type KeyAlgorithm = 'ECDSA-P256' | 'RSA-2048';

export interface IssuedCertificate {
  /** PEM of the certificate alone. */
  readonly certificatePem: string;
  /** PKCS#8 PEM of the private key. */
  readonly privateKeyPem: string;
  readonly der: Uint8Array;
  /** RFC 8705 §3.1 `x5t#S256`: base64url SHA-256 of the DER. */
  readonly x5tS256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** An issuer: its certificate and the keys that sign what it issues. */
export interface CertificateAuthority extends IssuedCertificate {
  readonly name: string;
  readonly keys: webcrypto.CryptoKeyPair;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function algorithmOf(keyAlgorithm: KeyAlgorithm): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return keyAlgorithm === 'RSA-2048'
    ? {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }
    : { name: 'ECDSA', namedCurve: 'P-256' };
}

function signingAlgorithmOf(key: webcrypto.CryptoKey): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return key.algorithm.name === 'ECDSA'
    ? { name: 'ECDSA', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

async function generateKeys(keyAlgorithm: KeyAlgorithm): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithmOf(keyAlgorithm), true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
}

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

async function finish(
  certificate: x509.X509Certificate,
  keys: webcrypto.CryptoKeyPair,
): Promise<IssuedCertificate> {
  const der = new Uint8Array(certificate.rawData);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: pem('CERTIFICATE', der),
    privateKeyPem: pem('PRIVATE KEY', pkcs8),
    der,
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}

/** Positive, 16 random bytes: RFC 5280 §4.1.2.2 wants unique, positive serials of at most 20 octets. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

export interface CertificateAuthorityOptions {
  readonly commonName?: string;
  readonly organizationName?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly keyAlgorithm?: KeyAlgorithm;
  /** How many intermediate CAs may follow (BasicConstraints pathLenConstraint); default 0, none. */
  readonly pathLength?: number;
}

export async function createCertificateAuthority(
  options: CertificateAuthorityOptions = {},
): Promise<CertificateAuthority> {
  const keys = await generateKeys(options.keyAlgorithm ?? 'ECDSA-P256');
  const name = new x509.Name([
    { C: ['FR'] },
    { O: [options.organizationName ?? 'PSD2 Test QTSP'] },
    { CN: [options.commonName ?? 'PSD2 Test QTSP CA'] },
  ]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name,
    notBefore: options.notBefore ?? new Date(now - DAY_MS),
    notAfter: options.notAfter ?? new Date(now + 10 * 365 * DAY_MS),
    signingAlgorithm: signingAlgorithmOf(keys.privateKey),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, options.pathLength ?? 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { ...(await finish(certificate, keys)), name: name.toString(), keys };
}

/** An intermediate CA under `parent`, allowed `pathLength` more intermediates below it. */
export async function issueIntermediateAuthority(
  parent: CertificateAuthority,
  options: { readonly commonName: string; readonly pathLength: number; readonly keyAlgorithm?: KeyAlgorithm },
): Promise<CertificateAuthority> {
  const keys = await generateKeys(options.keyAlgorithm ?? 'ECDSA-P256');
  const name = new x509.Name([{ C: ['FR'] }, { O: ['PSD2 Test QTSP'] }, { CN: [options.commonName] }]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: name,
    issuer: parent.name,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 5 * 365 * DAY_MS),
    signingAlgorithm: signingAlgorithmOf(parent.keys.privateKey),
    publicKey: keys.publicKey,
    signingKey: parent.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, options.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(parent.keys.publicKey),
    ],
  });
  return { ...(await finish(certificate, keys)), name: name.toString(), keys };
}

export interface LeafOptions {
  readonly subject: x509.Name;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly extendedKeyUsages: readonly string[];
  readonly extra?: readonly x509.Extension[];
}

export async function issueLeaf(ca: CertificateAuthority, options: LeafOptions): Promise<IssuedCertificate> {
  const keys = await generateKeys(options.keyAlgorithm ?? 'ECDSA-P256');
  const now = Date.now();
  const names = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature |
        (keys.privateKey.algorithm.name === 'ECDSA' ? 0 : x509.KeyUsageFlags.keyEncipherment),
      true,
    ),
    new x509.ExtendedKeyUsageExtension([...options.extendedKeyUsages]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ...(options.extra ?? []),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: options.subject,
    issuer: ca.name,
    notBefore: options.notBefore ?? new Date(now - 60 * 60 * 1000),
    notAfter: options.notAfter ?? new Date(now + 365 * DAY_MS),
    signingAlgorithm: signingAlgorithmOf(ca.keys.privateKey),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return finish(certificate, keys);
}

export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface ServerCertificateOptions {
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly keyAlgorithm?: KeyAlgorithm;
}

/** The edge's TLS server certificate; by default for localhost, 127.0.0.1 and ::1. */
export function issueServerCertificate(
  ca: CertificateAuthority,
  options: ServerCertificateOptions = {},
): Promise<IssuedCertificate> {
  const dnsNames = options.dnsNames ?? ['localhost'];
  return issueLeaf(ca, {
    subject: new x509.Name([{ C: ['FR'] }, { O: ['PSD2 Demo Bank'] }, { CN: [dnsNames[0] ?? 'localhost'] }]),
    dnsNames,
    ipAddresses: options.ipAddresses ?? ['127.0.0.1', '::1'],
    extendedKeyUsages: [SERVER_AUTH],
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
    ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
    ...(options.keyAlgorithm === undefined ? {} : { keyAlgorithm: options.keyAlgorithm }),
  });
}

/** ETSI TS 119 495 §5.1 names the roles exactly like their keys; certificates in the wild vary. */
export function standardRole(role: Psd2Role): RoleOfPsp {
  return { oid: PSD2_ROLE_OIDS[role], name: role };
}

export interface QwacOptions {
  /** Roles by name (standard OID and name) or as raw OID/name pairs (non-standard names, unknown OIDs). */
  readonly roles?: readonly (Psd2Role | RoleOfPsp)[];
  /** Subject organizationIdentifier (OID 2.5.4.97); `null` leaves it out. */
  readonly organizationIdentifier?: string | null;
  readonly organizationName?: string;
  readonly commonName?: string;
  readonly countryName?: string;
  readonly ncaName?: string;
  readonly ncaId?: string;
  /** QcType contents; `[]` omits the QcType statement. Default `['web']`, a QWAC. */
  readonly qcTypes?: readonly QcTypeName[];
  /** `false` omits the PSD2 statement (an eIDAS certificate that is not a PSD2 one). */
  readonly psd2Statement?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly dnsNames?: readonly string[];
  readonly keyAlgorithm?: KeyAlgorithm;
}

export const DEFAULT_ORGANIZATION_IDENTIFIER = 'PSDFR-ACPR-12345';

/**
 * A QWAC with the ETSI TS 119 495 structure: organizationIdentifier in the subject, QCStatements with
 * QcCompliance, QcType and the PSD2 statement, certificate policy QCP-w, clientAuth and serverAuth.
 */
export function issueQwac(ca: CertificateAuthority, options: QwacOptions = {}): Promise<IssuedCertificate> {
  const organizationIdentifier =
    options.organizationIdentifier === undefined
      ? DEFAULT_ORGANIZATION_IDENTIFIER
      : options.organizationIdentifier;
  const organizationName = options.organizationName ?? 'Demo TPP';
  const subject: Record<string, { utf8String: string }[] | string[]>[] = [
    { C: [options.countryName ?? 'FR'] },
    { O: [{ utf8String: organizationName }] },
  ];
  if (organizationIdentifier !== null) {
    subject.push({ [OID.organizationIdentifier]: [{ utf8String: organizationIdentifier }] });
  }
  subject.push({ CN: [{ utf8String: options.commonName ?? `${organizationName} QWAC` }] });
  const roles = (options.roles ?? ['PSP_AI']).map((role) =>
    typeof role === 'string' ? standardRole(role) : role,
  );
  const statements = encodeQcStatements({
    qcTypes: options.qcTypes ?? ['web'],
    ...(options.psd2Statement === false
      ? {}
      : {
          psd2: {
            roles,
            ncaName: options.ncaName ?? 'Autorité de contrôle prudentiel et de résolution',
            ncaId: options.ncaId ?? 'FR-ACPR',
          },
        }),
  });
  return issueLeaf(ca, {
    subject: new x509.Name(subject),
    dnsNames: options.dnsNames ?? ['tpp.example'],
    extendedKeyUsages: [SERVER_AUTH, CLIENT_AUTH],
    extra: [
      new x509.Extension(OID.qcStatements, false, statements),
      new x509.CertificatePolicyExtension([OID.qcpWeb]),
    ],
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
    ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
    ...(options.keyAlgorithm === undefined ? {} : { keyAlgorithm: options.keyAlgorithm }),
  });
}
