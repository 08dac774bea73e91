import { type ClientCertificateResolver, createClientCertificateResolver } from '@psd2/certificates';
import { env } from '@psd2/config';

/** The environment every service that reads client certificates honours. */
export const clientCertificateSettings = {
  /** Addresses or CIDR ranges of the edge: only their `x-forwarded-client-cert` is believed. */
  TRUSTED_PROXIES: env.list(['127.0.0.1', '::1']),
};

export function createResolverFromSettings(config: {
  readonly TRUSTED_PROXIES: readonly string[];
}): ClientCertificateResolver {
  return createClientCertificateResolver({ trustedProxies: config.TRUSTED_PROXIES });
}
