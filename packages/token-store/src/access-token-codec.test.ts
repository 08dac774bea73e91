import { describe, expect, it } from '@jest/globals';
import { decodeAccessToken, encodeAccessToken } from './access-token-codec.js';
import type { AccessTokenRecord } from './records.js';

const record: AccessTokenRecord = {
  clientId: 'gZ1lFq4zv3y8Vt0xW2p9Aw',
  organizationId: 'PSDFR-ACPR-12345',
  scope: 'aisp extended_transaction_history',
  subject: 'psu-0001',
  grantId: 'Qm9uam91ciBsYSBiYW5xdWU',
  issuedAt: 1_790_000_000,
  expiresAt: 1_790_003_600,
  certificateThumbprint: 'x4E2qU1yNQX7lU0a2o7kqLIN2y2Jb9gVvFhYb1Z5f3c',
};

describe('access token codec', () => {
  it('round-trips a code-grant token and a client-credentials token', () => {
    expect(decodeAccessToken(encodeAccessToken(record))).toEqual(record);
    const { subject: _subject, grantId: _grantId, ...clientCredentials } = record;
    expect(decodeAccessToken(encodeAccessToken(clientCredentials))).toEqual(clientCredentials);
  });

  it('costs a fixed 41-byte header plus the strings, well under the JSON form', () => {
    const strings = [
      record.clientId,
      record.organizationId,
      record.scope,
      'psu-0001',
      'Qm9uam91ciBsYSBiYW5xdWU',
    ];
    const expected = 41 + strings.reduce((sum, value) => sum + 1 + value.length, 0);
    expect(encodeAccessToken(record).length).toBe(expected);
    expect(expected).toBeLessThan(JSON.stringify(record).length * 0.6);
  });

  it('refuses a thumbprint that is not a SHA-256 and an unknown version', () => {
    expect(() => encodeAccessToken({ ...record, certificateThumbprint: 'abc' })).toThrow(RangeError);
    expect(() => decodeAccessToken(Buffer.from([9, 0, 0]))).toThrow(RangeError);
  });
});
