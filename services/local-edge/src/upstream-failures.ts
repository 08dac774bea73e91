/*
 * What an undici error means for the client: which of the edge's answers it gets, as Envoy would
 * answer it, or none when the edge itself is at fault.
 */

/** Upstream failures Envoy answers 503: the service could not be reached, or went away before answering. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ECONNRESET',
  // undici: the service closed the connection without an answer; connecting took too long.
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // undici: the edge is closing (close() destroys the pools).
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
]);

/**
 * The TLS handshake with the service failed: its certificate does not chain to UPSTREAM_CA_FILE, does
 * not name it, has expired, or the service refused the edge's. Envoy answers a TLS transport failure
 * 503 like a refused connection. Node reports OpenSSL's verify results by their names, and its own
 * TLS and SSL failures as ERR_TLS_* and ERR_SSL_*.
 */
const TLS_VERIFY_FAILURES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
]);

function isTlsFailure(code: string): boolean {
  return TLS_VERIFY_FAILURES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

/** The route timeout, as undici's headersTimeout and bodyTimeout report it. */
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** undici refused the request the edge built, before sending anything: the edge's own failure (500). */
const REFUSED_LOCALLY = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

export type UpstreamFailure = 'refused-locally' | 'timed-out' | 'unreachable' | 'misbehaved';

/**
 * A client that left first counts as unreachable (503), as it did when its departure surfaced as a
 * reset; anything else unexpected is the service misbehaving (502).
 */
export function upstreamFailureOf(error: Error, clientGone: boolean): UpstreamFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && REFUSED_LOCALLY.has(code)) return 'refused-locally';
  if (typeof code === 'string' && TIMED_OUT.has(code)) return 'timed-out';
  if (clientGone || (typeof code === 'string' && (UNREACHABLE.has(code) || isTlsFailure(code)))) {
    return 'unreachable';
  }
  return 'misbehaved';
}
