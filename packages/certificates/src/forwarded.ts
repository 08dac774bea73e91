export interface ForwardedRequest {
  /**
   * The request came over a TLS connection that presented the edge's client certificate (the service
   * listener of @psd2/http checked it and marked the connection). Never inferred from a peer address:
   * anyone who reaches a service port can send from an address in the cluster's range.
   */
  readonly fromEdge: boolean;
  /** The raw x-forwarded-client-cert header value(s). */
  readonly header: string | readonly string[] | undefined;
}

/**
 * The XFCC header if the edge sent the request; otherwise undefined, exactly as if the client had
 * presented no certificate. Anyone who can reach a service directly could write the header, so only
 * the edge's word counts.
 */
export function forwardedClientCertificate(request: ForwardedRequest): string | undefined {
  if (request.header === undefined || !request.fromEdge) return undefined;
  // Repeated header lines are one list (RFC 9110 §5.3): the edge's element is the first of them.
  return typeof request.header === 'string' ? request.header : request.header.join(',');
}
