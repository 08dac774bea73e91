import { AsnConvert } from '@peculiar/asn1-schema';
import type { AttributeValue, Name } from '@peculiar/asn1-x509';
import { AnyText, textOf } from './any-text.js';
import { DerError, decodeDer } from './der-decode.js';

/*
 * Distinguished names as RFC 4514 strings, the form RFC 8705 §2.1.2 (`tls_client_auth_subject_dn`)
 * and RFC 7591 registration metadata use.
 */

/**
 * Short names: RFC 4514 §3, plus attribute types whose descriptors are registered with IANA and that
 * OpenSSL, and so Envoy's `Subject`, print the same way (serialNumber, organizationIdentifier...).
 */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export interface NameAttribute {
  readonly type: string;
  /** The decoded string, or undefined when the value is not a character string. */
  readonly value: string | undefined;
}

export interface DistinguishedName {
  /** RDNs in certificate order (most significant first); each RDN holds one or more attributes. */
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** RFC 4514 string: RDNs in reverse order, joined with `,`; multi-valued RDNs with `+`. */
  readonly rfc4514: string;
}

/** RFC 4514 §2.4 escaping of a string value. */
function escapeValue(value: string): string {
  const chars = [...value].map((char) =>
    /[\\"+,;<>]/.test(char) ? `\\${char}` : char === '\0' ? '\\00' : char,
  );
  if (chars[0] === ' ' || chars[0] === '#') chars[0] = `\\${chars[0]}`;
  const last = chars.length - 1;
  if (last > 0 && chars[last] === ' ') chars[last] = '\\ ';
  return chars.join('');
}

/** asn1-x509 reads the DirectoryString types and IA5String; a VisibleString arrives as `anyValue`. */
function stringOf(value: AttributeValue): string | undefined {
  const text = textOf(value);
  if (text !== undefined || value.anyValue === undefined) return text;
  try {
    return textOf(decodeDer(value.anyValue, AnyText));
  } catch (error) {
    if (error instanceof DerError) return undefined;
    throw error;
  }
}

/** An X.501 Name as decoded by @peculiar/asn1-x509, with its RFC 4514 form. */
export function readName(name: Name): DistinguishedName {
  const rdns: NameAttribute[][] = [];
  const printed: string[] = [];
  for (const rdn of name) {
    if (rdn.length === 0) throw new DerError('empty RelativeDistinguishedName');
    const attributes: NameAttribute[] = [];
    const parts: string[] = [];
    for (const { type, value } of rdn) {
      const text = stringOf(value);
      attributes.push({ type, value: text });
      const descriptor = DESCRIPTORS[type];
      // §2.4: a type without a descriptor, or a value that is not a string, is shown as `#` + hex BER.
      parts.push(
        descriptor !== undefined && text !== undefined
          ? `${descriptor}=${escapeValue(text)}`
          : `${descriptor ?? type}=#${Buffer.from(value.anyValue ?? AsnConvert.serialize(value)).toString('hex')}`,
      );
    }
    rdns.push(attributes);
    printed.push(parts.join('+'));
  }
  return { rdns, rfc4514: printed.reverse().join(',') };
}

/** Every value of one attribute type, in certificate order. */
export function valuesOf(name: DistinguishedName, type: string): (string | undefined)[] {
  return name.rdns.flatMap((rdn) => rdn.filter((attribute) => attribute.type === type).map((a) => a.value));
}
