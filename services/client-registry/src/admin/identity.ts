import { createHash } from 'node:crypto';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { distinguishedNames } from '@psd2/certificates';
import { RegistryError } from '../errors.js';
import type { OperatorIdentity } from '../suspensions.js';

/*
 * Who an operator is: the client certificate of the call's mutual TLS connection, which the server
 * required and verified against the operator CA during the handshake. Its subject DN (RFC 4514) and the
 * base64url SHA-256 of its DER are what the audit trail records as "who".
 */

export function operatorOf(
  call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>,
): OperatorIdentity {
  const certificate = call.getAuthContext().sslPeerCertificate;
  // The handshake refuses a connection without a trusted certificate; this holds if that ever changes.
  if (certificate === undefined || certificate.raw === undefined || certificate.raw.length === 0) {
    throw new RegistryError('permission_denied', 'the admin API needs an operator certificate');
  }
  let subject: string;
  try {
    subject = distinguishedNames(new Uint8Array(certificate.raw)).subject;
  } catch {
    throw new RegistryError('permission_denied', 'the operator certificate could not be read');
  }
  return {
    subject,
    certificateThumbprint: createHash('sha256').update(certificate.raw).digest('base64url'),
  };
}
