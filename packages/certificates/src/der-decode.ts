import { AsnConvert } from '@peculiar/asn1-schema';

export class DerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DerError';
  }
}

/**
 * `bytes` decoded into `schema` by asn1js and @peculiar/asn1-schema, accepted only when encoding the
 * result again gives `bytes` back. The parser reads BER and ignores trailing data and fields the schema
 * does not name; the round trip makes the input DER (X.690 §10: definite, minimal lengths, no encoded
 * defaults), one element, and exactly the schema. Embedded encodings are not parsed ahead: the schemas
 * say which OCTET STRINGs hold DER, and those go through here in turn.
 */
export function decodeDer<T>(bytes: ArrayBuffer | Uint8Array, schema: new () => T): T {
  let decoded: T;
  let encoded: Buffer;
  try {
    decoded = AsnConvert.parse(bytes, schema, { berOptions: { parseEmbedded: false } });
    encoded = Buffer.from(AsnConvert.serialize(decoded));
  } catch (error) {
    throw new DerError(error instanceof Error ? error.message : `cannot decode ${schema.name}`, {
      cause: error,
    });
  }
  const input = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (!encoded.equals(input)) throw new DerError(`not the DER encoding of one ${schema.name}`);
  return decoded;
}
