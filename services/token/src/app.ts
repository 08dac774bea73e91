import type { ClientCertificateResolver } from '@psd2/certificates';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { createHttpApp, type HttpApp } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import type { TokenStore } from '@psd2/token-store';
import { DOCS_PAGE_HEADERS, docsEndpoints } from './docs.js';
import { createGrantUseRecorder } from './grant-use.js';
import type { TokenSettings } from './grants/context.js';
import { introspectionEndpoint } from './introspection.js';
import { type MetadataSettings, metadataEndpoint } from './metadata.js';
import { openApiEndpoint } from './openapi.js';
import { tokenEndpoint } from './token-endpoint.js';

export interface TokenDependencies {
  readonly logger: Logger;
  readonly registry: ClientRegistry;
  readonly store: TokenStore;
  readonly certificates: ClientCertificateResolver;
  readonly tokens: TokenSettings;
  readonly metadata: MetadataSettings;
  readonly introspectionAllowedOrganizations: readonly string[];
}

/**
 * Token endpoint (RFC 6749), introspection (RFC 7662), metadata (RFC 8414) and the API's documents
 * (OpenAPI, its Swagger UI page). Reads its static files once; no other I/O.
 */
export function createTokenApp(deps: TokenDependencies): HttpApp {
  const grantUse = createGrantUseRecorder(deps.store, { logger: deps.logger });
  return createHttpApp({
    logger: deps.logger,
    helmet: DOCS_PAGE_HEADERS,
    readiness: {
      'token-store': () => deps.store.ping(),
    },
    endpoints: [
      tokenEndpoint({
        registry: deps.registry,
        store: deps.store,
        certificates: deps.certificates,
        settings: deps.tokens,
        grantUse,
      }),
      introspectionEndpoint({
        store: deps.store,
        certificates: deps.certificates,
        issuer: deps.metadata.issuer,
        allowedOrganizations: deps.introspectionAllowedOrganizations,
        grantUse,
      }),
      metadataEndpoint(deps.metadata),
      openApiEndpoint(deps.metadata.issuer),
      ...docsEndpoints(),
    ],
  });
}
