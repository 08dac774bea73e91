import { webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateFiles, DemoPki } from './demo.js';
import { type CertificateAuthority, type IssuedCertificate, issueQwac, type QwacOptions } from './issue.js';
import { x509 } from './x509.js';

/*
 * Certificate revocation lists (RFC 5280 §5) from a test CA, and the revocation scenario the edge's
 * tests use: a QWAC the demo CA revoked, the one it reissued to the same organisation, and CRL files.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

function pemOf(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function base64Body(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** The CA written by writeDemoPki (ECDSA P-256 certificate and PKCS#8 key), ready to sign again. */
export async function loadCertificateAuthority(files: CertificateFiles): Promise<CertificateAuthority> {
  const certificatePem = await readFile(files.cert, 'utf8');
  const privateKeyPem = await readFile(files.key, 'utf8');
  const certificate = new x509.X509Certificate(certificatePem);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', base64Body(privateKeyPem), algorithm, true, [
      'sign',
    ]),
    publicKey: await certificate.publicKey.export(algorithm, ['verify']),
  };
  const der = new Uint8Array(certificate.rawData);
  return {
    certificatePem,
    privateKeyPem,
    der,
    x5tS256: Buffer.from(await webcrypto.subtle.digest('SHA-256', der)).toString('base64url'),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    name: certificate.subject,
    keys,
  };
}

/** The serial number of a PEM certificate, in the hexadecimal form CRL entries take. */
export function serialOf(certificatePem: string): string {
  return new x509.X509Certificate(certificatePem).serialNumber;
}

export interface CrlOptions {
  /** Hexadecimal serial numbers of the certificates `ca` revokes. */
  readonly revoked?: readonly string[];
  readonly thisUpdate?: Date;
  /** Default a week on; OpenSSL refuses a CRL past its nextUpdate (CRL_HAS_EXPIRED). */
  readonly nextUpdate?: Date;
  /** Signs with this key instead of the CA's, keeping the CA's name: a forged CRL. */
  readonly signingKey?: webcrypto.CryptoKey;
}

/** A PEM `X509 CRL` issued by `ca`. */
export async function issueCrl(ca: CertificateAuthority, options: CrlOptions = {}): Promise<string> {
  const now = Date.now();
  const thisUpdate = options.thisUpdate ?? new Date(now - 60 * 1000);
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.name,
    thisUpdate,
    nextUpdate: options.nextUpdate ?? new Date(now + 7 * DAY_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    signingKey: options.signingKey ?? ca.keys.privateKey,
    entries: (options.revoked ?? []).map((serialNumber) => ({
      serialNumber,
      revocationDate: thisUpdate,
      reason: x509.X509CrlReason.keyCompromise,
    })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey)],
  });
  return pemOf('X509 CRL', crl.rawData);
}

export interface RevocationScenario {
  /** A QWAC of "Demo TPP R" that the demo CA revoked. */
  readonly revoked: CertificateFiles & { readonly serial: string };
  /** The QWAC reissued to the same organisation: new key, new serial, not revoked. */
  readonly reissued: CertificateFiles & { readonly serial: string };
  /** The demo CA's CRL listing `revoked`. */
  readonly crl: string;
  /** The demo CA's next CRL, which no longer lists it (e.g. revoked by mistake, then reinstated). */
  readonly emptyCrl: string;
}

export const REVOCATION_SCENARIO_QWAC: QwacOptions = {
  organizationIdentifier: 'PSDFR-ACPR-40001',
  organizationName: 'Demo TPP R',
  roles: ['PSP_AI', 'PSP_PI'],
};

async function writeIssued(dir: string, name: string, issued: IssuedCertificate) {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await writeFile(files.cert, issued.certificatePem, { mode: 0o644 });
  await writeFile(files.key, issued.privateKeyPem, { mode: 0o600 });
  return { ...files, serial: serialOf(issued.certificatePem) };
}

/**
 * Writes the revocation scenario into `dir` (its own folder: the demo PKI's files stay as they are),
 * issued by the demo PKI's CA.
 */
export async function writeRevocationScenario(pki: DemoPki, dir: string): Promise<RevocationScenario> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await loadCertificateAuthority(pki.ca);
  const revoked = await writeIssued(dir, 'revoked', await issueQwac(ca, REVOCATION_SCENARIO_QWAC));
  const reissued = await writeIssued(dir, 'reissued', await issueQwac(ca, REVOCATION_SCENARIO_QWAC));
  const crl = join(dir, 'crl.pem');
  const emptyCrl = join(dir, 'crl-empty.pem');
  await writeFile(crl, await issueCrl(ca, { revoked: [revoked.serial] }));
  await writeFile(emptyCrl, await issueCrl(ca));
  return { revoked, reissued, crl, emptyCrl };
}
