import { AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

// The asn1-schema decorators are applied as calls: the project compiles TC39 decorators, these are the legacy kind.

/** Any character string type: names in certificates are informational, and QTSPs do not all pick UTF8String. */
export class AnyText {
  utf8String?: string;
  printableString?: string;
  ia5String?: string;
  visibleString?: string;
  teletexString?: string;
  bmpString?: string;
  universalString?: string;
}
AsnType({ type: AsnTypeTypes.Choice })(AnyText);
AsnProp({ type: AsnPropTypes.Utf8String })(AnyText.prototype, 'utf8String');
AsnProp({ type: AsnPropTypes.PrintableString })(AnyText.prototype, 'printableString');
AsnProp({ type: AsnPropTypes.IA5String })(AnyText.prototype, 'ia5String');
AsnProp({ type: AsnPropTypes.VisibleString })(AnyText.prototype, 'visibleString');
AsnProp({ type: AsnPropTypes.TeletexString })(AnyText.prototype, 'teletexString');
AsnProp({ type: AsnPropTypes.BmpString })(AnyText.prototype, 'bmpString');
AsnProp({ type: AsnPropTypes.UniversalString })(AnyText.prototype, 'universalString');

/** The string an X.520 value or `AnyText` holds, whichever string type was chosen. */
export function textOf(value: AnyText): string | undefined {
  return (
    value.utf8String ??
    value.printableString ??
    value.ia5String ??
    value.visibleString ??
    value.teletexString ??
    value.bmpString ??
    value.universalString
  );
}
