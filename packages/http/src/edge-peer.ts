import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** id-kp-clientAuth (RFC 5280 §4.2.1.12). */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * The entries of Node's `subjectAltName` text (`DNS:a, URI:spiffe://b`), e.g. `DNS:a`. Node writes a
 * value holding a comma, quote or other special character as a JSON string (`DNS:"a, DNS:b"`), so
 * such a value is read whole and can never pass for two names.
 */
export function subjectAltNames(text: string | undefined): string[] {
  const names: string[] = [];
  let position = 0;
  while (text !== undefined && position < text.length) {
    const colon = text.indexOf(':', position);
    if (colon === -1) break;
    const type = text.slice(position, colon);
    let end: number;
    let value: string;
    if (text[colon + 1] === '"') {
      end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end++;
      value = JSON.parse(text.slice(colon + 1, end)) as string;
    } else {
      const comma = text.indexOf(', ', colon);
      end = comma === -1 ? text.length : comma;
      value = text.slice(colon + 1, end);
    }
    names.push(`${type}:${value}`);
    position = end + 2;
  }
  return names;
}

/**
 * Why a certificate that chained to EDGE_PEER_CA_FILE is still not the edge's, or undefined when it
 * is: it must be for client authentication and name one of `allowedNames` as a DNS or URI SAN. Other
 * certificates of the internal CA (a service's server certificate, another workload's) are refused.
 */
export function edgeIdentityRefusal(
  certificate: X509Certificate,
  allowedNames: readonly string[],
): string | undefined {
  if (!(certificate.keyUsage ?? []).includes(CLIENT_AUTH)) {
    return 'the certificate is not for client authentication';
  }
  const names = new Set(subjectAltNames(certificate.subjectAltName));
  const allowed = allowedNames.some((name) => names.has(`DNS:${name}`) || names.has(`URI:${name}`));
  return allowed ? undefined : 'the certificate names no identity in EDGE_PEER_NAMES';
}

/** Why this TLS connection is not from the edge, or undefined when it is. */
export function edgeConnectionRefusal(
  socket: TLSSocket,
  allowedNames: readonly string[],
): string | undefined {
  // rejectUnauthorized already ended handshakes without a valid certificate; checked again so that
  // a listener built without it can never mark a connection.
  if (!socket.authorized) return String(socket.authorizationError ?? 'no client certificate');
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined) return 'no client certificate';
  return edgeIdentityRefusal(certificate, allowedNames);
}
