import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface CallOutcome {
  readonly status?: number;
  readonly body?: string;
  /** The error code when no answer came: the handshake failed or the connection was cut. */
  readonly failure?: string;
  /** The serial number of the server certificate, when TLS was established. */
  readonly serverSerial?: string;
}

/** One request on a fresh connection (no pooling: each call is its own handshake). */
export function callOverTls(
  url: string,
  tls: { ca: Buffer; cert?: Buffer; key?: Buffer },
  headers: Record<string, string> = {},
): Promise<CallOutcome> {
  return new Promise((resolve) => {
    const request = https.get(url, { ...tls, agent: false, headers }, (response) => {
      const serverSerial = (response.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, serverSerial }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ failure: error.code ?? error.message }));
  });
}
