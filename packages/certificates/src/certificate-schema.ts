import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { Certificate, TBSCertificate } from '@peculiar/asn1-x509';

/*
 * RFC 5280's Certificate with one DER rule relaxed: an Extension's `critical` encoded as an explicit
 * FALSE is accepted. X.690 §11.5 wants a DEFAULT value left out, but such certificates are issued, and
 * OpenSSL (and the hand-written parser before this one) read them. Declaring `critical` OPTIONAL
 * without a default makes the round trip in decodeDer reproduce exactly what was encoded, explicit
 * FALSE or none, so every other rule it checks stays. The rest is @peculiar/asn1-x509's schema,
 * inherited; the decorators are applied as calls for the reason given in qc-statement-schemas.ts.
 */

/** Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export class ExtensionAsEncoded {
  extnID = '';
  /** Undefined when not encoded, which means FALSE. */
  critical?: boolean;
  extnValue = new OctetString();
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(ExtensionAsEncoded.prototype, 'extnID');
AsnProp({ type: AsnPropTypes.Boolean, optional: true })(ExtensionAsEncoded.prototype, 'critical');
AsnProp({ type: OctetString })(ExtensionAsEncoded.prototype, 'extnValue');

export class ExtensionsAsEncoded extends AsnArray<ExtensionAsEncoded> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: ExtensionAsEncoded })(ExtensionsAsEncoded);

const TbsCertificateBase = TBSCertificate as new () => Omit<TBSCertificate, 'extensions'>;

/** TBSCertificate whose extensions are ExtensionsAsEncoded. */
export class TbsCertificateAsEncoded extends TbsCertificateBase {
  extensions?: ExtensionsAsEncoded;
}
AsnProp({ type: ExtensionsAsEncoded, context: 3, optional: true })(
  TbsCertificateAsEncoded.prototype,
  'extensions',
);

const CertificateBase = Certificate as new () => Omit<Certificate, 'tbsCertificate'>;

/** Certificate whose tbsCertificate is a TbsCertificateAsEncoded. */
export class CertificateAsEncoded extends CertificateBase {
  tbsCertificate = new TbsCertificateAsEncoded();
}
AsnProp({ type: TbsCertificateAsEncoded })(CertificateAsEncoded.prototype, 'tbsCertificate');
