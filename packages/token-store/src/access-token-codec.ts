import type { AccessTokenRecord } from './records.js';

/*
 * Access tokens are the bulk of what the store holds (every client_credentials call makes one), so
 * their record is packed into a small binary form instead of JSON: a stored token must cost well
 * under 300 bytes of Redis memory, key and overhead included.
 *
 * Layout (version 1): u8 version | u32 iat | u32 exp | 32 bytes thumbprint (SHA-256) |
 * then five length-prefixed (u8) UTF-8 strings: clientId, organizationId, scope, subject, grantId.
 */

const VERSION = 1;
const THUMBPRINT_BYTES = 32;
const HEADER_BYTES = 1 + 4 + 4 + THUMBPRINT_BYTES;

export function encodeAccessToken(record: AccessTokenRecord): Buffer {
  const thumbprint = Buffer.from(record.certificateThumbprint, 'base64url');
  if (thumbprint.length !== THUMBPRINT_BYTES)
    throw new RangeError('certificate thumbprint must be a SHA-256');
  const strings = [
    record.clientId,
    record.organizationId,
    record.scope,
    record.subject ?? '',
    record.grantId ?? '',
  ].map((value) => Buffer.from(value, 'utf8'));
  for (const value of strings)
    if (value.length > 255) throw new RangeError('access token field longer than 255 bytes');
  const out = Buffer.allocUnsafe(HEADER_BYTES + strings.reduce((sum, value) => sum + 1 + value.length, 0));
  out.writeUInt8(VERSION, 0);
  out.writeUInt32BE(record.issuedAt, 1);
  out.writeUInt32BE(record.expiresAt, 5);
  thumbprint.copy(out, 9);
  let offset = HEADER_BYTES;
  for (const value of strings) {
    out.writeUInt8(value.length, offset);
    value.copy(out, offset + 1);
    offset += 1 + value.length;
  }
  return out;
}

export function decodeAccessToken(data: Buffer): AccessTokenRecord {
  if (data.length < HEADER_BYTES || data.readUInt8(0) !== VERSION)
    throw new RangeError('unknown access token record');
  const strings: string[] = [];
  let offset = HEADER_BYTES;
  for (let index = 0; index < 5; index += 1) {
    const length = data.readUInt8(offset);
    strings.push(data.toString('utf8', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  const [clientId = '', organizationId = '', scope = '', subject = '', grantId = ''] = strings;
  return {
    clientId,
    organizationId,
    scope,
    ...(subject === '' ? {} : { subject }),
    ...(grantId === '' ? {} : { grantId }),
    issuedAt: data.readUInt32BE(1),
    expiresAt: data.readUInt32BE(5),
    certificateThumbprint: data.subarray(9, 9 + THUMBPRINT_BYTES).toString('base64url'),
  };
}
