import { readFile } from 'node:fs/promises';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { EDGE_TLS_POLICY } from '@psd2/edge-config';
import { readCrlFile } from './client-crl.js';

/** PEM files: the server certificate (chain allowed), its key, and the trusted QTSP CA bundle. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string;
  /**
   * PEM CRLs of the trusted CAs (EDGE_CLIENT_CRL_FILE). Given, OpenSSL checks every certificate of the
   * client's chain against them (Node sets X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL): a revoked
   * one fails like an untrusted one, and so does one whose CA has no CRL in the file (fail closed).
   */
  readonly crlFile?: string | undefined;
}

const POLICY_OPTIONS = {
  minVersion: EDGE_TLS_POLICY.minVersion,
  maxVersion: EDGE_TLS_POLICY.maxVersion,
  ciphers: [...EDGE_TLS_POLICY.tls13CipherSuites, ...EDGE_TLS_POLICY.cipherSuites].join(':'),
  ecdhCurve: EDGE_TLS_POLICY.ecdhCurves.join(':'),
  honorCipherOrder: true,
} as const;

/**
 * The server's TLS context from the three (four with CRLs) files and the shared policy; read again on reload, so that a
 * rotated certificate or CA bundle applies to new connections.
 */
export async function serverSecureContext(files: TlsFiles): Promise<SecureContextOptions> {
  const [cert, key, ca, crl] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    readFile(files.clientCaFile),
    files.crlFile === undefined ? undefined : readCrlFile(files.crlFile),
  ]);
  return { cert, key, ca, ...(crl === undefined ? {} : { crl }), ...POLICY_OPTIONS };
}

/**
 * Ask for a certificate, validate it against `ca`, but let connections without one through: PSU browsers
 * have none. The verdict is enforced by `refuseUnverifiedCertificates`.
 */
export const CLIENT_CERTIFICATE_REQUESTED = { requestCert: true, rejectUnauthorized: false } as const;

/** The client presented a certificate that did not validate (expired, unknown CA...). */
export function presentsUnverifiedCertificate(socket: TLSSocket): boolean {
  return socket.getPeerX509Certificate() !== undefined && !socket.authorized;
}

/**
 * Envoy fails the handshake when a presented client certificate does not validate, even with
 * require_client_certificate: false. Node cannot fail the handshake itself, so the connection is closed
 * the moment it completes, before any request on it is read: registered first, ahead of the HTTP
 * parser's own listener.
 */
export function refuseUnverifiedCertificates(
  server: { prependListener(event: 'secureConnection', listener: (socket: TLSSocket) => void): unknown },
  onRefused: (socket: TLSSocket) => void,
): void {
  server.prependListener('secureConnection', (socket) => {
    // Envoy's TLS context allows no renegotiation; a client must not swap certificates mid-connection.
    socket.disableRenegotiation();
    if (presentsUnverifiedCertificate(socket)) {
      onRefused(socket);
      socket.destroy();
    }
  });
}
