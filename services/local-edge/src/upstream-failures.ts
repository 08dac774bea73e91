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
  if (clientGone || (typeof code === 'string' && UNREACHABLE.has(code))) return 'unreachable';
  return 'misbehaved';
}
