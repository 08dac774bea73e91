import type { TrustedCa } from './crl-authorities.js';
import { type ParsedCrl, parseCrlDer } from './crl-der.js';
import { signatureProblem } from './crl-signature.js';

/*
 * What makes a fetched CRL acceptable for a CA: it parses (DER or PEM), names the CA as issuer, is
 * signed by the CA's key, is already in effect (thisUpdate, with a small clock skew) and not yet
 * expired (nextUpdate present and in the future). Whether it may replace the CRL in force is
 * `isNewer`: a CRL never rolls back to an older one, which an attacker on the plain-HTTP path could
 * otherwise replay to un-revoke a certificate until that older CRL's nextUpdate.
 */

export type { ParsedCrl } from './crl-der.js';

export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/;

export function parseCrl(bytes: Buffer): ParsedCrl {
  const pem = PEM_CRL.exec(
    bytes.subarray(0, 64).toString('latin1').includes('-----BEGIN') ? bytes.toString('latin1') : '',
  );
  try {
    return parseCrlDer(pem === null ? bytes : Buffer.from((pem[1] ?? '').replace(/\s+/g, ''), 'base64'));
  } catch {
    throw new Error('is not a CRL (neither DER nor PEM X509 CRL)');
  }
}

/** Issuer and signature only: is this CRL the CA's own? Used for the CRLs already in force too. */
export function isIssuedBy(crl: ParsedCrl, ca: TrustedCa): boolean {
  return crl.issuer === ca.subject && signatureProblem(crl, ca.publicKey) === undefined;
}

/** The reason `crl` is not acceptable for `ca` now, or undefined when it is. */
export function crlProblem(crl: ParsedCrl, ca: TrustedCa, now: Date): string | undefined {
  if (crl.issuer !== ca.subject) return `is issued by "${crl.issuer}", not by this CA`;
  const signature = signatureProblem(crl, ca.publicKey);
  if (signature !== undefined) return signature;
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return `has thisUpdate ${crl.thisUpdate.toISOString()} in the future`;
  }
  if (crl.nextUpdate === undefined) return 'has no nextUpdate';
  if (crl.nextUpdate.getTime() <= now.getTime()) {
    return `is stale (nextUpdate ${crl.nextUpdate.toISOString()} has passed)`;
  }
  return undefined;
}

export function sameCrl(a: ParsedCrl, b: ParsedCrl): boolean {
  return a.der.equals(b.der);
}

/** True when `candidate` supersedes `inForce`: a higher CRL number when both have one, else a later thisUpdate. */
export function isNewer(candidate: ParsedCrl, inForce: ParsedCrl): boolean {
  if (candidate.crlNumber !== undefined && inForce.crlNumber !== undefined) {
    return candidate.crlNumber > inForce.crlNumber;
  }
  return candidate.thisUpdate.getTime() > inForce.thisUpdate.getTime();
}
