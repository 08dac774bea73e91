import { childrenOf, DerError, expectTag, isStringTag, readOid, readString, TAG, type Tlv } from './der.js';

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

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Reads an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
export function readName(tlv: Tlv): DistinguishedName {
  expectTag(tlv, TAG.SEQUENCE);
  const rdns: NameAttribute[][] = [];
  const printed: string[] = [];
  for (const set of childrenOf(tlv)) {
    expectTag(set, TAG.SET);
    const attributes: NameAttribute[] = [];
    const parts: string[] = [];
    for (const pair of childrenOf(set)) {
      const [typeTlv, valueTlv, ...extra] = childrenOf(expectTag(pair, TAG.SEQUENCE));
      if (typeTlv === undefined || valueTlv === undefined || extra.length > 0) {
        throw new DerError('malformed AttributeTypeAndValue');
      }
      const type = readOid(typeTlv);
      const value = isStringTag(valueTlv.tag) ? readString(valueTlv) : undefined;
      attributes.push({ type, value });
      const descriptor = DESCRIPTORS[type];
      // §2.4: a type without a descriptor, or a value that is not a string, is shown as `#` + hex BER.
      parts.push(
        descriptor !== undefined && value !== undefined
          ? `${descriptor}=${escapeValue(value)}`
          : `${descriptor ?? type}=#${hex(valueTlv.encoded)}`,
      );
    }
    if (attributes.length === 0) throw new DerError('empty RelativeDistinguishedName');
    rdns.push(attributes);
    printed.push(parts.join('+'));
  }
  return { rdns, rfc4514: printed.reverse().join(',') };
}

/** Every value of one attribute type, in certificate order. */
export function valuesOf(name: DistinguishedName, type: string): (string | undefined)[] {
  return name.rdns.flatMap((rdn) => rdn.filter((attribute) => attribute.type === type).map((a) => a.value));
}
