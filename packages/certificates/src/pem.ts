import { CertificateError } from './errors.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/**
 * RFC 7468 §5.1: the DER inside exactly one `CERTIFICATE` block. XFCC's `Cert` carries the client's
 * own certificate only (the chain has its own key), so a second block means someone is confused.
 * Plain index scanning rather than a regular expression: this runs on every request.
 */
export function derFromPem(pem: string): Uint8Array {
  const begin = pem.indexOf(BEGIN);
  const end = pem.indexOf(END, begin + BEGIN.length);
  if (
    begin === -1 ||
    end === -1 ||
    pem.indexOf('-----BEGIN', end) !== -1 ||
    pem.indexOf('-----BEGIN') !== begin
  ) {
    throw new CertificateError('ERR_CERT_MALFORMED', 'expected exactly one PEM CERTIFICATE block');
  }
  const base64 = pem.slice(begin + BEGIN.length, end).replace(/\s+/g, '');
  // Buffer.from skips characters it does not understand; a certificate must not contain any.
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new CertificateError('ERR_CERT_MALFORMED', 'PEM body is not base64');
  }
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

export function pemFromDer(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
