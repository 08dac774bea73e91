/*
 * Assertions about requests that must fail without an HTTP answer. A bare `rejects.toThrow()` also
 * passes on a bug in the test or a service that is down; these name the failure that is meant.
 */

/** The error `promise` rejected with; throws if it resolved. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure without an answer, but the request succeeded');
}

/** The codes and messages along an error's cause chain, e.g. `fetch failed <- UND_ERR_SOCKET other side closed`. */
export function describeFailure(error: unknown): string {
  // Duck-typed: errors from Node's own modules are not `instanceof Error` inside Jest's sandbox.
  const parts: string[] = [];
  let current = error as { message?: unknown; code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    parts.push(`${typeof current.code === 'string' ? `${current.code} ` : ''}${String(current.message)}`);
    current = current.cause as typeof current;
  }
  return parts.length > 0 ? parts.join(' <- ') : String(error);
}

/**
 * How a TLS client sees an edge that refused its certificate: a TLS alert (Envoy), or the connection
 * closed right after the handshake, before any request is read (the local edge). Not a refused TCP
 * connection (the edge is down) and not an HTTP answer.
 */
export const CERTIFICATE_REFUSED_BY_EDGE =
  /ECONNRESET|EPIPE|UND_ERR_SOCKET|socket hang up|other side closed|alert (bad|unknown|certificate)/i;
