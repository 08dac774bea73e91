import * as asn1js from 'asn1js';

/*
 * DER encoders for the qualified-certificate statements a PSD2 QWAC carries. Written from the
 * standards, not from a certificate we copied, so the parser in @psd2/certificates is tested
 * against the specification rather than against itself:
 * - RFC 3739 §3.2.6: QCStatements ::= SEQUENCE OF QCStatement { statementId OID, statementInfo ANY }
 * - ETSI EN 319 412-5 §4.2.1 (QcCompliance) and §4.2.3 (QcType: SEQUENCE OF OID)
 * - ETSI TS 119 495 §5.1 (PSD2QcType: rolesOfPSP, nCAName, nCAId)
 */

export const OID = {
  qcStatements: '1.3.6.1.5.5.7.1.3',
  qcCompliance: '0.4.0.1862.1.1',
  qcType: '0.4.0.1862.1.6',
  qctEsign: '0.4.0.1862.1.6.1',
  qctEseal: '0.4.0.1862.1.6.2',
  qctWeb: '0.4.0.1862.1.6.3',
  psd2Statement: '0.4.0.19495.2',
  organizationIdentifier: '2.5.4.97',
  /** ETSI EN 319 411-2 §5.3: QCP-w, the policy for EU qualified website certificates. */
  qcpWeb: '0.4.0.194112.1.4',
} as const;

export const PSD2_ROLE_OIDS = {
  PSP_AS: '0.4.0.19495.1.1',
  PSP_PI: '0.4.0.19495.1.2',
  PSP_AI: '0.4.0.19495.1.3',
  PSP_IC: '0.4.0.19495.1.4',
} as const;

export type Psd2Role = keyof typeof PSD2_ROLE_OIDS;

/** A role as written in the certificate: the OID decides, the name is free text for humans. */
export interface RoleOfPsp {
  readonly oid: string;
  readonly name: string;
}

export type QcTypeName = 'web' | 'eseal' | 'esign';

const QC_TYPE_OIDS: Record<QcTypeName, string> = {
  web: OID.qctWeb,
  eseal: OID.qctEseal,
  esign: OID.qctEsign,
};

export interface QcStatementsOptions {
  /** QcType statement contents; an empty list omits the statement. */
  readonly qcTypes: readonly QcTypeName[];
  /** The PSD2 statement; undefined omits it (a qualified certificate that is not a PSD2 one). */
  readonly psd2?: { readonly roles: readonly RoleOfPsp[]; readonly ncaName: string; readonly ncaId: string };
}

function statement(id: string, info?: asn1js.BaseBlock): asn1js.Sequence {
  const value: asn1js.BaseBlock[] = [new asn1js.ObjectIdentifier({ value: id })];
  if (info !== undefined) value.push(info);
  return new asn1js.Sequence({ value });
}

/** The DER of the QCStatements extension value (the content of the extension's OCTET STRING). */
export function encodeQcStatements(options: QcStatementsOptions): ArrayBuffer {
  const statements = [statement(OID.qcCompliance)];
  if (options.qcTypes.length > 0) {
    const types = options.qcTypes.map((type) => new asn1js.ObjectIdentifier({ value: QC_TYPE_OIDS[type] }));
    statements.push(statement(OID.qcType, new asn1js.Sequence({ value: types })));
  }
  if (options.psd2 !== undefined) {
    const roles = options.psd2.roles.map(
      (role) =>
        new asn1js.Sequence({
          value: [
            new asn1js.ObjectIdentifier({ value: role.oid }),
            new asn1js.Utf8String({ value: role.name }),
          ],
        }),
    );
    const info = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: roles }),
        new asn1js.Utf8String({ value: options.psd2.ncaName }),
        new asn1js.Utf8String({ value: options.psd2.ncaId }),
      ],
    });
    statements.push(statement(OID.psd2Statement, info));
  }
  return new asn1js.Sequence({ value: statements }).toBER(false);
}
