import { X509Certificate } from 'node:crypto';
import type { TrustedList } from './trusted-list-parse.js';
import { isValidAt, sha256Hex } from './trusted-list-signature.js';

/*
 * Which CAs of a trusted list issue QWACs: services of type CA/QC, currently granted, whose
 * ServiceInformationExtensions say ForWebSiteAuthentication. Only the current status counts: ServiceHistory
 * says what the status was, which matters to validate an old signature, not to trust a CA today.
 */

export const SERVICE_TYPE_CA_QC = 'http://uri.etsi.org/TrstSvc/Svctype/CA/QC';
export const STATUS_GRANTED = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted';
export const FOR_WEBSITE_AUTHENTICATION =
  'http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForWebSiteAuthentication';

export interface TrustedCa {
  readonly der: Buffer;
  readonly sha256: string;
  readonly subject: string;
  readonly territory: string;
  readonly providerName: string;
  readonly serviceName: string;
}

export interface CaSelection {
  readonly cas: readonly TrustedCa[];
  /** One line per certificate of a selected service left out, and why. */
  readonly warnings: readonly string[];
}

export function selectWebsiteAuthenticationCas(list: TrustedList, now: Date): CaSelection {
  const cas: TrustedCa[] = [];
  const warnings: string[] = [];
  for (const provider of list.providers) {
    for (const service of provider.services) {
      const selected =
        service.typeIdentifier === SERVICE_TYPE_CA_QC &&
        service.status === STATUS_GRANTED &&
        service.additionalInformation.includes(FOR_WEBSITE_AUTHENTICATION);
      if (!selected) continue;
      const label = `${list.territory} "${provider.name}" "${service.name}"`;
      if (service.certificates.length === 0) warnings.push(`skipped ${label}: no X509Certificate`);
      for (const der of service.certificates) {
        const verdict = caCertificateVerdict(der, now);
        if (typeof verdict === 'string') {
          warnings.push(`skipped ${label} sha256=${sha256Hex(der)}: ${verdict}`);
          continue;
        }
        cas.push({
          der,
          sha256: sha256Hex(der),
          subject: verdict.subject.replace(/\n/g, ', '),
          territory: list.territory,
          providerName: provider.name,
          serviceName: service.name,
        });
      }
    }
  }
  return { cas, warnings };
}

/** The parsed certificate, or why it cannot be a trust anchor of the edge. */
function caCertificateVerdict(der: Buffer, now: Date): X509Certificate | string {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    return 'not a parsable X.509 certificate';
  }
  if (!certificate.ca) return 'not a CA certificate (basicConstraints cA is not set)';
  if (!isValidAt(certificate, now)) return `expired or not yet valid (${certificate.validTo})`;
  return certificate;
}
