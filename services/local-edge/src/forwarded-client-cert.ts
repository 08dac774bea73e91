import type { TLSSocket } from 'node:tls';
import { distinguishedNames, formatXfccElement, pemFromDer } from '@psd2/certificates';
import { presentsUnverifiedCertificate } from './server-tls.js';

/*
 * The x-forwarded-client-cert element the edge gives the services, as envoy/envoy.yaml's
 * `set_current_client_cert_details` {cert: true, subject: true} writes it: Hash, Cert and Subject only.
 * Not the Chain, URI or DNS: the services re-derive everything from Cert, and a QTSP's long chain (every
 * intermediate, URL-encoded) would only grow the header towards the services' header limit (431).
 */

/** What a TLS connection's client certificate amounts to: refused, or the XFCC element to forward (if any). */
export interface ConnectionIdentity {
  readonly refused: boolean;
  readonly element: string | undefined;
}

/**
 * A TLS connection's peer certificate cannot change (renegotiation is disabled), so its verdict and
 * XFCC element are worked out once per connection and reused by every request on it: keep-alive TPPs
 * then pay the certificate work once, not per request.
 */
const identityOfConnection = new WeakMap<TLSSocket, ConnectionIdentity>();

export function connectionIdentity(socket: TLSSocket): ConnectionIdentity {
  let identity = identityOfConnection.get(socket);
  if (identity === undefined) {
    const refused = presentsUnverifiedCertificate(socket);
    identity = { refused, element: refused ? undefined : clientCertificateElement(socket) };
    identityOfConnection.set(socket, identity);
  }
  return identity;
}

function clientCertificateElement(socket: TLSSocket): string | undefined {
  const leaf = socket.getPeerX509Certificate();
  if (leaf === undefined) return undefined;
  return formatXfccElement({
    hash: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
    cert: pemFromDer(leaf.raw),
    subject: distinguishedNames(leaf.raw).subject,
  });
}
