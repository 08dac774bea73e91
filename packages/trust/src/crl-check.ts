import type { TrustedCa } from './crl-authorities.js';
import { x509 } from './crl-x509.js';

/*
 * What makes a fetched CRL acceptable for a CA: it parses (DER or PEM), names the CA as issuer, is
 * signed by the CA's key, is already in effect (thisUpdate, with a small clock skew) and not yet
 * expired (nextUpdate present and in the future). Whether it may replace the CRL in force is
 * `isNewer`: a CRL never rolls back to an older one, which an attacker on the plain-HTTP path could
 * otherwise replay to un-revoke a certificate until that older CRL's nextUpdate.
 */

export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const CRL_NUMBER_OID = '2.5.29.20';

export function parseCrl(bytes: Buffer): x509.X509Crl {
  const text = bytes.subarray(0, 64).toString('latin1');
  try {
    return new x509.X509Crl(text.includes('-----BEGIN') ? bytes.toString('latin1') : new Uint8Array(bytes));
  } catch {
    throw new Error('is not a CRL (neither DER nor PEM X509 CRL)');
  }
}

/** Issuer and signature only: is this CRL the CA's own? Used for the CRLs already in force too. */
export async function isIssuedBy(crl: x509.X509Crl, ca: TrustedCa): Promise<boolean> {
  if (crl.issuer !== ca.subject) return false;
  return crl.verify({ publicKey: ca.certificate }).catch(() => false);
}

/** The reason `crl` is not acceptable for `ca` now, or undefined when it is. */
export async function crlProblem(crl: x509.X509Crl, ca: TrustedCa, now: Date): Promise<string | undefined> {
  if (crl.issuer !== ca.subject) return `is issued by "${crl.issuer}", not by this CA`;
  if (!(await isIssuedBy(crl, ca))) return "has a signature this CA's key does not verify";
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return `has thisUpdate ${crl.thisUpdate.toISOString()} in the future`;
  }
  if (crl.nextUpdate === undefined) return 'has no nextUpdate';
  if (crl.nextUpdate.getTime() <= now.getTime()) {
    return `is stale (nextUpdate ${crl.nextUpdate.toISOString()} has passed)`;
  }
  return undefined;
}

/** The CRLNumber extension (RFC 5280 §5.2.3) as a bigint, when present. */
export function crlNumber(crl: x509.X509Crl): bigint | undefined {
  const extension = crl.getExtension(CRL_NUMBER_OID);
  if (extension === null) return undefined;
  // The value is an INTEGER: tag 0x02, a short length, then big-endian bytes.
  const value = new Uint8Array(extension.value);
  if (value[0] !== 0x02 || value.length < 3) return undefined;
  return BigInt(`0x${Buffer.from(value.subarray(2)).toString('hex')}`);
}

export function sameCrl(a: x509.X509Crl, b: x509.X509Crl): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

/** True when `candidate` supersedes `inForce`: a higher CRL number when both have one, else a later thisUpdate. */
export function isNewer(candidate: x509.X509Crl, inForce: x509.X509Crl): boolean {
  const candidateNumber = crlNumber(candidate);
  const inForceNumber = crlNumber(inForce);
  if (candidateNumber !== undefined && inForceNumber !== undefined) return candidateNumber > inForceNumber;
  return candidate.thisUpdate.getTime() > inForce.thisUpdate.getTime();
}
