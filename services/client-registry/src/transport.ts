import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';

/*
 * gRPC between services runs over TLS, or in plaintext on a private network. Plaintext is never a
 * fallback: it has to be asked for, so a missing certificate stops the process instead of silently
 * exposing traffic.
 */

export type ServerTransport =
  | {
      readonly kind: 'tls';
      readonly certFile: string;
      readonly keyFile: string;
      /** When set, callers must present a certificate issued by this CA (mutual TLS). */
      readonly caFile?: string;
    }
  | { readonly kind: 'plaintext' };

export interface TransportSettings {
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly caFile?: string | undefined;
  readonly plaintext: boolean;
}

export class TransportConfigError extends Error {
  override readonly name = 'TransportConfigError';
}

export function chooseServerTransport(settings: TransportSettings): ServerTransport {
  const anyTls =
    settings.certFile !== undefined || settings.keyFile !== undefined || settings.caFile !== undefined;
  if (settings.plaintext && anyTls) {
    throw new TransportConfigError(
      'REGISTRY_PLAINTEXT=true and REGISTRY_TLS_* are both set; choose one, so the transport is never a guess',
    );
  }
  if (settings.plaintext) return { kind: 'plaintext' };
  if (settings.certFile === undefined || settings.keyFile === undefined) {
    throw new TransportConfigError(
      'set REGISTRY_TLS_CERT_FILE and REGISTRY_TLS_KEY_FILE (and REGISTRY_TLS_CA_FILE for mutual TLS), ' +
        'or REGISTRY_PLAINTEXT=true on a private network',
    );
  }
  return {
    kind: 'tls',
    certFile: settings.certFile,
    keyFile: settings.keyFile,
    ...(settings.caFile === undefined ? {} : { caFile: settings.caFile }),
  };
}

export function serverCredentials(transport: ServerTransport): ServerCredentials {
  if (transport.kind === 'plaintext') return ServerCredentials.createInsecure();
  const ca = transport.caFile === undefined ? null : readFileSync(transport.caFile);
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readFileSync(transport.certFile), private_key: readFileSync(transport.keyFile) }],
    ca !== null,
  );
}
