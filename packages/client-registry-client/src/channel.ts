import { readFileSync } from 'node:fs';
import { type ChannelCredentials, type ChannelOptions, credentials } from '@grpc/grpc-js';

/* How the client reaches the registry: TLS (mutual when a certificate is given) or explicit plaintext. */

/** PEM material as file paths (read once, at creation) or as contents. */
export interface TlsOptions {
  /** CA that issued the registry's server certificate; the system roots when absent. */
  readonly caFile?: string;
  readonly ca?: Buffer | string;
  /** This service's own certificate and key, for mutual TLS. */
  readonly certFile?: string;
  readonly cert?: Buffer | string;
  readonly keyFile?: string;
  readonly key?: Buffer | string;
  /** The name to verify in the server certificate when it differs from the address's host. */
  readonly serverName?: string;
}

export type ClientRegistryTransport = { readonly tls: TlsOptions } | { readonly plaintext: true };

function pem(file: string | undefined, contents: Buffer | string | undefined): Buffer | null {
  if (contents !== undefined) return Buffer.from(contents);
  return file === undefined ? null : readFileSync(file);
}

export function transportOf(transport: ClientRegistryTransport): {
  channelCredentials: ChannelCredentials;
  channelOptions: ChannelOptions;
} {
  if ('plaintext' in transport) {
    return { channelCredentials: credentials.createInsecure(), channelOptions: {} };
  }
  const { tls } = transport;
  const key = pem(tls.keyFile, tls.key);
  const cert = pem(tls.certFile, tls.cert);
  if ((key === null) !== (cert === null)) {
    throw new TypeError('a client certificate needs its key, and a key its certificate');
  }
  return {
    channelCredentials: credentials.createSsl(pem(tls.caFile, tls.ca), key, cert),
    channelOptions: tls.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': tls.serverName },
  };
}
