import { type KeyObject, X509Certificate } from 'node:crypto';
import { x509 } from './crl-x509.js';

/*
 * The trusted CAs of the edge's client CA bundle, and where each one publishes its CRL.
 *
 * The rule (docs/operations-crl.md): a CA's CRL URLs are, in this order,
 *   1. the URLs configured for it in the distribution-points file, keyed by its SKI or subject;
 *   2. the http URLs in the CRLDistributionPoints extension of every certificate of the bundle that
 *      this CA issued (RFC 5280 §4.2.1.13: a certificate's CDP names its issuer's CRL), which for a
 *      self-signed root that carries the extension is the root itself.
 * A root's own CDP is rare and a QTSP puts the URL in the QWACs it issues, which the bundle does not
 * hold: hence the configured list.
 */

export interface TrustedCa {
  /** The CN of the subject, else the SKI: a metric attribute and the name in every message. */
  readonly label: string;
  readonly subject: string;
  /** Subject key identifier, lowercase hex without separators ('' when absent). */
  readonly ski: string;
  readonly certificate: x509.X509Certificate;
  /** The same key for Node's crypto, which verifies the CRLs. */
  readonly publicKey: KeyObject;
}

/** Configured URLs keyed by a CA's SKI (hex, any case, `:` allowed) or exact subject DN. */
export type DistributionPointMap = Readonly<Record<string, readonly string[]>>;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function skiOf(certificate: x509.X509Certificate): string {
  const extension = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  return extension?.keyId.toLowerCase() ?? '';
}

/** The CA certificates of a PEM bundle, in file order; throws naming the block that does not parse. */
export function trustedCas(bundlePem: string): TrustedCa[] {
  const blocks = bundlePem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks.map((block, index) => {
    let certificate: x509.X509Certificate;
    try {
      certificate = new x509.X509Certificate(block);
    } catch {
      throw new Error(`has a certificate that does not parse (block ${index + 1} of ${blocks.length})`);
    }
    const ski = skiOf(certificate);
    const label = certificate.subjectName.getField('CN')[0] ?? (ski || certificate.subject);
    return {
      label,
      subject: certificate.subject,
      ski,
      certificate,
      publicKey: new X509Certificate(block).publicKey,
    };
  });
}

/** Checks the parsed JSON of a distribution-points file; throws saying what is wrong. */
export function parseDistributionPointMap(json: unknown): DistributionPointMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('must be a JSON object {"<CA SKI or subject>": ["http://..."]}');
  }
  const map: Record<string, readonly string[]> = {};
  for (const [key, urls] of Object.entries(json)) {
    if (!Array.isArray(urls) || urls.some((url) => typeof url !== 'string')) {
      throw new Error(`"${key}" must map to an array of URLs`);
    }
    map[normaliseKey(key)] = urls as string[];
  }
  return map;
}

function normaliseKey(key: string): string {
  const hex = key.replace(/:/g, '');
  return /^[0-9a-fA-F]+$/.test(hex) ? hex.toLowerCase() : key.trim();
}

function cdpUrls(certificate: x509.X509Certificate): string[] {
  const extension = certificate.getExtension(x509.CRLDistributionPointsExtension);
  const points = extension?.distributionPoints ?? [];
  return points.flatMap((point) =>
    (point.distributionPoint?.fullName ?? []).flatMap((name) =>
      name.uniformResourceIdentifier === undefined ? [] : [name.uniformResourceIdentifier],
    ),
  );
}

/**
 * Every URL to try for `ca`, configured first, de-duplicated. Non-http URLs of a CDP (ldap:, https:)
 * are left out here: a QTSP lists them beside the http one. A configured non-http URL is kept, so
 * that the fetch refuses it loudly.
 */
export function distributionPointsOf(
  ca: TrustedCa,
  bundle: readonly TrustedCa[],
  configured: DistributionPointMap,
): string[] {
  const fromConfig = [...(configured[ca.ski] ?? []), ...(configured[ca.subject] ?? [])];
  const fromCdp = bundle
    .filter((issued) => issued.certificate.issuer === ca.subject)
    .flatMap((issued) => cdpUrls(issued.certificate))
    .filter((url) => url.toLowerCase().startsWith('http:'));
  return [...new Set([...fromConfig, ...fromCdp])];
}
