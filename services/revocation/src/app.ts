import type { ClientCertificateResolver } from '@psd2/certificates';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { createHttpApp, type HttpApp } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import type { TokenStore } from '@psd2/token-store';
import { revocationEndpoint } from './revoke.js';

export interface RevocationDependencies {
  readonly logger: Logger;
  readonly registry: ClientRegistry;
  readonly store: TokenStore;
  readonly certificates: ClientCertificateResolver;
}

/** Token revocation (RFC 7009), served like the token endpoint it belongs with. Does no I/O. */
export function createRevocationApp(deps: RevocationDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    readiness: { 'token-store': () => deps.store.ping() },
    endpoints: [revocationEndpoint(deps)],
  });
}
