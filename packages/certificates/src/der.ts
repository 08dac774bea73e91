/*
 * A strict, minimal DER reader (ITU-T X.690 §8 and §10), enough for X.509 certificates and the
 * ETSI qualified-certificate statements. It reads only what it is asked for, copies nothing, and
 * throws DerError on anything that is not canonical DER: indefinite lengths, non-minimal lengths,
 * lengths running past their parent. Certificates reach us already validated by the edge, but the
 * reader still treats its input as hostile.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Universal tags (X.690 §8.1.2 / X.680 §8.4) we read, as full identifier octets. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export interface Tlv {
  /** The identifier octet; multi-octet tags (numbers above 30) are not used by X.509 and refused. */
  readonly tag: number;
  /** The whole encoding, identifier and length included (e.g. what a hex `#` value in RFC 4514 shows). */
  readonly encoded: Uint8Array;
  readonly content: Uint8Array;
}

export function readTlv(input: Uint8Array, offset = 0): Tlv {
  const tag = input[offset];
  if (tag === undefined) throw new DerError('unexpected end of input');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-octet tags are not supported');
  const first = input[offset + 1];
  if (first === undefined) throw new DerError('missing length');
  let length: number;
  let headerLength: number;
  if (first < 0x80) {
    length = first;
    headerLength = 2;
  } else {
    const octets = first & 0x7f;
    // 0x80 is BER's indefinite length, never valid in DER (X.690 §10.1); 4 octets is ample for a certificate.
    if (octets === 0 || octets > 4) throw new DerError('unsupported length encoding');
    length = 0;
    for (let i = 0; i < octets; i++) {
      const octet = input[offset + 2 + i];
      if (octet === undefined) throw new DerError('truncated length');
      if (i === 0 && octet === 0) throw new DerError('non-minimal length');
      length = length * 256 + octet;
    }
    if (length < 0x80) throw new DerError('non-minimal length');
    headerLength = 2 + octets;
  }
  const end = offset + headerLength + length;
  if (end > input.length) throw new DerError('length runs past the end of the input');
  return {
    tag,
    encoded: input.subarray(offset, end),
    content: input.subarray(offset + headerLength, end),
  };
}

/** Reads exactly one element that fills `input`; trailing bytes are an error. */
export function readSingle(input: Uint8Array, expectedTag?: number): Tlv {
  const tlv = readTlv(input);
  if (tlv.encoded.length !== input.length) throw new DerError('trailing data after the element');
  if (expectedTag !== undefined) expectTag(tlv, expectedTag);
  return tlv;
}

export function expectTag(tlv: Tlv, tag: number): Tlv {
  if (tlv.tag !== tag) {
    throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  }
  return tlv;
}

/** The elements inside a constructed value (SEQUENCE, SET, explicit tag). */
export function childrenOf(tlv: Tlv): Tlv[] {
  if ((tlv.tag & 0x20) === 0) throw new DerError('expected a constructed element');
  const children: Tlv[] = [];
  let offset = 0;
  while (offset < tlv.content.length) {
    const child = readTlv(tlv.content, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}

/** X.690 §8.19: the first octet holds 40 * arc1 + arc2, then base-128 arcs, high bit = "more". */
export function readOid(tlv: Tlv): string {
  expectTag(tlv, TAG.OID);
  const bytes = tlv.content;
  if (bytes.length === 0) throw new DerError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (const byte of bytes) {
    if (!started && byte === 0x80) throw new DerError('non-minimal object identifier arc');
    started = true;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('object identifier arc too large');
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      started = false;
    }
  }
  if (started) throw new DerError('truncated object identifier');
  const [head = 0, ...rest] = arcs;
  const first = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [first, head - first * 40, ...rest].join('.');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

/** The character string types X.520 DirectoryString and its relatives use. */
export function readString(tlv: Tlv): string {
  const bytes = tlv.content;
  try {
    switch (tlv.tag) {
      case TAG.UTF8_STRING:
        return utf8.decode(bytes);
      case TAG.PRINTABLE_STRING:
      case TAG.IA5_STRING:
      case TAG.VISIBLE_STRING:
        return ascii(bytes);
      case TAG.TELETEX_STRING:
        // T.61 in theory; in practice CAs put Latin-1 here, which is how OpenSSL reads it too.
        return Buffer.from(bytes).toString('latin1');
      case TAG.BMP_STRING:
        return utf16be.decode(bytes);
      case TAG.UNIVERSAL_STRING: {
        if (bytes.length % 4 !== 0) throw new DerError('malformed UniversalString');
        const points: number[] = [];
        for (let i = 0; i < bytes.length; i += 4) {
          points.push(
            ((bytes[i] ?? 0) << 24) |
              ((bytes[i + 1] ?? 0) << 16) |
              ((bytes[i + 2] ?? 0) << 8) |
              (bytes[i + 3] ?? 0),
          );
        }
        return String.fromCodePoint(...points);
      }
      default:
        throw new DerError(`tag 0x${tlv.tag.toString(16)} is not a character string`);
    }
  } catch (error) {
    if (error instanceof DerError) throw error;
    throw new DerError('invalid character string encoding');
  }
}

export function isStringTag(tag: number): boolean {
  return (
    tag === TAG.UTF8_STRING ||
    tag === TAG.PRINTABLE_STRING ||
    tag === TAG.IA5_STRING ||
    tag === TAG.VISIBLE_STRING ||
    tag === TAG.TELETEX_STRING ||
    tag === TAG.BMP_STRING ||
    tag === TAG.UNIVERSAL_STRING
  );
}

function ascii(bytes: Uint8Array): string {
  for (const byte of bytes) if (byte > 0x7f) throw new DerError('non-ASCII byte in an ASCII string type');
  return Buffer.from(bytes).toString('latin1');
}

/** RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ (50-99 → 19xx) or GeneralizedTime YYYYMMDDHHMMSSZ, always UTC. */
export function readTime(tlv: Tlv): Date {
  const text = ascii(tlv.content);
  let match: RegExpExecArray | null;
  let year: number;
  if (tlv.tag === TAG.UTC_TIME) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('malformed UTCTime');
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (tlv.tag === TAG.GENERALIZED_TIME) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('malformed GeneralizedTime');
    year = Number(match[1]);
  } else {
    throw new DerError('expected a time');
  }
  const [month, day, hour, minute, second] = match.slice(2).map(Number);
  const time = Date.UTC(year, (month ?? 0) - 1, day, hour, minute, second);
  if (Number.isNaN(time)) throw new DerError('invalid date');
  return new Date(time);
}
