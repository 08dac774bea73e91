import { x509 } from './crl-x509.js';

/*
 * Just enough DER to check a CRL without decoding its entries. A big QTSP's CRL holds hundreds of
 * thousands of revoked serials: a full ASN.1 decode (@peculiar/x509) took 70 s and 3.9 GB for a
 * 20 MB one, and its default limits refuse any CRL past about 2,000 entries. The refresh needs only
 * the envelope (RFC 5280 §5.1): the signed bytes, the signature and its algorithm, the issuer, the
 * two dates and the CRLNumber extension; the list of revoked certificates is skipped as one element,
 * and OpenSSL at the edge reads it.
 */

export interface ParsedCrl {
  readonly der: Buffer;
  /** The DER of tbsCertList: what the signature covers. */
  readonly tbs: Buffer;
  /** The DER of the AlgorithmIdentifier (OID and parameters, which RSASSA-PSS needs). */
  readonly signatureAlgorithm: Buffer;
  readonly signature: Buffer;
  /** The issuer Name in RFC 4514 form as @peculiar/x509 writes a certificate's subject. */
  readonly issuer: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: bigint;
}

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte: the whole element is [offset, end). */
  readonly offset: number;
  /** Offset of the content. */
  readonly start: number;
  /** Offset just past the content. */
  readonly end: number;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const EXTENSIONS = 0xa0;
const CRL_NUMBER_OID = '2.5.29.20';

export function readTlv(der: Buffer, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new Error('truncated');
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Error('bad length');
    length = 0;
    for (let index = 0; index < count; index += 1) length = length * 256 + (der[start + index] as number);
    start += count;
  }
  if (start + length > limit) throw new Error('truncated');
  return { tag, offset, start, end: start + length };
}

/** The elements of a constructed value, in order. */
export function childrenOf(der: Buffer, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function objectIdentifier(der: Buffer, tlv: Tlv): string {
  const bytes = der.subarray(tlv.start, tlv.end);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

function time(der: Buffer, tlv: Tlv): Date {
  const text = der.subarray(tlv.start, tlv.end).toString('latin1');
  const match =
    tlv.tag === UTC_TIME
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)
      : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(text);
  if (match === null) throw new Error('bad time');
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  // RFC 5280 §4.1.2.5.1: a two-digit year below 50 is 20YY.
  const year = tlv.tag === UTC_TIME ? ((y as number) < 50 ? 2000 : 1900) + (y as number) : (y as number);
  return new Date(Date.UTC(year, (mo as number) - 1, d, h, mi, s));
}

function isTime(tlv: Tlv | undefined): tlv is Tlv {
  return tlv?.tag === UTC_TIME || tlv?.tag === GENERALIZED_TIME;
}

function crlNumberIn(der: Buffer, extensions: Tlv | undefined): bigint | undefined {
  const list = extensions === undefined ? undefined : childrenOf(der, extensions)[0];
  if (list === undefined) return undefined;
  for (const extension of childrenOf(der, list)) {
    const parts = childrenOf(der, extension);
    const [oid] = parts;
    const value = parts.at(-1);
    if (oid === undefined || value === undefined || objectIdentifier(der, oid) !== CRL_NUMBER_OID) continue;
    const integer = readTlv(der, value.start, value.end);
    if (integer.tag !== INTEGER || integer.end === integer.start) return undefined;
    return BigInt(`0x${der.subarray(integer.start, integer.end).toString('hex')}`);
  }
  return undefined;
}

/** The envelope of a DER CertificateList; throws on anything else. */
export function parseCrlDer(der: Buffer): ParsedCrl {
  const outer = readTlv(der, 0);
  if (outer.tag !== SEQUENCE || outer.end !== der.length) throw new Error('not a DER SEQUENCE');
  const [tbs, algorithm, signature] = childrenOf(der, outer);
  if (tbs?.tag !== SEQUENCE || algorithm?.tag !== SEQUENCE || signature?.tag !== 0x03)
    throw new Error('not a CRL');
  const fields = childrenOf(der, tbs);
  let index = fields[0]?.tag === INTEGER ? 1 : 0;
  const issuer = fields[index + 1];
  const thisUpdate = fields[index + 2];
  if (issuer?.tag !== SEQUENCE || !isTime(thisUpdate)) throw new Error('not a CRL');
  index += 3;
  const nextUpdate = isTime(fields[index]) ? fields[index] : undefined;
  const rest = fields.slice(nextUpdate === undefined ? index : index + 1);
  const extensions = rest.find((field) => field.tag === EXTENSIONS);
  const whole = (tlv: Tlv) => der.subarray(tlv.offset, tlv.end);
  const crlNumber = crlNumberIn(der, extensions);
  return {
    der,
    tbs: whole(tbs),
    signatureAlgorithm: whole(algorithm),
    // A BIT STRING's first content byte counts the unused bits, 0 for a signature.
    signature: der.subarray(signature.start + 1, signature.end),
    issuer: new x509.Name(new Uint8Array(whole(issuer))).toString(),
    thisUpdate: time(der, thisUpdate),
    ...(nextUpdate === undefined ? {} : { nextUpdate: time(der, nextUpdate) }),
    ...(crlNumber === undefined ? {} : { crlNumber }),
  };
}
