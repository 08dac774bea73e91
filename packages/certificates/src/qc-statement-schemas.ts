import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { AnyText } from './any-text.js';

/*
 * ASN.1 schemas @peculiar/asn1-x509-qualified-etsi does not carry: RFC 3739's QCStatements and
 * ETSI TS 119 495's PSD2QcType. The decorators are applied as calls because the project compiles
 * TC39 decorators, and these are the legacy kind.
 */

/** RFC 3739 §3.2.6: QCStatement ::= SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }. */
export class QcStatement {
  statementId = '';
  /** The whole encoding of the info; null when it is NULL. */
  statementInfo?: ArrayBuffer | null;
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(QcStatement.prototype, 'statementId');
AsnProp({ type: AsnPropTypes.Any, optional: true })(QcStatement.prototype, 'statementInfo');

export class QcStatements extends AsnArray<QcStatement> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: QcStatement })(QcStatements);

/** ETSI TS 119 495 §5.1: RoleOfPSP ::= SEQUENCE { roleOfPspOid OID, roleOfPspName UTF8String }. */
export class RoleOfPspSchema {
  roleOfPspOid = '';
  roleOfPspName = new AnyText();
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(RoleOfPspSchema.prototype, 'roleOfPspOid');
AsnProp({ type: AnyText })(RoleOfPspSchema.prototype, 'roleOfPspName');

export class RolesOfPsp extends AsnArray<RoleOfPspSchema> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: RoleOfPspSchema })(RolesOfPsp);

/** ETSI TS 119 495 §5.1: PSD2QcType ::= SEQUENCE { rolesOfPSP RolesOfPSP, nCAName NCAName, nCAId NCAId }. */
export class Psd2QcType {
  rolesOfPSP = new RolesOfPsp();
  nCAName = new AnyText();
  nCAId = new AnyText();
}
AsnProp({ type: RolesOfPsp })(Psd2QcType.prototype, 'rolesOfPSP');
AsnProp({ type: AnyText })(Psd2QcType.prototype, 'nCAName');
AsnProp({ type: AnyText })(Psd2QcType.prototype, 'nCAId');
