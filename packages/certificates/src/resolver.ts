import { type Outcome, outcomeOf, settle } from './errors.js';
import { type ForwardedRequest, forwardedClientCertificate } from './forwarded.js';
import { fingerprintOf, memoize, memoizeBy } from './memoize.js';
import { derFromPem } from './pem.js';
import { checkValidity, parseQwac, type QwacIdentity } from './qwac.js';
import { certificateFromXfcc } from './xfcc.js';

export interface ClientCertificateResolverOptions {
  /** Distinct certificates remembered; a few thousand TPPs at most in a real deployment. */
  readonly cacheSize?: number;
  /** The clock validity is checked against; injectable for tests. */
  readonly now?: () => Date;
}

export interface ClientCertificateResolver {
  /**
   * The verified identity of the TPP behind a request: undefined when no certificate was presented
   * (or the header did not come over the edge's connection); throws CertificateError when one was presented and
   * must be refused.
   */
  resolve(request: ForwardedRequest): QwacIdentity | undefined;
}

/** The DER of the certificate in an XFCC header; undefined when the header carries none. */
function certificateInHeader(header: string): Uint8Array | undefined {
  const pem = certificateFromXfcc(header);
  return pem === undefined ? undefined : derFromPem(pem);
}

/**
 * The hot path: the edge-connection check, then the XFCC parsing and ASN.1 work once per distinct header.
 * The edge writes the same header, byte for byte, for every request made with one certificate, so the
 * header itself is the first cache key: a hit costs a string hash instead of URL-decoding kilobytes of
 * PEM, base64 and SHA-256 per request. A header seen for the first time is read down to its DER, and the
 * DER's SHA-256 is the second key, so a certificate is decoded once however many headers carry it (the
 * decoding is the expensive part). Results (refusals included) are cached; the validity period is
 * checked on every call, because a cached certificate can expire while it sits in the cache.
 */
export function createClientCertificateResolver(
  options: ClientCertificateResolverOptions = {},
): ClientCertificateResolver {
  const capacity = options.cacheSize ?? 1000;
  const identityOfCertificate = memoizeBy(fingerprintOf, (der) => outcomeOf(() => parseQwac(der)), capacity);
  const identityInHeader = memoize((header): Outcome<QwacIdentity | undefined> => {
    const der = outcomeOf(() => certificateInHeader(header));
    if ('error' in der) return der;
    return der.value === undefined ? { value: undefined } : identityOfCertificate(der.value);
  }, capacity);
  const now = options.now ?? (() => new Date());

  return {
    resolve(request) {
      const header = forwardedClientCertificate(request);
      if (header === undefined) return undefined;
      const identity = settle(identityInHeader(header));
      if (identity !== undefined) checkValidity(identity, now());
      return identity;
    },
  };
}
