import {
  id_etsi_qcs_qcType,
  id_etsi_qct_eseal,
  id_etsi_qct_esign,
  id_etsi_qct_web,
} from '@peculiar/asn1-x509-qualified-etsi';

/*
 * Object identifiers the certificate checks depend on. Roles are recognised by OID only: the
 * accompanying role name is free text, and certificates in the wild say "Account Information" or
 * "PSP_AI" alike.
 */

export const OID = {
  /** X.520 §6.4.4 / ETSI EN 319 412-1 §5.1.4: e.g. PSDFR-ACPR-12345. */
  organizationIdentifier: '2.5.4.97',
  organizationName: '2.5.4.10',
  commonName: '2.5.4.3',
  /** RFC 3739 §3.2.6. */
  qcStatements: '1.3.6.1.5.5.7.1.3',
  /** ETSI EN 319 412-5 §4.2.3: QcType, a SEQUENCE OF OID. */
  qcType: id_etsi_qcs_qcType,
  qctEsign: id_etsi_qct_esign,
  qctEseal: id_etsi_qct_eseal,
  qctWeb: id_etsi_qct_web,
  /** ETSI TS 119 495 §5.1: PSD2QcType. */
  psd2Statement: '0.4.0.19495.2',
} as const;

/** ETSI TS 119 495 §5.1, id-psd2-role-*. */
export const PSD2_ROLE_BY_OID = {
  '0.4.0.19495.1.1': 'PSP_AS',
  '0.4.0.19495.1.2': 'PSP_PI',
  '0.4.0.19495.1.3': 'PSP_AI',
  '0.4.0.19495.1.4': 'PSP_IC',
} as const;

export type Psd2Role = (typeof PSD2_ROLE_BY_OID)[keyof typeof PSD2_ROLE_BY_OID];

export const PSD2_ROLES: readonly Psd2Role[] = ['PSP_AS', 'PSP_PI', 'PSP_AI', 'PSP_IC'];

export function roleOfOid(oid: string): Psd2Role | undefined {
  return Object.hasOwn(PSD2_ROLE_BY_OID, oid)
    ? PSD2_ROLE_BY_OID[oid as keyof typeof PSD2_ROLE_BY_OID]
    : undefined;
}
