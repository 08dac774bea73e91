import { env } from '@psd2/config';
import { type ClientRegistry, type ClientRegistryTransport, createClientRegistry } from './client.js';

/** The environment every HTTP service honours to reach the client registry. */
export const clientRegistrySettings = {
  /** `host:port` of the registry's gRPC endpoint. */
  CLIENT_REGISTRY_ADDRESS: env.text('127.0.0.1:50051'),
  /** Plaintext only when explicitly asked for (loopback, or a private network with its own protection). */
  CLIENT_REGISTRY_PLAINTEXT: env.flag(false),
  /** CA of the registry's server certificate, and this service's own certificate for mutual TLS. */
  CLIENT_REGISTRY_TLS_CA_FILE: env.optionalText(),
  CLIENT_REGISTRY_TLS_CERT_FILE: env.optionalText(),
  CLIENT_REGISTRY_TLS_KEY_FILE: env.optionalText(),
};

export interface ClientRegistrySettings {
  readonly CLIENT_REGISTRY_ADDRESS: string;
  readonly CLIENT_REGISTRY_PLAINTEXT: boolean;
  readonly CLIENT_REGISTRY_TLS_CA_FILE?: string | undefined;
  readonly CLIENT_REGISTRY_TLS_CERT_FILE?: string | undefined;
  readonly CLIENT_REGISTRY_TLS_KEY_FILE?: string | undefined;
}

/** TLS unless plaintext was chosen explicitly; a half-configured client certificate is a start-up error. */
export function registryTransportFromSettings(config: ClientRegistrySettings): ClientRegistryTransport {
  if (config.CLIENT_REGISTRY_PLAINTEXT) return { plaintext: true };
  const certFile = config.CLIENT_REGISTRY_TLS_CERT_FILE;
  const keyFile = config.CLIENT_REGISTRY_TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error('CLIENT_REGISTRY_TLS_CERT_FILE and CLIENT_REGISTRY_TLS_KEY_FILE go together');
  }
  return {
    tls: {
      ...(config.CLIENT_REGISTRY_TLS_CA_FILE === undefined
        ? {}
        : { caFile: config.CLIENT_REGISTRY_TLS_CA_FILE }),
      ...(certFile === undefined || keyFile === undefined ? {} : { certFile, keyFile }),
    },
  };
}

export function createClientRegistryFromSettings(
  config: ClientRegistrySettings,
  options: { readonly cacheTtlMs?: number; readonly deadlineMs?: number } = {},
): ClientRegistry {
  return createClientRegistry({
    address: config.CLIENT_REGISTRY_ADDRESS,
    transport: registryTransportFromSettings(config),
    ...options,
  });
}
