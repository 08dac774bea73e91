/*
 * One error class with a closed set of stable codes, so that a caller's `switch (error.code)` is
 * checked for exhaustiveness by the compiler and log queries can rely on the strings. The message is
 * for logs; it never contains the certificate.
 */

export const CERTIFICATE_ERROR_CODES = [
  /** The XFCC header does not follow Envoy's grammar. */
  'ERR_XFCC_MALFORMED',
  /** More than one XFCC element or a repeated key: we cannot tell which certificate is the client's. */
  'ERR_XFCC_AMBIGUOUS',
  /** An XFCC element without a `Cert` value: the edge is configured without `cert` details. */
  'ERR_XFCC_NO_CERT',
  /** Not a single PEM certificate, or not a well-formed X.509 certificate. */
  'ERR_CERT_MALFORMED',
  'ERR_CERT_EXPIRED',
  'ERR_CERT_NOT_YET_VALID',
  /** No ETSI TS 119 495 PSD2 statement: not a PSD2 certificate. */
  'ERR_CERT_NO_PSD2_STATEMENT',
  /** A PSD2 statement that is malformed or names no known PSD2 role. */
  'ERR_CERT_PSD2_STATEMENT_INVALID',
  /** QcType is not (only) web authentication, e.g. a QSealC presented for mTLS. */
  'ERR_CERT_NOT_WEB_AUTHENTICATION',
  /** organizationIdentifier missing, repeated, or not of the form PSD<CC>-<NCA>-<id>. */
  'ERR_CERT_ORGANIZATION_IDENTIFIER',
] as const;

export type CertificateErrorCode = (typeof CERTIFICATE_ERROR_CODES)[number];

export class CertificateError extends Error {
  readonly code: CertificateErrorCode;

  constructor(code: CertificateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
    this.code = code;
  }
}

export function isCertificateError(error: unknown): error is CertificateError {
  return error instanceof CertificateError;
}

/** What a check came to, a refusal included, so that a cache can remember both. */
export type Outcome<V> = { readonly value: V } | { readonly error: CertificateError };

export function outcomeOf<V>(run: () => V): Outcome<V> {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof CertificateError) return { error };
    throw error;
  }
}

/** The value, or the refusal thrown again. */
export function settle<V>(outcome: Outcome<V>): V {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
